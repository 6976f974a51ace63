/** Mermaid diagrams drawn to SVG text, with mermaid itself loaded the first time one is drawn. */
import type { Mermaid } from "mermaid";

/** A diagram past this many characters is not drawn (mermaid's own default is 50,000). */
export const MAX_DIAGRAM_CHARS = 20_000;

let loaded: Promise<Mermaid> | null = null;
// Mermaid keeps one configuration and draws in a scratch element of the page: one diagram at a time.
let queue: Promise<unknown> = Promise.resolve();
let drawn = 0;

/** Mermaid is over a megabyte: a chunk of its own, fetched when an answer first holds a diagram. */
function mermaid(): Promise<Mermaid> {
  loaded ??= import("mermaid").then((module) => module.default);
  loaded.catch(() => {
    loaded = null; // a failed fetch (offline, a new deploy) is tried again by the next diagram
  });
  return loaded;
}

/** Where mermaid lays a diagram out to measure it: out of sight and of the accessibility tree, not at the end of the page. */
function scratch(): HTMLElement {
  let element = document.getElementById("mermaid-scratch");
  if (!element) {
    element = document.createElement("div");
    element.id = "mermaid-scratch";
    element.setAttribute("aria-hidden", "true");
    Object.assign(element.style, { position: "fixed", left: "-10000px", top: "0", width: "1000px", visibility: "hidden" });
    document.body.append(element);
  }
  return element;
}

/**
 * The diagram as SVG text, in the page's light or dark colours; rejects with mermaid's error when
 * the code is not a diagram. `strict`: labels are sanitised and `click` callbacks and links bind
 * nothing; mermaid never scans the page by itself.
 */
export function drawDiagram(code: string, dark: boolean): Promise<string> {
  const draw = async () => {
    if (code.length > MAX_DIAGRAM_CHARS) throw new Error(`The diagram is longer than ${MAX_DIAGRAM_CHARS.toLocaleString("en")} characters.`);
    const library = await mermaid();
    library.initialize({
      startOnLoad: false,
      securityLevel: "strict",
      theme: dark ? "dark" : "default",
      // An error is thrown to us, not drawn as mermaid's bomb picture into the page.
      suppressErrorRendering: true,
      maxTextSize: MAX_DIAGRAM_CHARS,
      maxEdges: 500,
      logLevel: "fatal",
      // Labels as SVG text, not HTML in a foreignObject: no markup of the answer's inside the drawing.
      htmlLabels: false,
      // What a diagram's own %%{init}%% may not change: mermaid's defaults, and the labels.
      secure: ["secure", "securityLevel", "startOnLoad", "maxTextSize", "suppressErrorRendering", "maxEdges", "htmlLabels"],
    });
    drawn += 1;
    const { svg } = await library.render(`mermaid-diagram-${drawn}`, code, scratch());
    return svg;
  };
  const result = queue.then(draw, draw);
  queue = result.catch(() => undefined);
  return result;
}

/** The first line of mermaid's error, short enough to show under the code. */
export function diagramError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split("\n").find((part) => part.trim()) ?? "";
  const short = line.length > 160 ? `${line.slice(0, 157)}…` : line;
  return short ? `This diagram could not be drawn: ${short}` : "This diagram could not be drawn.";
}

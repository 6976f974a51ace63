/** Which of an answer's text is math: `\(…\)` and `\[…\]` as dollars, and pandoc's rule for `$…$`, so that "$5 and $10" stays two prices. */
import type { Nodes, Parent, Root } from "mdast";
import type { VFile } from "vfile";

/**
 * remark-math pairs any two single dollars, so "costs $5 and $10" would set "5 and " as math.
 * Pandoc's rule tells them apart: the text inside `$…$` neither starts nor ends with a space, and
 * the closing `$` is not followed by a digit. A single-dollar span that breaks it goes back to the
 * text it was written as. `$$…$$` is always math.
 */
export function remarkPricesNotMath() {
  return (tree: Root, file: VFile) => {
    const source = String(file);
    const walk = (parent: Parent) => {
      parent.children = parent.children.map((node) => {
        if ("children" in node) walk(node);
        return node.type === "inlineMath" ? (asText(node, source) ?? node) : node;
      }) as Parent["children"];
    };
    walk(tree);
  };
}

function asText(node: Nodes, source: string): Nodes | null {
  const start = node.position?.start.offset;
  const end = node.position?.end.offset;
  if (start === undefined || end === undefined) return null;
  const written = source.slice(start, end);
  if (written.startsWith("$$")) return null;
  const inner = written.slice(1, -1);
  const price = /^\s/.test(inner) || /\s$/.test(inner) || /^\d/.test(source.charAt(end));
  return price ? { type: "text", value: written, position: node.position } : null;
}

// A fenced code block (to its closing fence, or the end), or an inline code span: left as written.
const CODE = /^ {0,3}(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^ {0,3}\1[^\S\n]*$|(?![\s\S]))|(`+)[\s\S]*?[^`]\2(?!`)/gm;
const DISPLAY = /(?<!\\)\\\[([\s\S]+?)(?<!\\)\\\]/g;
const INLINE = /(?<!\\)\\\(([\s\S]+?)(?<!\\)\\\)/g;

/**
 * Many models write LaTeX's `\(…\)` and `\[…\]`, which Markdown would read as escaped brackets:
 * they become `$…$` and `$$…$$` (a display on lines of its own), outside code.
 */
export function texDelimitersAsDollars(text: string): string {
  if (!text.includes("\\(") && !text.includes("\\[")) return text;
  let result = "";
  let at = 0;
  for (const code of text.matchAll(CODE)) {
    result += dollars(text.slice(at, code.index)) + code[0];
    at = code.index + code[0].length;
  }
  return result + dollars(text.slice(at));
}

function dollars(prose: string): string {
  return prose
    .replace(DISPLAY, (written, tex: string, offset: number, whole: string) => {
      const alone = (offset === 0 || whole[offset - 1] === "\n") && /^[^\S\n]*(\n|$)/.test(whole.slice(offset + written.length));
      return alone ? `$$\n${tex.trim()}\n$$` : `$$${tex.trim()}$$`;
    })
    .replace(INLINE, (_, tex: string) => `$${tex.trim()}$`);
}

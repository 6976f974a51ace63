/** Which `$…$` in an answer is math: pandoc's rule, so that "$5 and $10" stays two prices. */
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

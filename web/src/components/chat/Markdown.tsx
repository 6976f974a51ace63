/** Answers as Markdown, with math and diagrams, and any HTML in them kept as text. */
import type { Element } from "hast";
import { type ReactNode, memo, useMemo } from "react";
import ReactMarkdown, { type Options } from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import remarkGfm from "remark-gfm";
import remarkMath from "remark-math";

import { mayHoldMath, useMath } from "../../hooks/useMath";
import { remarkPricesNotMath, texDelimitersAsDollars } from "../../mathText";
import { CopyButton } from "../shared/CopyButton";
import { MermaidDiagram } from "./MermaidDiagram";

function textOf(node: ReactNode): string {
  if (typeof node === "string" || typeof node === "number") return String(node);
  if (Array.isArray(node)) return node.map(textOf).join("");
  if (node && typeof node === "object" && "props" in node) {
    return textOf((node.props as { children?: ReactNode }).children);
  }
  return "";
}

function CodeBlock({ children }: { children?: ReactNode }) {
  return (
    <div className="code-block">
      <CopyButton text={textOf(children)} label="Copy code" testId="copy-code" />
      <pre>{children}</pre>
    </div>
  );
}

/** Whether a `<pre>` holds a ```mermaid block. */
function isMermaid(pre: Element | undefined): boolean {
  const code = pre?.children[0];
  const classes = code?.type === "element" ? code.properties.className : undefined;
  return Array.isArray(classes) && classes.includes("language-mermaid");
}

const REMARK_PLUGINS: Options["remarkPlugins"] = [remarkGfm, remarkMath, remarkPricesNotMath];
const HIGHLIGHT: Options["rehypePlugins"] = [[rehypeHighlight, { detect: true, ignoreMissing: true }]];
const COMMON: Options["components"] = {
  // A model's image would load by itself (a tracking pixel, or a prompt injection leaking the
  // chat in its URL): show a link instead.
  img: ({ src, alt }) => (
    <a href={typeof src === "string" ? src : undefined} target="_blank" rel="noreferrer noopener">
      {alt || "image"}
    </a>
  ),
  a: ({ children, href }) => (
    <a href={href} target="_blank" rel="noreferrer noopener">
      {children}
    </a>
  ),
};
// While an answer streams its diagrams are code: drawing each token's half-written diagram would
// flicker between errors, and mermaid is loaded only once one is complete.
const STREAMING: Options["components"] = { ...COMMON, pre: CodeBlock };
const FINISHED: Options["components"] = {
  ...COMMON,
  pre: ({ node, children }) =>
    isMermaid(node) ? (
      <MermaidDiagram code={textOf(children)}>
        <CodeBlock>{children}</CodeBlock>
      </MermaidDiagram>
    ) : (
      <CodeBlock>{children}</CodeBlock>
    ),
};

/**
 * Markdown as the model writes it (GFM tables, lists, highlighted code, `$…$` and `$$…$$` math
 * with KaTeX, loaded with the first math (`\(…\)` and `\[…\]` too), ```mermaid diagrams once the
 * answer is finished). Raw HTML is shown as text, never
 * parsed, so neither a model nor a user can run script in the page. Memoised: a streaming answer
 * re-renders the list on every delta, and finished messages need not re-parse.
 */
export const Markdown = memo(function Markdown({ text, live = false }: { text: string; live?: boolean }) {
  const math = useMath(mayHoldMath(text));
  const rehypePlugins = useMemo(() => (math ? [math, ...(HIGHLIGHT ?? [])] : HIGHLIGHT), [math]);
  return (
    <ReactMarkdown remarkPlugins={REMARK_PLUGINS} rehypePlugins={rehypePlugins} components={live ? STREAMING : FINISHED}>
      {texDelimitersAsDollars(text)}
    </ReactMarkdown>
  );
});

/** Answers as Markdown, with any HTML in them kept as text. */
import { type ReactNode, memo } from "react";
import ReactMarkdown, { type Options } from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import remarkGfm from "remark-gfm";

import { CopyButton } from "../shared/CopyButton";

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

const REMARK_PLUGINS = [remarkGfm];
const REHYPE_PLUGINS: Options["rehypePlugins"] = [[rehypeHighlight, { detect: true, ignoreMissing: true }]];
const COMPONENTS: Options["components"] = {
  pre: CodeBlock,
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

/**
 * Markdown as the model writes it (GFM tables, lists, highlighted code). Raw HTML is shown as
 * text, never parsed, so neither a model nor a user can run script in the page. Memoised: a
 * streaming answer re-renders the list on every delta, and finished messages need not re-parse.
 */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  return (
    <ReactMarkdown remarkPlugins={REMARK_PLUGINS} rehypePlugins={REHYPE_PLUGINS} components={COMPONENTS}>
      {text}
    </ReactMarkdown>
  );
});

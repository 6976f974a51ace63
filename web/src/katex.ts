/** KaTeX as a rehype plugin, with its styles: the chunk `hooks/useMath` loads with the first math. */
import "katex/dist/katex.min.css";

import rehypeKatex from "rehype-katex";

import type { MathPlugin } from "./hooks/useMath";

// trust: false renders \href, \url, \includegraphics and \htmlClass/Id/Style/Data as red source
// text, never as links or attributes; the sizes and macro expansion are bounded.
export const KATEX: MathPlugin = [
  rehypeKatex,
  { trust: false, strict: "ignore", maxSize: 20, maxExpand: 1000, output: "htmlAndMathml" },
];

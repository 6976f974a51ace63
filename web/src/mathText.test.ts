/** Tests of LaTeX's delimiters read as dollars: what is converted, and what is left as written. */
import { describe, expect, it } from "vitest";

import { texDelimitersAsDollars } from "./mathText";

describe("texDelimitersAsDollars", () => {
  it("converts closed pairs, a display on its own lines as a block", () => {
    expect(texDelimitersAsDollars("so \\( a \\) and \\[b\\].")).toBe("so $a$ and $$b$$.");
    expect(texDelimitersAsDollars("\\[\n  c\n\\]\nnext")).toBe("$$\nc\n$$\nnext");
    expect(texDelimitersAsDollars("x\n  \\[ d \\]  \ny")).toBe("x\n  $$d$$  \ny");
  });

  it("leaves what is not closed yet (an answer still streaming), escaped backslashes and code", () => {
    for (const text of [
      "so \\( a + b",
      "\\[\n\\int",
      "a \\\\(b\\\\) c",
      "`\\(x\\)` and ``a ` \\(y\\)``",
      "```tex\n\\[z\\]\n```",
      "~~~\n\\(open fence, streaming\\)",
      "no math at all",
    ]) {
      expect(texDelimitersAsDollars(text)).toBe(text);
    }
    expect(texDelimitersAsDollars("```\n\\(x\\)\n```\nthen \\(y\\)")).toBe("```\n\\(x\\)\n```\nthen $y$");
  });
});

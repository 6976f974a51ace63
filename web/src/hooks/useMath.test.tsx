/** KaTeX is loaded with the first text that may hold math, not with the app; then set at once. */
import { render, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { Markdown } from "../components/chat/Markdown";
import { mayHoldMath } from "./useMath";

describe("useMath", () => {
  it("tells text that may hold math from text that cannot", () => {
    expect(mayHoldMath("It costs $5.")).toBe(true);
    expect(mayHoldMath("Inline \\( x \\) or \\[ y \\]")).toBe(true);
    expect(mayHoldMath("No math here (really) [none].")).toBe(false);
  });

  it("shows math as its source until KaTeX has loaded, then sets it", async () => {
    const { container } = render(<Markdown text={"Euler: $e^{i\\pi} + 1 = 0$."} />);
    expect(container.querySelector(".katex")).toBeNull();
    expect(container.textContent).toContain("e^{i\\pi} + 1 = 0");
    await waitFor(() => expect(container.querySelector(".katex")).not.toBeNull());
    // Loaded: the next text with math is set in its first render.
    const next = render(<Markdown text={"$x^2$"} />);
    expect(next.container.querySelector(".katex annotation")?.textContent).toBe("x^2");
  });
});

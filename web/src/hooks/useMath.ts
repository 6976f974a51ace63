/** KaTeX for answers' math, loaded with the first text that may hold some: it is a third of the
 * app's code and most chats never need it. Until it is loaded, math shows as its source. */
import { useEffect, useState } from "react";
import type { Options } from "react-markdown";

export type MathPlugin = NonNullable<Options["rehypePlugins"]>[number];

let loaded: MathPlugin | null = null;
let loading: Promise<MathPlugin | null> | null = null;

/** Load KaTeX once; null when its chunk could not be had (the next call tries again). */
export function loadMath(): Promise<MathPlugin | null> {
  loading ??= import("../katex").then(
    (module) => (loaded = module.KATEX),
    () => {
      loading = null;
      return null;
    },
  );
  return loading;
}

/** Whether a text may hold math: a dollar, or LaTeX's `\(` or `\[`. */
export function mayHoldMath(text: string): boolean {
  return /\$|\\[([]/.test(text);
}

/** The KaTeX plugin once loaded (at once, if it already is); `needed` starts the load. */
export function useMath(needed: boolean): MathPlugin | null {
  // Set through functions: a plugin may itself be a function, which React would call.
  const [plugin, setPlugin] = useState<MathPlugin | null>(() => loaded);
  useEffect(() => {
    if (!needed || plugin) return;
    let current = true;
    void loadMath().then((got) => {
      if (current && got) setPlugin(() => got);
    });
    return () => {
      current = false;
    };
  }, [needed, plugin]);
  return plugin;
}

/** What an answer drew on from its question's documents, in words: "whole", "pages 12, 40", "3 excerpts". */
import type { DocumentSource } from "./types";

/** Page numbers as a reader writes them: a run of three or more as a range ("3–5, 9"). */
export function pageList(pages: readonly number[]): string {
  const runs: [number, number][] = [];
  for (const page of [...new Set(pages)].sort((a, b) => a - b)) {
    const last = runs.at(-1);
    if (last && page === last[1] + 1) last[1] = page;
    else runs.push([page, page]);
  }
  const written = runs.map(([first, end]) => (end - first >= 2 ? `${first}–${end}` : end > first ? `${first}, ${end}` : `${first}`));
  return written.join(", ");
}

/** How much of one document the answer's prompt showed: all of it, the pages its parts are on (a
 * paged document), or how many parts (one without pages). */
export function describeSource(source: DocumentSource): string {
  if (source.whole) return "whole";
  if (source.pages?.length) return `${source.pages.length === 1 ? "page" : "pages"} ${pageList(source.pages)}`;
  const parts = source.chunks?.length ?? 0;
  if (parts === 0) return "none of it fit";
  return `${parts} ${parts === 1 ? "excerpt" : "excerpts"}`;
}

/** The answer's documents, in its question's order; [] when it drew on none or did not record them. */
export function sourcesOf(message: { role: string; sources?: readonly DocumentSource[] | null }): readonly DocumentSource[] {
  return message.role === "assistant" ? (message.sources ?? []) : [];
}

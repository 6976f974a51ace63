/** Searches titles and messages once typing pauses; a newer query cancels the request of an older one. */
import { useEffect, useState } from "react";

import { api, readable } from "../api";
import type { SearchResults } from "../types";

export const SEARCH_DELAY_MS = 250;

interface SearchState {
  results: SearchResults | null;
  searching: boolean;
  error: string | null;
}

const IDLE: SearchState = { results: null, searching: false, error: null };

/** What the server answered, and to which query. */
interface Answer {
  query: string;
  results: SearchResults | null;
  error: string | null;
}

/** While a newer query waits for its answer, the older results stay on screen. */
export function useSearch(query: string): SearchState {
  const trimmed = query.trim();
  const [answer, setAnswer] = useState<Answer | null>(null);
  // A cleared box forgets the old results: the next query starts from nothing.
  if (!trimmed && answer) setAnswer(null);

  useEffect(() => {
    if (!trimmed) return;
    const abort = new AbortController();
    const timer = setTimeout(() => {
      api.search(trimmed, abort.signal).then(
        (results) => setAnswer({ query: trimmed, results, error: null }),
        (error: unknown) => {
          if (!abort.signal.aborted) setAnswer({ query: trimmed, results: null, error: readable(error) });
        },
      );
    }, SEARCH_DELAY_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [trimmed]);

  if (!trimmed) return IDLE;
  if (answer?.query === trimmed) return { results: answer.results, searching: false, error: answer.error };
  return { results: answer?.results ?? null, searching: true, error: null };
}

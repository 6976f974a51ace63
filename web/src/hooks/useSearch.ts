import { useEffect, useState } from "react";

import { api, readable } from "../api";
import type { SearchResults } from "../types";

export const SEARCH_DELAY_MS = 250;

export interface SearchState {
  results: SearchResults | null;
  searching: boolean;
  error: string | null;
}

const IDLE: SearchState = { results: null, searching: false, error: null };

/** Searches once typing pauses; a newer query cancels the request of an older one. */
export function useSearch(query: string): SearchState {
  const [state, setState] = useState<SearchState>(IDLE);
  const trimmed = query.trim();

  useEffect(() => {
    if (!trimmed) {
      setState(IDLE);
      return;
    }
    setState((current) => ({ ...current, searching: true, error: null }));
    const abort = new AbortController();
    const timer = setTimeout(() => {
      api.search(trimmed, abort.signal).then(
        (results) => setState({ results, searching: false, error: null }),
        (error: unknown) => {
          if (!abort.signal.aborted) setState({ results: null, searching: false, error: readable(error) });
        },
      );
    }, SEARCH_DELAY_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [trimmed]);

  return state;
}

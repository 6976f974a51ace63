/** The admin's feedback list: everyone's ratings, newest first, a page at a time. */
import { useCallback, useState } from "react";

import { api, readable } from "../api";
import type { FeedbackRow } from "../types";
import { useLoaded } from "./useLoaded";

export interface FeedbackList {
  rows: FeedbackRow[] | null;
  error: string | null;
  /** False on the last page. */
  more: boolean;
  loading: boolean;
  loadMore: () => Promise<void>;
}

const readFirst = () => api.listFeedback(0);

export function useAdminFeedback(): FeedbackList {
  const first = useLoaded(readFirst);
  const [older, setOlder] = useState<FeedbackRow[]>([]);
  const [next, setNext] = useState<number | null | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const nextOffset = next === undefined ? (first.value?.next_offset ?? null) : next;

  const loadMore = useCallback(async () => {
    if (nextOffset === null) return;
    setLoading(true);
    try {
      const page = await api.listFeedback(nextOffset);
      setOlder((rows) => [...rows, ...page.items]);
      setNext(page.next_offset ?? null);
      setError(null);
    } catch (failure) {
      setError(readable(failure));
    } finally {
      setLoading(false);
    }
  }, [nextOffset]);

  return {
    rows: first.value ? [...first.value.items, ...older] : null,
    error: error ?? first.error,
    more: nextOffset !== null,
    loading,
    loadMore,
  };
}

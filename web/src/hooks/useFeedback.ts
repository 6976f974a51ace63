/** The user's thumbs on one answer: the rating and comment as the server holds them, changed through it. */
import { useCallback, useState } from "react";

import { api, readable } from "../api";
import type { Feedback, FeedbackRating } from "../types";

export interface AnswerFeedback {
  value: Feedback | null;
  busy: boolean;
  error: string | null;
  /** The rating chosen (the comment kept); choosing the one given takes it back. */
  rate: (rating: FeedbackRating) => Promise<boolean>;
  /** The rating given, with this comment (empty: none). */
  comment: (text: string) => Promise<boolean>;
}

export function useFeedback(messageId: string, initial: Feedback | null): AnswerFeedback {
  const [value, setValue] = useState<Feedback | null>(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const act = useCallback(async (action: () => Promise<Feedback | null>) => {
    setBusy(true);
    setError(null);
    try {
      setValue(await action());
      return true;
    } catch (failure) {
      setError(readable(failure));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);

  const rate = useCallback(
    (rating: FeedbackRating) =>
      act(async () => {
        if (value?.rating === rating) {
          await api.takeBackFeedback(messageId);
          return null;
        }
        return api.giveFeedback(messageId, rating, value?.comment ?? null);
      }),
    [act, messageId, value],
  );
  const comment = useCallback(
    (text: string) => act(() => api.giveFeedback(messageId, value?.rating ?? "up", text.trim() || null)),
    [act, messageId, value],
  );
  return { value, busy, error, rate, comment };
}

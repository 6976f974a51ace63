/** The user's thumbs on one answer: the rating and comment as the server holds them, changed through it. */
import { useCallback, useState } from "react";

import { api } from "../api";
import type { Feedback, FeedbackRating } from "../types";
import { useAction } from "./useAction";

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
  const change = useCallback(async (step: () => Promise<Feedback | null>) => setValue(await step()), []);
  const { busy, error, run } = useAction(change);

  const rate = useCallback(
    (rating: FeedbackRating) =>
      run(async () => {
        if (value?.rating === rating) {
          await api.takeBackFeedback(messageId);
          return null;
        }
        return api.giveFeedback(messageId, rating, value?.comment ?? null);
      }),
    [run, messageId, value],
  );
  const comment = useCallback(
    (text: string) => run(() => api.giveFeedback(messageId, value?.rating ?? "up", text.trim() || null)),
    [run, messageId, value],
  );
  return { value, busy, error, rate, comment };
}

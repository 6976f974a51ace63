/** Thumbs up or down under a finished answer, and a short optional comment once one is chosen. */
import { useState } from "react";

import { useFeedback } from "../../hooks/useFeedback";
import type { FeedbackRating, Message } from "../../types";

/** As the server holds it (core/feedback.py). */
const MAX_COMMENT = 2000;

const THUMBS: [FeedbackRating, string, string][] = [
  ["up", "Good answer", "👍"],
  ["down", "Bad answer", "👎"],
];

export function FeedbackButtons({ message }: { message: Message }) {
  const feedback = useFeedback(message.id, message.feedback ?? null);
  const [commenting, setCommenting] = useState(false);
  const rating = feedback.value?.rating ?? null;
  return (
    <span className="feedback" data-testid="feedback" data-rating={rating ?? ""}>
      {THUMBS.map(([value, label, icon]) => (
        <button
          key={value}
          type="button"
          className={`icon-button thumb${rating === value ? " chosen" : ""}`}
          aria-label={label}
          aria-pressed={rating === value}
          title={rating === value ? `${label}: click again to take it back` : label}
          data-testid={`feedback-${value}`}
          disabled={feedback.busy}
          onClick={() => void feedback.rate(value).then((ok) => setCommenting(ok && rating !== value))}
        >
          {icon}
        </button>
      ))}
      {commenting ? (
        <form
          className="feedback-comment"
          data-testid="feedback-form"
          onSubmit={(event) => {
            event.preventDefault();
            const text = new FormData(event.currentTarget).get("comment");
            void feedback.comment(typeof text === "string" ? text : "").then((ok) => ok && setCommenting(false));
          }}
        >
          <label>
            What made it {rating === "down" ? "bad" : "good"}? (optional)
            <textarea name="comment" rows={2} maxLength={MAX_COMMENT} defaultValue={feedback.value?.comment ?? ""} data-testid="feedback-comment" />
          </label>
          <span className="hint">The admins see your rating and comment with this answer and its question.</span>
          <span className="feedback-actions">
            <button type="submit" className="primary" disabled={feedback.busy} data-testid="feedback-send">
              Send
            </button>
            <button type="button" onClick={() => setCommenting(false)}>
              Close
            </button>
          </span>
        </form>
      ) : null}
      {feedback.error ? (
        <span className="form-error" role="alert" data-testid="feedback-error">
          {feedback.error}
        </span>
      ) : null}
    </span>
  );
}

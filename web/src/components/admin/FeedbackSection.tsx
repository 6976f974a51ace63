/** The admin page's feedback: each rating with its comment, the model, the question and the answer, and who gave it; and all of it as JSONL. */
import { api } from "../../api";
import { formatWhen } from "../../format";
import { useAdminFeedback } from "../../hooks/useAdminFeedback";
import type { FeedbackRow } from "../../types";
import { FormError } from "../shared/Field";

/** A long answer is cut in the list; the export has it whole. */
const SHOWN_CHARS = 600;

const shortened = (text: string) => (text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text);

function FeedbackItem({ row }: { row: FeedbackRow }) {
  return (
    <li className="feedback-row" data-testid="feedback-row" data-rating={row.rating}>
      <div className="feedback-row-head">
        <span className={`badge rating-${row.rating}`} aria-label={row.rating === "up" ? "Good answer" : "Bad answer"}>
          {row.rating === "up" ? "👍" : "👎"}
        </span>
        <span>{row.user_email}</span>
        <span className="hint">
          {row.model ?? "unknown model"} · {formatWhen(row.created_at)}
        </span>
      </div>
      {row.comment ? (
        <blockquote className="feedback-row-comment" data-testid="feedback-row-comment">
          {row.comment}
        </blockquote>
      ) : null}
      <dl className="feedback-row-texts">
        <dt>Question</dt>
        <dd>{row.question === null || row.question === undefined ? <em>gone</em> : shortened(row.question)}</dd>
        <dt>Answer</dt>
        <dd data-testid="feedback-row-answer">{shortened(row.answer)}</dd>
      </dl>
    </li>
  );
}

export function FeedbackSection() {
  const feedback = useAdminFeedback();
  return (
    <section className="page-section" aria-labelledby="feedback-heading" data-testid="feedback-section">
      <h2 id="feedback-heading">Feedback</h2>
      <p className="hint">
        Users' ratings of answers, newest first, with the answer and its question.{" "}
        <a href={api.feedbackExportUrl} download data-testid="feedback-export">
          Export JSONL
        </a>
      </p>
      <FormError error={feedback.error} testId="feedback-list-error" />
      {feedback.rows === null ? (
        feedback.error ? null : (
          <p className="hint">Loading…</p>
        )
      ) : feedback.rows.length === 0 ? (
        <p className="hint" data-testid="feedback-empty">
          No feedback yet.
        </p>
      ) : (
        <ul className="feedback-list">
          {feedback.rows.map((row) => (
            <FeedbackItem key={row.id} row={row} />
          ))}
        </ul>
      )}
      {feedback.more ? (
        <button type="button" disabled={feedback.loading} onClick={() => void feedback.loadMore()} data-testid="feedback-more">
          Older feedback
        </button>
      ) : null}
    </section>
  );
}

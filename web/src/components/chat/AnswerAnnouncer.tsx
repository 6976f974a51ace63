/** The chat's log for screen readers: an answer is announced once, when it ends, never token by token. */
import { endOfAnswer } from "../../announce";
import type { Message } from "../../types";

interface Props {
  /** The answer seen running here that ended, as the branch on screen holds it now (undefined: none). */
  answer: Message | undefined;
}

/** Visually hidden: the messages on screen say the same. Each end replaces the line before (an
 * addition to the log, spoken once); an answer whose end must be read back is announced when it is. */
export function AnswerAnnouncer({ answer }: Props) {
  const said = answer ? endOfAnswer(answer) : null;
  return (
    <div className="visually-hidden" role="log" aria-live="polite" aria-relevant="additions" aria-label="Answers" data-testid="answer-announcer">
      {said && answer ? <p key={answer.id}>{said}</p> : null}
    </div>
  );
}

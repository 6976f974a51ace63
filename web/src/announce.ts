/** What a screen reader hears when an answer ends: its text, or that it stopped or failed; nothing while it runs. */
import type { Message } from "./types";

/** A long answer is read from the page itself; the announcement says how it starts. */
const SPOKEN = 1_000;

/** The sentence for `answer`'s end, or null while it is not over. */
export function endOfAnswer(answer: Message): string | null {
  switch (answer.status) {
    case "complete": {
      const text = answer.content.trim();
      if (!text) return "Answer finished";
      return `Answer finished: ${text.length > SPOKEN ? `${text.slice(0, SPOKEN)}…` : text}`;
    }
    case "stopped":
      return "Answer stopped";
    case "failed":
      return `Answer failed: ${answer.error ?? "The answer failed."}`;
    default:
      return null;
  }
}

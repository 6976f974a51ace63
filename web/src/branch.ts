/** The branch on screen: which messages the model saw, and where a message stands among its versions. */
import type { Message } from "./types";

/** Whether the model saw a message for the latest answer: "in" its prompt, or "out" of it. */
export type ContextMark = "in" | "out";

/** Messages the prompt builder would send: questions, and answers that produced text. */
function sendable(message: Message): boolean {
  return message.role === "user" || ((message.status === "complete" || message.status === "stopped") && message.content !== "");
}

/**
 * The marks for the branch on screen, from the newest answer that recorded its prompt: each
 * sendable message before that answer's question is "in" or "out". Nothing is marked when no
 * answer recorded one (answers from before relaychat kept this).
 */
export function contextMarks(branch: Message[]): Map<string, ContextMark> {
  const marks = new Map<string, ContextMark>();
  let answerIndex = branch.length - 1;
  while (answerIndex >= 0 && !(branch[answerIndex]!.role === "assistant" && branch[answerIndex]!.included_ids)) answerIndex--;
  if (answerIndex < 0) return marks;
  const included = new Set(branch[answerIndex]!.included_ids);
  // The answer's question is always sent; only what came before it can fall out.
  for (const message of branch.slice(0, Math.max(answerIndex - 1, 0))) {
    if (sendable(message)) marks.set(message.id, included.has(message.id) ? "in" : "out");
  }
  return marks;
}

/** Where a message stands among its siblings: ‹ position/count ›, and its neighbours' ids. */
export interface SiblingPosition {
  position: number;
  count: number;
  previous: string | null;
  next: string | null;
}

export function siblingPosition(message: Message): SiblingPosition {
  const siblings = message.sibling_ids ?? [message.id];
  const index = Math.max(siblings.indexOf(message.id), 0);
  return {
    position: index + 1,
    count: siblings.length,
    previous: siblings[index - 1] ?? null,
    next: siblings[index + 1] ?? null,
  };
}

/** The branch with `replaced` and everything after it swapped for `added`, the first of which
 * takes its place among the replaced message's siblings (a regenerated answer, an edited question). */
export function branchOff(branch: Message[], replaced: Message, added: Message[]): Message[] {
  const index = branch.findIndex((m) => m.id === replaced.id);
  const kept = index < 0 ? branch : branch.slice(0, index);
  const current = branch[index] ?? replaced;
  const [first, ...rest] = added;
  if (!first) return kept;
  const siblings = [...(current.sibling_ids ?? [current.id]), first.id];
  return [...kept, { ...first, sibling_ids: siblings }, ...rest.map((m) => ({ ...m, sibling_ids: [m.id] }))];
}

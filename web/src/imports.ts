/** What an import's answer means, and how its progress reads: pure, for the Import button. */
import type { Conversation, ImportedConversations, ImportProgress } from "./types";

/** An import's answer: written at once (the conversation to open, if any), or a job under way. */
export type ImportOutcome = { kind: "written"; openId: string | null } | { kind: "job"; progress: ImportProgress };

/** Tells the three answers of `POST /api/conversations/import` apart: relaychat's export (one
 * conversation), another app's written at once (its conversations: the first is opened), or a
 * large one's job (202, its progress). */
export function importOutcome(answer: Conversation | ImportedConversations | ImportProgress): ImportOutcome {
  if ("import_id" in answer) return { kind: "job", progress: answer };
  if ("conversations" in answer) return { kind: "written", openId: answer.conversations[0]?.id ?? null };
  return { kind: "written", openId: answer.id };
}

/** "12 of 240 conversations" (one: "conversation"). */
export function progressText(progress: Pick<ImportProgress, "done" | "total">): string {
  const noun = progress.total === 1 ? "conversation" : "conversations";
  return `${progress.done.toLocaleString("en-US")} of ${progress.total.toLocaleString("en-US")} ${noun}`;
}

/** Tests of context marks, sibling positions and branching off. */
import { describe, expect, it } from "vitest";

import { branchOff, contextMarks, siblingPosition } from "./branch";
import type { Message, Role } from "./types";

function message(id: string, role: Role, fields: Partial<Message> = {}): Message {
  return {
    id, conversation_id: "c", parent_id: null, role, content: `text of ${id}`, status: "complete",
    error: null, error_code: null, model: null, attempt: 0, prompt_tokens: null, completion_tokens: null,
    cost_usd: null, first_token_at: null, finished_at: null, tokens_per_second: null,
    finish_reason: null, client_id: null, pinned: false, included_ids: null, created_at: "", updated_at: "",
    ...fields,
  };
}

describe("context marks", () => {
  it("marks what the newest answer's prompt left out, and never its own question", () => {
    const branch = [
      message("q1", "user"),
      message("a1", "assistant"),
      message("q2", "user"),
      message("a2", "assistant", { included_ids: ["q1", "a1"] }),
      message("q3", "user"),
      message("a3", "assistant", { included_ids: ["q2", "a2"] }),
    ];
    expect(Object.fromEntries(contextMarks(branch))).toEqual({ q1: "out", a1: "out", q2: "in", a2: "in" });
  });

  it("uses the newest answer that recorded its prompt while a new one has not yet", () => {
    const branch = [
      message("q1", "user"),
      message("a1", "assistant", { included_ids: [] }),
      message("q2", "user"),
      message("a2", "assistant", { included_ids: [] }),
      message("q3", "user"),
      message("a3", "assistant", { status: "streaming", content: "" }),
    ];
    expect(Object.fromEntries(contextMarks(branch))).toEqual({ q1: "out", a1: "out" });
  });

  it("does not mark failed or empty answers, which are never sent", () => {
    const branch = [
      message("q1", "user"),
      message("a1", "assistant", { status: "failed", content: "half" }),
      message("q2", "user"),
      message("a2", "assistant", { included_ids: ["q1"] }),
    ];
    expect(Object.fromEntries(contextMarks(branch))).toEqual({ q1: "in" });
  });

  it("marks nothing when no answer recorded its prompt", () => {
    expect(contextMarks([message("q1", "user"), message("a1", "assistant")]).size).toBe(0);
  });
});

describe("siblings", () => {
  it("tells the position among siblings and the neighbours", () => {
    const middle = message("b", "assistant", { sibling_ids: ["a", "b", "c"] });
    expect(siblingPosition(middle)).toEqual({ position: 2, count: 3, previous: "a", next: "c" });
    expect(siblingPosition(message("x", "user"))).toEqual({ position: 1, count: 1, previous: null, next: null });
  });

  it("branches off: the new message joins the replaced one's siblings and the rest goes", () => {
    const branch = [
      message("q1", "user", { sibling_ids: ["q1"] }),
      message("a1", "assistant", { sibling_ids: ["a0", "a1"] }),
      message("q2", "user"),
      message("a2", "assistant"),
    ];
    const regenerated = branchOff(branch, branch[1]!, [message("a3", "assistant")]);
    expect(regenerated.map((m) => m.id)).toEqual(["q1", "a3"]);
    expect(regenerated[1]!.sibling_ids).toEqual(["a0", "a1", "a3"]);

    const edited = branchOff(branch, branch[0]!, [message("q9", "user"), message("a9", "assistant")]);
    expect(edited.map((m) => m.id)).toEqual(["q9", "a9"]);
    expect(edited.map((m) => m.sibling_ids)).toEqual([["q1", "q9"], ["a9"]]);
  });
});

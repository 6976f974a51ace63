/** Tests of the conversation reducer: every action, and the races it settles. */
import { describe, expect, it } from "vitest";

import {
  type ConversationAction,
  type ConversationState,
  chatStatus,
  conversationReducer,
  initialState,
} from "./conversation";
import { NOTHING_SAID, type Said } from "./said";
import { branch, conversation, message } from "./testing";
import type { Message } from "./types";

const said = (text: string): Said => ({ ...NOTHING_SAID, text });

const question = (id: string, fields: Partial<Message> = {}) => message({ id, role: "user", content: `question ${id}`, ...fields });
const answer = (id: string, fields: Partial<Message> = {}) => message({ id, role: "assistant", content: `answer ${id}`, ...fields });

function run(state: ConversationState, ...actions: ConversationAction[]): ConversationState {
  return actions.reduce(conversationReducer, state);
}

/** c1 open and loaded with one finished exchange. */
function loaded(messages: Message[] = [question("q1"), answer("a1")]): ConversationState {
  return run(initialState("c1"), { type: "loaded", conversationId: "c1", conversation: conversation(), branch: branch(messages) });
}

/** c1 with an answer running: a2, after q2. */
function running(text = ""): ConversationState {
  const state = loaded([question("q1"), answer("a1"), question("q2"), answer("a2", { status: "streaming", content: "" })]);
  return text ? run(state, { type: "streamed", answerId: "a2", said: said(text) }) : state;
}

describe("opening and loading", () => {
  it("waits for the first load of a conversation; a new chat has nothing to wait for", () => {
    expect(initialState("c1")).toMatchObject({ openId: "c1", loading: true, messages: [], running: null });
    expect(initialState(null).loading).toBe(false);
    expect(chatStatus(initialState("c1"))).toBe("ready");
  });

  it("shows the loaded branch and follows the answer still running in it", () => {
    const state = running();
    expect(state.loading).toBe(false);
    expect(state.conversation?.id).toBe("c1");
    expect(state.messages.map((m) => m.id)).toEqual(["q1", "a1", "q2", "a2"]);
    expect(state.running).toEqual({ id: "a2", conversationId: "c1", said: NOTHING_SAID, streaming: false, reconnecting: false });
    expect(chatStatus(state)).toBe("submitted");
  });

  it("ignores a load for a conversation that is no longer open", () => {
    const state = run(
      loaded(),
      { type: "opened", conversationId: "c2" },
      { type: "loaded", conversationId: "c1", conversation: conversation(), branch: branch([question("late")]) },
      { type: "loadFailed", conversationId: "c1", notice: "late failure" },
    );
    expect(state).toMatchObject({ openId: "c2", messages: [], loading: true, notice: null, conversation: null });
  });

  it("keeps the text of the answer it already follows when a load finds it still running", () => {
    const state = run(running("Hel"), { type: "loaded", conversationId: "c1", conversation: conversation(), branch: branch(running().messages) });
    expect(state.running?.said.text).toBe("Hel");
  });

  it("stops following an answer that a load finds finished", () => {
    const done = [question("q1"), answer("a1"), question("q2"), answer("a2", { content: "all" })];
    const state = run(running("Hel"), { type: "loaded", conversationId: "c1", conversation: conversation(), branch: branch(done) });
    expect(state.running).toBeNull();
    expect(state.messages.at(-1)?.content).toBe("all");
  });

  it("says why a load failed, and stops waiting", () => {
    const state = run(initialState("c1"), { type: "loadFailed", conversationId: "c1", notice: "Conversation not found" });
    expect(state).toMatchObject({ loading: false, notice: "Conversation not found" });
    expect(chatStatus(state)).toBe("error");
  });

  it("drops another conversation's messages, answer and settings when one opens", () => {
    const state = run({ ...running("Hel"), notice: "old news" }, { type: "opened", conversationId: "c2" });
    expect(state).toMatchObject({ openId: "c2", messages: [], running: null, conversation: null, loading: true, notice: null });
  });

  it("keeps what a chat just created here shows when it gets its id", () => {
    const pair = { user_message: question("q1"), assistant_message: answer("a1", { status: "queued", content: "" }) };
    const state = run(
      initialState(null),
      { type: "submitted" },
      { type: "created", from: null, conversation: conversation() },
      { type: "sent", from: null, result: pair },
      { type: "opened", conversationId: "c1" },
    );
    expect(state.messages.map((m) => m.id)).toEqual(["q1", "a1"]);
    expect(state.running?.id).toBe("a1");
    expect(state.conversation?.id).toBe("c1");
    expect(state.loading).toBe(true);
  });
});

describe("the running answer", () => {
  it("streams its text, and a reset starts it again", () => {
    const state = running("Hello");
    expect(state.running).toMatchObject({ said: said("Hello"), streaming: true });
    expect(chatStatus(state)).toBe("streaming");
    expect(run(state, { type: "streamed", answerId: "a2", said: NOTHING_SAID }).running).toMatchObject({ said: NOTHING_SAID, streaming: true });
  });

  it("says when it reconnects", () => {
    const state = run(running("Hel"), { type: "reconnecting", answerId: "a2", reconnecting: true });
    expect(state.running?.reconnecting).toBe(true);
    expect(run(state, { type: "reconnecting", answerId: "a2", reconnecting: false }).running?.reconnecting).toBe(false);
  });

  it("ignores what arrives for an answer it no longer follows", () => {
    const state = running("Hel");
    expect(run(state, { type: "streamed", answerId: "old", said: said("x") }, { type: "reconnecting", answerId: "old", reconnecting: true })).toEqual(state);
  });

  it("ends with the final message, keeping its place among its siblings", () => {
    const state = run(
      loaded([question("q1"), answer("a2", { status: "streaming", content: "", sibling_ids: ["a1", "a2"] })]),
      { type: "streamed", answerId: "a2", said: said("Hello") },
      { type: "streamEnded", answerId: "a2", message: answer("a2", { content: "Hello" }) },
    );
    expect(state.running).toBeNull();
    expect(state.messages.at(-1)).toMatchObject({ content: "Hello", status: "complete", sibling_ids: ["a1", "a2"] });
    expect(chatStatus(state)).toBe("ready");
  });

  it("ends a failed answer as ready: the message shows why", () => {
    const failed = answer("a2", { status: "failed", content: "part", error: "The model failed." });
    const state = run(running("part"), { type: "streamEnded", answerId: "a2", message: failed });
    expect(state.messages.at(-1)).toMatchObject({ status: "failed", error: "The model failed." });
    expect(chatStatus(state)).toBe("ready");
  });

  it("never revives an ended answer from a load read before its end", () => {
    const stale = running().messages;
    const ended = run(running("Hello"), { type: "streamEnded", answerId: "a2", message: answer("a2", { content: "Hello" }) });
    const state = run(ended, { type: "loaded", conversationId: "c1", conversation: conversation(), branch: branch(stale) });
    expect(state.running).toBeNull();
    expect(state.messages.at(-1)).toMatchObject({ content: "Hello", status: "complete" });
  });

  it("does not follow again an answer whose end came without its message", () => {
    const ended = run(running("Hel"), { type: "streamEnded", answerId: "a2", message: null });
    expect(ended.running).toBeNull();
    const state = run(ended, { type: "loaded", conversationId: "c1", conversation: conversation(), branch: branch(running().messages) });
    expect(state.running).toBeNull();
  });
});

describe("sending, editing and regenerating", () => {
  const pair = { user_message: question("q2"), assistant_message: answer("a2", { status: "queued", content: "" }) };

  it("says a question is on its way, and clears the last notice", () => {
    const state = run({ ...loaded(), notice: "old" }, { type: "submitted" });
    expect(state).toMatchObject({ submitting: true, notice: null });
    expect(chatStatus(state)).toBe("submitted");
  });

  it("adds a sent question and its answer after the branch, and follows the answer", () => {
    const state = run(loaded(), { type: "submitted" }, { type: "sent", from: "c1", result: pair });
    expect(state.messages.map((m) => m.id)).toEqual(["q1", "a1", "q2", "a2"]);
    expect(state).toMatchObject({ submitting: false, running: { id: "a2", said: NOTHING_SAID } });
  });

  it("drops a result for a conversation the reader left, and stops waiting", () => {
    const state = run(loaded(), { type: "submitted" }, { type: "opened", conversationId: "c2" }, { type: "sent", from: "c1", result: pair });
    expect(state).toMatchObject({ openId: "c2", messages: [], running: null, submitting: false });
  });

  it("keeps a new chat for its first question only while the reader is still there", () => {
    const moved = run(initialState(null), { type: "opened", conversationId: "c9" }, { type: "created", from: null, conversation: conversation() });
    expect(moved.conversation).toBeNull();
  });

  it("opens a new chat whose first question was refused with the refusal still shown", () => {
    const refused = run(
      initialState(null),
      { type: "submitted" },
      { type: "created", from: null, conversation: conversation() },
      { type: "submitFailed", from: null, notice: "You have used your 1,000 tokens for today; more from midnight UTC." },
    );
    expect(run(refused, { type: "opened", conversationId: "c1" }).notice).toBe("You have used your 1,000 tokens for today; more from midnight UTC.");
    expect(run(refused, { type: "opened", conversationId: "c2" }).notice).toBeNull();
  });

  it("regenerates an answer as its new sibling, in its place", () => {
    const regenerated = { user_message: question("q1"), assistant_message: answer("a3", { status: "queued", content: "" }) };
    const before = loaded([question("q1"), answer("a1", { sibling_ids: ["a1"] }), question("q2"), answer("a2")]);
    const state = run(before, { type: "submitted" }, { type: "branched", from: "c1", replaced: before.messages[1]!, result: regenerated });
    expect(state.messages.map((m) => m.id)).toEqual(["q1", "a3"]);
    expect(state.messages[1]!.sibling_ids).toEqual(["a1", "a3"]);
    expect(state.running?.id).toBe("a3");
  });

  it("replaces an edited question and what followed with the new question and its answer", () => {
    const edited = { user_message: question("q9"), assistant_message: answer("a9", { status: "queued", content: "" }) };
    const before = loaded();
    const state = run(before, { type: "submitted" }, { type: "branched", from: "c1", replaced: before.messages[0]!, result: edited });
    expect(state.messages.map((m) => m.id)).toEqual(["q9", "a9"]);
    expect(state.messages[0]!.sibling_ids).toEqual(["q1", "q9"]);
    expect(state.running?.id).toBe("a9");
  });

  it("says why a question was not sent, only where it was asked", () => {
    const state = run(loaded(), { type: "submitted" }, { type: "submitFailed", from: "c1", notice: "An answer is already running." });
    expect(state).toMatchObject({ submitting: false, notice: "An answer is already running." });
    expect(chatStatus(state)).toBe("error");
    const elsewhere = run(loaded(), { type: "submitted" }, { type: "submitFailed", from: "c2", notice: "not here" });
    expect(elsewhere).toMatchObject({ submitting: false, notice: null });
  });
});

describe("branches, pins, settings and notices", () => {
  it("shows the branch switched to, only in its conversation", () => {
    const other = branch([question("q1"), answer("a0")]);
    expect(run(loaded(), { type: "switched", conversationId: "c1", branch: other }).messages.map((m) => m.id)).toEqual(["q1", "a0"]);
    expect(run(loaded(), { type: "switched", conversationId: "c2", branch: other }).messages.map((m) => m.id)).toEqual(["q1", "a1"]);
  });

  it("pins a message", () => {
    const state = run(loaded(), { type: "pinned", message: question("q1", { pinned: true }) });
    expect(state.messages.map((m) => m.pinned)).toEqual([true, false]);
  });

  it("keeps the saved settings of the open conversation only", () => {
    const saved = conversation({ system_prompt: "Be brief." });
    expect(run(loaded(), { type: "settingsSaved", conversation: saved }).conversation?.system_prompt).toBe("Be brief.");
    expect(run(loaded(), { type: "settingsSaved", conversation: conversation({ id: "c2" }) }).conversation?.id).toBe("c1");
  });

  it("shows and clears a notice", () => {
    const state = run(loaded(), { type: "noticed", notice: "Could not pin." });
    expect(chatStatus(state)).toBe("error");
    expect(chatStatus(run(state, { type: "noticed", notice: null }))).toBe("ready");
  });
});

describe("a long branch, a page at a time", () => {
  const q3 = question("q3", { parent_id: "a2" });
  const newest = [q3, answer("a3", { parent_id: "q3" })];
  const older = [question("q2", { parent_id: "a1" }), answer("a2", { parent_id: "q2" })];

  it("puts an older page before the messages on screen when it ends just above them", () => {
    const first = run(initialState("c1"), { type: "loaded", conversationId: "c1", conversation: conversation(), branch: branch(newest, "c1", true) });
    expect(first.hasOlder).toBe(true);
    const state = run(first, { type: "olderRequested" }, { type: "olderLoaded", conversationId: "c1", branch: branch(older, "c1", false) });
    expect(state.messages.map((m) => m.id)).toEqual(["q2", "a2", "q3", "a3"]);
    expect(state).toMatchObject({ hasOlder: false, loadingOlder: false });
  });

  it("drops an older page that no longer fits what is on screen (another branch was read meanwhile)", () => {
    const first = run(initialState("c1"), { type: "loaded", conversationId: "c1", conversation: conversation(), branch: branch(newest, "c1", true) });
    const elsewhere = [question("q8", { parent_id: "a7" }), answer("a8", { parent_id: "q8" })];
    const state = run(first, { type: "olderRequested" }, { type: "olderLoaded", conversationId: "c1", branch: branch(elsewhere, "c1", true) });
    expect(state.messages.map((m) => m.id)).toEqual(["q3", "a3"]);
    expect(state.loadingOlder).toBe(false);
  });

  it("adds an answer that ends on screen to the conversation's totals, once", () => {
    const final = answer("a2", { prompt_tokens: 7, completion_tokens: 3, cost_usd: 0.5 });
    const ended = run(running(), { type: "streamEnded", answerId: "a2", message: final }, { type: "streamEnded", answerId: "a2", message: final });
    expect(ended.totals).toEqual({ prompt_tokens: 7, completion_tokens: 3, cost_usd: 0.5, cost_complete: true });
  });
});

describe("announcing an answer's end", () => {
  it("names the answer seen running here once it ends, not before", () => {
    expect(running("Hel").announced).toBeNull();
    const ended = run(running("Hel"), { type: "streamEnded", answerId: "a2", message: answer("a2", { content: "Hello" }) });
    expect(ended.announced).toBe("a2");
  });

  it("announces nothing for an answer that ended out of sight or in another conversation", () => {
    expect(run(loaded(), { type: "streamEnded", answerId: "other", message: null }).announced).toBeNull();
    const ended = run(running("Hel"), { type: "streamEnded", answerId: "a2", message: null });
    expect(run(ended, { type: "opened", conversationId: "c2" }).announced).toBeNull();
  });
});

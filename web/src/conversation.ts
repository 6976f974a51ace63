/** The open conversation as a pure reducer: its messages, the one answer running in it, and the chat's status. */
import { branchOff } from "./branch";
import { NOTHING_SAID, type Said } from "./said";
import { ACTIVE, type Branch, type Conversation, type ConversationTotals, type Message, type SubmitResult } from "./types";
import { addAnswer } from "./usage";

/** `submitted`: a question is on its way, or its answer waits in the queue; `error`: the banner
 * says what went wrong last. A failed answer is not an error of the chat: it ends, and shows why. */
type ChatStatus = "submitted" | "streaming" | "ready" | "error";

/** The answer being written in the open conversation, as its stream tells it. */
interface RunningAnswer {
  id: string;
  conversationId: string;
  /** What it said so far: the stream replays from the start, so it is exact after a reload too. */
  said: Said;
  /** Something (or a reset) has arrived; until then the answer waits in the queue. */
  streaming: boolean;
  reconnecting: boolean;
}

export interface ConversationState {
  /** The conversation on screen; null for a new chat. What arrives for another one is dropped. */
  openId: string | null;
  conversation: Conversation | null;
  /** The selected branch's newest messages (its pages loaded so far), root first. */
  messages: Message[];
  /** Older messages of the branch are not loaded yet. */
  hasOlder: boolean;
  /** A page of older messages is on its way. */
  loadingOlder: boolean;
  /** The conversation's tokens and cost, in all its branches (null until loaded). */
  totals: ConversationTotals | null;
  /** Until the first load a running answer may be unknown, and sending could only meet a 409. */
  loading: boolean;
  /** A send, edit or regenerate is waiting for the server. */
  submitting: boolean;
  running: RunningAnswer | null;
  /** Answers whose end this tab has seen, with their final message when it came with the end: a
   * load read before that end must not bring them back to life as running. */
  ended: ReadonlyMap<string, Message | null>;
  /** What went wrong last, for the banner. */
  notice: string | null;
  /** The answer the reader saw running here and end: its end is announced to screen readers. */
  announced: string | null;
}

export type ConversationAction =
  /** The reader opened a conversation (null: a new chat). */
  | { type: "opened"; conversationId: string | null }
  | { type: "loaded"; conversationId: string; conversation: Conversation; branch: Branch }
  | { type: "loadFailed"; conversationId: string; notice: string }
  /** The reader scrolled to the oldest message loaded: a page of older ones was asked for. */
  | { type: "olderRequested" }
  /** Older messages, to go before those on screen (`branch` ends just above them). */
  | { type: "olderLoaded"; conversationId: string; branch: Branch }
  | { type: "olderFailed"; notice: string }
  /** A send, edit or regenerate left for the server. */
  | { type: "submitted" }
  /** A new chat was created for its first question; `from` is the screen the question was asked on. */
  | { type: "created"; from: string | null; conversation: Conversation }
  /** A question and its answer were added after the branch on screen. */
  | { type: "sent"; from: string | null; result: SubmitResult }
  /** An edited question or a regenerated answer replaced `replaced` and everything after it. */
  | { type: "branched"; from: string; replaced: Message; result: SubmitResult }
  | { type: "submitFailed"; from: string | null; notice: string }
  /** The reader chose another branch (‹ 2/3 ›). */
  | { type: "switched"; conversationId: string; branch: Branch }
  | { type: "pinned"; message: Message }
  | { type: "settingsSaved"; conversation: Conversation }
  /** What the running answer said so far. */
  | { type: "streamed"; answerId: string; said: Said }
  | { type: "reconnecting"; answerId: string; reconnecting: boolean }
  /** An answer ended: its final message, or null when it has to be read back. */
  | { type: "streamEnded"; answerId: string; message: Message | null }
  | { type: "noticed"; notice: string | null };

export function initialState(conversationId: string | null): ConversationState {
  return {
    openId: conversationId,
    conversation: null,
    messages: [],
    hasOlder: false,
    loadingOlder: false,
    totals: null,
    loading: conversationId !== null,
    submitting: false,
    running: null,
    ended: new Map(),
    notice: null,
    announced: null,
  };
}

export function chatStatus(state: ConversationState): ChatStatus {
  if (state.submitting) return "submitted";
  if (state.running) return state.running.streaming ? "streaming" : "submitted";
  return state.notice ? "error" : "ready";
}

function running(answer: Message): RunningAnswer {
  return { id: answer.id, conversationId: answer.conversation_id, said: NOTHING_SAID, streaming: false, reconnecting: false };
}

/** A branch's newest page read from the server, on screen: answers this tab saw end show their
 * end, and the answer still running (if any) is followed. */
function showBranch(state: ConversationState, branch: Branch): ConversationState {
  const messages = branch.messages.map((m) => {
    const final = state.ended.get(m.id);
    return final && ACTIVE.includes(m.status) ? { ...final, sibling_ids: m.sibling_ids } : m;
  });
  const active = messages.find((m) => m.role === "assistant" && ACTIVE.includes(m.status) && !state.ended.has(m.id));
  const kept = active && state.running?.id === active.id ? state.running : null;
  return {
    ...state,
    messages,
    hasOlder: branch.has_older,
    loadingOlder: false,
    totals: branch.totals,
    running: kept ?? (active ? running(active) : null),
  };
}

export function conversationReducer(state: ConversationState, action: ConversationAction): ConversationState {
  switch (action.type) {
    case "opened": {
      const id = action.conversationId;
      // Another conversation's messages, answer and settings go at once; a chat just created
      // here keeps what it already shows, and why its first question was refused (a limit).
      const foreign = state.messages.some((m) => m.conversation_id !== id);
      const created = id !== null && state.conversation?.id === id;
      return {
        ...state,
        openId: id,
        conversation: state.conversation?.id === id ? state.conversation : null,
        messages: foreign ? [] : state.messages,
        hasOlder: foreign ? false : state.hasOlder,
        totals: foreign ? null : state.totals,
        loadingOlder: false,
        running: state.running?.conversationId === id ? state.running : null,
        loading: id !== null,
        notice: created ? state.notice : null,
        announced: foreign ? null : state.announced,
      };
    }
    case "loaded":
      if (action.conversationId !== state.openId) return state;
      return { ...showBranch(state, action.branch), conversation: action.conversation, loading: false };
    case "loadFailed":
      if (action.conversationId !== state.openId) return state;
      return { ...state, notice: action.notice, loading: false };
    case "olderRequested":
      return { ...state, loadingOlder: true };
    case "olderLoaded": {
      if (action.conversationId !== state.openId) return state;
      // Only a page that ends just above the first message on screen: a branch read meanwhile
      // (another branch, or new messages) may have moved it.
      const older = action.branch.messages;
      if (older.at(-1)?.id !== state.messages[0]?.parent_id) return { ...state, loadingOlder: false };
      return { ...state, messages: [...older, ...state.messages], hasOlder: action.branch.has_older, loadingOlder: false };
    }
    case "olderFailed":
      return { ...state, loadingOlder: false, notice: action.notice };
    case "submitted":
      return { ...state, submitting: true, notice: null };
    case "created":
      if (action.from !== state.openId) return state;
      return { ...state, conversation: action.conversation };
    case "sent": {
      // The reader moved on: the answer runs anyway, and shows when its conversation opens.
      if (action.from !== state.openId) return { ...state, submitting: false };
      const { user_message, assistant_message } = action.result;
      return {
        ...state,
        submitting: false,
        messages: [...state.messages, user_message, assistant_message],
        running: running(assistant_message),
      };
    }
    case "branched": {
      if (action.from !== state.openId) return { ...state, submitting: false };
      const { replaced, result } = action;
      const added = replaced.role === "user" ? [result.user_message, result.assistant_message] : [result.assistant_message];
      return {
        ...state,
        submitting: false,
        messages: branchOff(state.messages, replaced, added),
        running: running(result.assistant_message),
      };
    }
    case "submitFailed":
      return { ...state, submitting: false, notice: action.from === state.openId ? action.notice : state.notice };
    case "switched":
      if (action.conversationId !== state.openId) return state;
      return showBranch(state, action.branch);
    case "pinned": {
      const { id, pinned } = action.message;
      return { ...state, messages: state.messages.map((m) => (m.id === id ? { ...m, pinned } : m)) };
    }
    case "settingsSaved":
      if (action.conversation.id !== state.conversation?.id) return state;
      return { ...state, conversation: action.conversation };
    case "streamed":
      if (action.answerId !== state.running?.id) return state;
      return { ...state, running: { ...state.running, said: action.said, streaming: true } };
    case "reconnecting":
      if (action.answerId !== state.running?.id) return state;
      return { ...state, running: { ...state.running, reconnecting: action.reconnecting } };
    case "streamEnded": {
      const { answerId, message: final } = action;
      // Its usage was not in the totals read while it ran.
      const wasRunning = state.messages.some((m) => m.id === answerId && ACTIVE.includes(m.status));
      const totals = final && wasRunning && state.totals ? addAnswer(state.totals, final) : state.totals;
      const messages = final
        ? state.messages.map((m) => (m.id === final.id ? { ...final, sibling_ids: m.sibling_ids } : m))
        : state.messages;
      return {
        ...state,
        ended: new Map(state.ended).set(answerId, final),
        messages,
        totals,
        running: state.running?.id === answerId ? null : state.running,
        announced: state.running?.id === answerId ? answerId : state.announced,
      };
    }
    case "noticed":
      return { ...state, notice: action.notice };
  }
}

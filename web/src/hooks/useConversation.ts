/** The open conversation for the chat screen: loads it, follows its running answer, and does what the reader asks. */
import { useEffect, useEffectEvent, useReducer, useRef, useState } from "react";

import { ApiError, api, readable, type StreamingSubmit, withRetries } from "../api";
import { chatStatus, conversationReducer, initialState } from "../conversation";
import { handOver } from "../handoff";
import type { ConversationSettings, Message } from "../types";
import { useEventStream } from "./useEventStream";
import { useTabSync } from "./useTabSync";

interface Options {
  /** Opens another conversation (null: a new chat), as the sidebar does. */
  navigate: (conversationId: string | null) => void;
  /** Something the sidebar lists changed (a new chat, an answer ended): read the list again. */
  onConversationsChanged: () => void;
}

/** What the reader can ask for: each one is sent by the same path, with a client_id and retries. */
type Submission =
  | { kind: "send"; text: string; attachments: string[] }
  | { kind: "edit"; question: Message; text: string }
  | { kind: "regenerate"; answer: Message };

const NEW_CHAT: ConversationSettings = { system_prompt: "", model: null, max_tokens: null, tools: null };

/** Each sends the request and resolves with what the server stored and the answer's stream. */
function request(submission: Submission, conversationId: string, parentId: string | undefined, clientId: string): Promise<StreamingSubmit> {
  switch (submission.kind) {
    case "send":
      return api.submit(conversationId, submission.text, clientId, parentId, submission.attachments);
    case "edit":
      return api.edit(submission.question.id, submission.text, clientId);
    case "regenerate":
      return api.regenerate(submission.answer.id, clientId);
  }
}

/**
 * The conversation `conversationId` (null: a new chat, created by its first question). It
 * attaches to any answer the server says is queued or streaming, so a reload, a shared link or
 * a second tab picks the answer up; it tells the other tabs when something changed here.
 */
export function useConversation(conversationId: string | null, { navigate, onConversationsChanged }: Options) {
  const [state, dispatch] = useReducer(conversationReducer, conversationId, initialState);
  // A new chat's settings, until its first question creates it with them.
  const [draft, setDraft] = useState(NEW_CHAT);
  // The conversation open now, for requests that finish after the reader may have moved on.
  const open = useRef(conversationId);

  const load = async (id: string) => {
    try {
      const [conversation, branch] = await Promise.all([api.getConversation(id), api.getBranch(id)]);
      dispatch({ type: "loaded", conversationId: id, conversation, branch });
    } catch (error) {
      if (open.current !== id) return;
      if (error instanceof ApiError && error.status === 404) navigate(null);
      dispatch({ type: "loadFailed", conversationId: id, notice: readable(error) });
    }
  };

  const opened = useEffectEvent((id: string | null) => {
    open.current = id;
    dispatch({ type: "opened", conversationId: id });
    if (id) void load(id);
  });
  useEffect(() => opened(conversationId), [conversationId]);

  const broadcast = useTabSync(({ conversationId: changed }) => {
    onConversationsChanged();
    if (changed === conversationId && !state.submitting) void load(changed);
  });

  // Back to a tab after a while: other devices may have moved on.
  const onVisible = useEffectEvent(() => {
    if (conversationId && !state.running && !state.submitting) void load(conversationId);
  });
  useEffect(() => {
    const onVisibility = () => {
      if (document.visibilityState === "visible") onVisible();
    };
    document.addEventListener("visibilitychange", onVisibility);
    return () => document.removeEventListener("visibilitychange", onVisibility);
  }, []);

  useEventStream(state.running?.id ?? null, {
    onSaid: (said, answerId) => dispatch({ type: "streamed", answerId, said }),
    onReconnecting: (reconnecting, answerId) => dispatch({ type: "reconnecting", answerId, reconnecting }),
    onEnd: (message, answerId) => {
      dispatch({ type: "streamEnded", answerId, message });
      if (!message && conversationId) void load(conversationId);
      onConversationsChanged();
      if (conversationId) broadcast({ conversationId });
    },
  });

  /** Sends a question, an edit or a regeneration; resolves false when it was not sent. */
  const submit = async (submission: Submission): Promise<boolean> => {
    const from = conversationId;
    if (submission.kind !== "send" && !from) return false;
    dispatch({ type: "submitted" });
    let target = from;
    try {
      if (!target) {
        // No title: the server names it from this question, then the model names it properly.
        const created = await api.createConversation({ ...draft });
        dispatch({ type: "created", from, conversation: created });
        target = created.id;
      }
      const into = target;
      // After the branch on screen, even if another tab has switched to another one meanwhile.
      const parentId = into === from ? state.messages.at(-1)?.id : undefined;
      const { result, stream } = await withRetries((clientId) => request(submission, into, parentId, clientId));
      // The answer's stream goes to the hook that follows it, if the reader is still here to see it.
      if (open.current === from) handOver(result.assistant_message.id, stream);
      else stream.cancel();
      if (submission.kind === "send") dispatch({ type: "sent", from, result });
      else {
        const replaced = submission.kind === "edit" ? submission.question : submission.answer;
        dispatch({ type: "branched", from: into, replaced, result });
      }
      if (into !== from && open.current === from) navigate(into);
      broadcast({ conversationId: into });
      onConversationsChanged();
      return true;
    } catch (error) {
      dispatch({ type: "submitFailed", from, notice: readable(error) });
      // Another tab's answer is running here: show it.
      if (error instanceof ApiError && error.status === 409 && from) void load(from);
      // Created but not sent: open it, so that sending again does not create another.
      if (target && target !== from) {
        navigate(target);
        onConversationsChanged();
      }
      return false;
    }
  };

  /** Reads the page of the branch before the oldest message on screen. */
  const loadOlder = async () => {
    const first = state.messages[0];
    if (!conversationId || !first || !state.hasOlder || state.loadingOlder) return;
    dispatch({ type: "olderRequested" });
    try {
      dispatch({ type: "olderLoaded", conversationId, branch: await api.getBranch(conversationId, first.id) });
    } catch (error) {
      dispatch({ type: "olderFailed", notice: readable(error) });
    }
  };

  /** Shows the branch through `messageId`, here, after a reload and in the other tabs. */
  const switchTo = async (messageId: string) => {
    if (!conversationId) return;
    try {
      const branch = await api.selectBranch(conversationId, messageId);
      dispatch({ type: "switched", conversationId, branch });
      broadcast({ conversationId });
    } catch (error) {
      dispatch({ type: "noticed", notice: readable(error) });
    }
  };

  const togglePin = async (message: Message) => {
    try {
      dispatch({ type: "pinned", message: await api.pin(message.id, !message.pinned) });
      if (conversationId) broadcast({ conversationId });
    } catch (error) {
      dispatch({ type: "noticed", notice: readable(error) });
    }
  };

  /** Every tab sees the `stopped` event: nothing else to do here. */
  const stop = () => {
    if (state.running) api.stop(state.running.id).catch((error: unknown) => dispatch({ type: "noticed", notice: readable(error) }));
  };

  /** A new chat keeps its settings until its first question creates it; rejects with the server's sentence. */
  const saveSettings = async (fields: ConversationSettings) => {
    if (!state.conversation) {
      setDraft(fields);
      return;
    }
    dispatch({ type: "settingsSaved", conversation: await api.updateConversation(state.conversation.id, fields) });
    onConversationsChanged();
  };

  const settings: ConversationSettings = state.conversation ?? draft;
  return {
    conversation: state.conversation,
    /** The open conversation's settings, or the new chat's. */
    settings,
    messages: state.messages,
    /** Older messages of the branch can be loaded (`loadOlder`). */
    hasOlder: state.hasOlder,
    totals: state.totals,
    running: state.running,
    /** The answer seen running here that ended: its end is announced (AnswerAnnouncer). */
    announced: state.announced,
    status: chatStatus(state),
    /** An answer is being asked for or written: no new one can start, and switching waits. */
    busy: state.submitting || state.running !== null,
    loading: state.loading,
    notice: state.notice,
    notify: (notice: string | null) => dispatch({ type: "noticed", notice }),
    /** `attachments`: the ids of the ready files the question brings. */
    send: (text: string, attachments: string[] = []) => submit({ kind: "send", text, attachments }),
    edit: (question: Message, text: string) => submit({ kind: "edit", question, text }),
    regenerate: (answer: Message) => void submit({ kind: "regenerate", answer }),
    switchTo: (messageId: string) => void switchTo(messageId),
    loadOlder: () => void loadOlder(),
    togglePin: (message: Message) => void togglePin(message),
    stop,
    saveSettings,
  };
}

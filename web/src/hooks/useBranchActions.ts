import { type Dispatch, type SetStateAction, useCallback } from "react";

import { ApiError, api, readable, withRetries } from "../api";
import { branchOff } from "../branch";
import type { Message, SubmitResult } from "../types";

interface Deps {
  conversationId: string | null;
  /** Whether `id` is still the open conversation: results for one left behind are dropped. */
  isOpen: (id: string) => boolean;
  setMessages: Dispatch<SetStateAction<Message[]>>;
  setActiveId: (id: string) => void;
  setSubmitting: (submitting: boolean) => void;
  setNotice: (notice: string | null) => void;
  broadcast: (change: { conversationId: string }) => void;
  onConversationsChanged: () => void;
  load: (conversationId: string) => Promise<void>;
}

/** What a user does to the branch on screen: regenerate an answer, edit a question (each a new
 * branch, never an overwrite), switch between siblings, pin a message. The container keeps the state. */
export function useBranchActions(deps: Deps) {
  const { conversationId, isOpen, setMessages, setActiveId, setSubmitting, setNotice, broadcast, onConversationsChanged, load } =
    deps;

  const branchAt = useCallback(
    async (replaced: Message, request: (clientId: string) => Promise<SubmitResult>): Promise<boolean> => {
      if (!conversationId) return false;
      setSubmitting(true);
      setNotice(null);
      try {
        const pair = await withRetries(request);
        if (!isOpen(conversationId)) return true; // the reader moved on; the answer runs anyway
        const added = replaced.role === "user" ? [pair.user_message, pair.assistant_message] : [pair.assistant_message];
        setMessages((current) => branchOff(current, replaced, added));
        setActiveId(pair.assistant_message.id);
        broadcast({ conversationId });
        onConversationsChanged();
        return true;
      } catch (error) {
        setNotice(readable(error));
        if (error instanceof ApiError && error.status === 409) void load(conversationId);
        return false;
      } finally {
        setSubmitting(false);
      }
    },
    [conversationId, isOpen, setMessages, setActiveId, setSubmitting, setNotice, broadcast, onConversationsChanged, load],
  );

  const regenerate = useCallback(
    (answer: Message) => void branchAt(answer, (clientId) => api.regenerate(answer.id, clientId)),
    [branchAt],
  );

  const edit = useCallback(
    (question: Message, text: string) => branchAt(question, (clientId) => api.edit(question.id, text, clientId)),
    [branchAt],
  );

  /** Shows the branch through `messageId`, for this tab, a reload and the other tabs. */
  const switchTo = useCallback(
    async (messageId: string) => {
      if (!conversationId) return;
      try {
        const branch = await api.selectBranch(conversationId, messageId);
        if (!isOpen(conversationId)) return;
        setMessages(branch.messages);
        broadcast({ conversationId });
      } catch (error) {
        setNotice(readable(error));
      }
    },
    [conversationId, isOpen, setMessages, broadcast, setNotice],
  );

  const togglePin = useCallback(
    async (message: Message) => {
      try {
        const updated = await api.pin(message.id, !message.pinned);
        setMessages((current) => current.map((m) => (m.id === updated.id ? { ...m, pinned: updated.pinned } : m)));
        if (conversationId) broadcast({ conversationId });
      } catch (error) {
        setNotice(readable(error));
      }
    },
    [conversationId, setMessages, broadcast, setNotice],
  );

  return { regenerate, edit, switchTo: (id: string) => void switchTo(id), togglePin: (m: Message) => void togglePin(m) };
}

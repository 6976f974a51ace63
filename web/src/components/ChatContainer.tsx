import { useCallback, useEffect, useMemo, useRef, useState } from "react";

import { ApiError, api, readable, withRetries } from "../api";
import { contextMarks } from "../branch";
import { useBranchActions } from "../hooks/useBranchActions";
import { useAutoScroll } from "../hooks/useAutoScroll";
import { type StreamStatus, useEventStream } from "../hooks/useEventStream";
import { useTabSync } from "../hooks/useTabSync";
import type { Theme } from "../hooks/useTheme";
import type { Update } from "../hooks/useUpdates";
import { ACTIVE, type Conversation, type ConversationSettings, type Message, type ModelList } from "../types";
import { contextFill, conversationTotals } from "../usage";
import { Composer } from "./Composer";
import { Header } from "./Header";
import { MessageView } from "./MessageView";
import { SettingsPanel } from "./SettingsPanel";
import { UsageBar } from "./UsageBar";

export type ChatStatus = StreamStatus;

interface Props {
  conversationId: string | null;
  /** The sidebar's copy of the open conversation: renames made there show here at once. */
  listed: Conversation | undefined;
  models: ModelList | null;
  theme: Theme;
  onToggleTheme: () => void;
  onOpenSidebar: () => void;
  navigate: (conversationId: string | null) => void;
  onConversationsChanged: () => void;
  /** A message to scroll to and flash once it is shown (a search result); `nonce` repeats a request. */
  focus: { messageId: string; nonce: number } | null;
  /** The latest change the server announced (`GET /api/updates`). */
  update: Update | null;
}

const FLASH_MS = 2500;
const NAMING_TIMEOUT_MS = 60_000;

/** The open conversation: its messages, the one answer streaming in it, the composer and settings. */
export function ChatContainer(props: Props) {
  const { conversationId, models, navigate, onConversationsChanged } = props;
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [activeId, setActiveId] = useState<string | null>(null);
  // Until the first load, a running answer may be unknown: sending now could only meet a 409.
  const [loading, setLoading] = useState(conversationId !== null);
  const [submitting, setSubmitting] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [showSettings, setShowSettings] = useState(false);
  const [naming, setNaming] = useState(false);
  const [flashId, setFlashId] = useState<string | null>(null);
  const [draft, setDraft] = useState<ConversationSettings>({ system_prompt: "", model: null, max_tokens: null });
  const scroller = useRef<HTMLDivElement | null>(null);
  // The conversation open now: results of loads and sends that started in another are dropped.
  const openId = useRef(conversationId);
  openId.current = conversationId;
  // Answers whose end this tab has seen: a load that was read before that end must not bring
  // them back to life as "running".
  const ended = useRef(new Map<string, Message | null>());
  const composer = useRef<HTMLTextAreaElement | null>(null);
  // The branch on screen, for callbacks that must not be remade on every streamed delta.
  const shown = useRef(messages);
  shown.current = messages;

  const load = useCallback(
    async (id: string) => {
      try {
        const [loaded, branch] = await Promise.all([api.getConversation(id), api.getBranch(id)]);
        if (openId.current !== id) return;
        setConversation(loaded);
        const current = branch.messages.map((m) => {
          const seen = ended.current.get(m.id);
          return seen && ACTIVE.includes(m.status) ? { ...seen, sibling_ids: m.sibling_ids } : m;
        });
        setMessages(current);
        const running = current.find(
          (m) => m.role === "assistant" && ACTIVE.includes(m.status) && !ended.current.has(m.id),
        );
        setActiveId(running?.id ?? null);
        setLoading(false);
      } catch (error) {
        if (openId.current !== id) return;
        if (error instanceof ApiError && error.status === 404) navigate(null);
        setNotice(readable(error));
        setLoading(false);
      }
    },
    [navigate],
  );

  const broadcast = useTabSync(({ conversationId: changed }) => {
    onConversationsChanged();
    if (changed === conversationId && !submitting) void load(changed);
  });

  useEffect(() => {
    setNotice(null);
    setShowSettings(false);
    setLoading(conversationId !== null);
    // Another conversation's messages (and answer) must not show under this one while it loads;
    // a chat just created here keeps what it already shows.
    const foreign = (messages: Message[]) => messages.some((m) => m.conversation_id !== conversationId);
    setMessages((current) => (foreign(current) ? [] : current));
    setActiveId((current) => (current && !conversationId ? null : current));
    if (conversationId) void load(conversationId);
    else setConversation(null);
    composer.current?.focus();
  }, [conversationId, load]);

  const stream = useEventStream(activeId, (final, endedId) => {
    ended.current.set(endedId, final);
    if (final) {
      setMessages((current) => current.map((m) => (m.id === final.id ? { ...final, sibling_ids: m.sibling_ids } : m)));
    } else if (conversationId) void load(conversationId);
    setActiveId((current) => (current === endedId ? null : current));
    onConversationsChanged();
    if (conversationId) broadcast({ conversationId });
  });

  const send = useCallback(
    async (text: string): Promise<boolean> => {
      setSubmitting(true);
      setNotice(null);
      let target = conversationId;
      try {
        if (!target) {
          // No title: the server names it from this question, then the model names it properly.
          const created = await api.createConversation({ ...draft });
          target = created.id;
          setConversation(created);
        }
        // After the branch on screen, even if another tab has switched to another one meanwhile.
        const into = target;
        const parentId = into === conversationId ? shown.current.at(-1)?.id : undefined;
        const pair = await withRetries((clientId) => api.submit(into, text, clientId, parentId));
        if (openId.current !== conversationId) return true; // the reader moved on; the answer runs anyway
        setMessages((current) => [...current, pair.user_message, pair.assistant_message]);
        setActiveId(pair.assistant_message.id);
        if (target !== conversationId) navigate(target);
        broadcast({ conversationId: target });
        onConversationsChanged();
        return true;
      } catch (error) {
        setNotice(readable(error));
        if (error instanceof ApiError && error.status === 409 && target) void load(target);
        // Created but not sent: open it, so that sending again does not create another.
        if (target && target !== conversationId) {
          navigate(target);
          onConversationsChanged();
        }
        return false;
      } finally {
        setSubmitting(false);
      }
    },
    [conversationId, draft, navigate, broadcast, onConversationsChanged, load],
  );

  const isOpen = useCallback((id: string) => openId.current === id, []);
  const branches = useBranchActions({
    conversationId,
    isOpen,
    setMessages,
    setActiveId,
    setSubmitting,
    setNotice,
    broadcast,
    onConversationsChanged,
    load,
  });

  const stop = useCallback(() => {
    if (activeId) api.stop(activeId).catch((error: unknown) => setNotice(readable(error)));
  }, [activeId]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape" || !activeId || event.defaultPrevented) return;
      // Escape in another field (a rename, the settings) means "cancel" there, not "stop".
      const target = event.target as HTMLElement | null;
      const editing = target?.closest("input, textarea, select, [contenteditable]");
      if (editing && editing !== composer.current) return;
      stop();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [activeId, stop]);

  useEffect(() => {
    // Back to a tab after a while: other devices may have moved on.
    const onVisible = () => {
      if (document.visibilityState === "visible" && conversationId && !activeId && !submitting) void load(conversationId);
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => document.removeEventListener("visibilitychange", onVisible);
  }, [conversationId, activeId, submitting, load]);

  const { pinned, jumpToLatest } = useAutoScroll(scroller, [messages.length, stream.text], conversationId);
  const marks = useMemo(() => contextMarks(messages), [messages]);

  // After the auto-scroll above (effects run in order): the reader asked for this message.
  const focusId = props.focus?.messageId ?? null;
  const focusShown = focusId !== null && messages.some((m) => m.id === focusId);
  useEffect(() => {
    if (!focusShown) return;
    scroller.current?.querySelector(`[data-id="${focusId}"]`)?.scrollIntoView({ block: "center" });
    setFlashId(focusId);
    const timer = setTimeout(() => setFlashId(null), FLASH_MS);
    return () => clearTimeout(timer);
  }, [focusId, focusShown, props.focus?.nonce]);

  const { update } = props;
  useEffect(() => {
    // Only a new announcement counts: `naming` is read as it is when one arrives.
    if (!update || update.change === "resync" || update.conversation_id !== conversationId) return;
    if (naming && update.change === "title_failed") setNotice("A new title could not be made; the title stays as it was.");
    setNaming(false);
  }, [update]);

  useEffect(() => {
    setNaming(false);
  }, [conversationId]);

  useEffect(() => {
    if (!naming) return;
    const timer = setTimeout(() => setNaming(false), NAMING_TIMEOUT_MS);
    return () => clearTimeout(timer);
  }, [naming]);

  const regenerateTitle = useCallback(() => {
    if (!conversationId) return;
    setNaming(true);
    api.regenerateTitle(conversationId).catch((error: unknown) => {
      setNaming(false);
      setNotice(readable(error));
    });
  }, [conversationId]);

  const status: ChatStatus = submitting ? "submitted" : activeId ? stream.status : stream.status === "error" ? "error" : "ready";
  const busy = submitting || activeId !== null;
  const settings = conversation ?? { ...draft, id: "", title: "New chat" };
  const title = (conversation && props.listed?.title) || settings.title;

  const saveSettings = async (fields: ConversationSettings) => {
    if (!conversation) {
      setDraft(fields);
      return;
    }
    setConversation(await api.updateConversation(conversation.id, fields));
    onConversationsChanged();
  };

  const modelId = settings.model ?? models?.default ?? "";
  const modelLabel = models?.models.find((m) => m.id === modelId)?.label ?? modelId;

  return (
    <main className="chat" data-testid="chat" data-status={status}>
      <Header
        title={title}
        naming={naming}
        conversationId={conversation ? conversationId : null}
        onRegenerateTitle={regenerateTitle}
        model={modelLabel}
        theme={props.theme}
        onToggleTheme={props.onToggleTheme}
        onOpenSidebar={props.onOpenSidebar}
        onToggleSettings={() => setShowSettings((shown) => !shown)}
      />
      {showSettings ? (
        <SettingsPanel
          // Opened while the conversation still loads, it starts again with the loaded settings.
          key={conversation?.id ?? "new"}
          systemPrompt={settings.system_prompt}
          model={settings.model}
          maxTokens={settings.max_tokens}
          models={models}
          onSave={saveSettings}
          onClose={() => setShowSettings(false)}
        />
      ) : null}
      {conversation ? (
        <UsageBar totals={conversationTotals(messages)} context={contextFill(messages, models, settings.model)} />
      ) : null}
      <div className="messages" ref={scroller}>
        {messages.length === 0 ? <p className="empty-chat">How can I help?</p> : null}
        {messages.map((message) => {
          const live = message.id === activeId && stream.messageId === activeId;
          return (
            <MessageView
              key={message.id}
              message={message}
              live={live}
              liveText={live ? stream.text : undefined}
              context={marks.get(message.id)}
              flash={message.id === flashId}
              locked={busy}
              onRetry={message.status === "failed" ? () => branches.regenerate(message) : undefined}
              onRegenerate={conversationId ? () => branches.regenerate(message) : undefined}
              onEdit={conversationId ? (text) => branches.edit(message, text) : undefined}
              onPin={conversationId ? () => branches.togglePin(message) : undefined}
              onSwitch={conversationId ? (id) => branches.switchTo(id) : undefined}
            />
          );
        })}
      </div>
      {!pinned ? (
        <button type="button" className="jump" data-testid="jump-to-latest" onClick={jumpToLatest}>
          ↓ Jump to latest
        </button>
      ) : null}
      {stream.reconnecting ? (
        <p className="banner" role="status" data-testid="stream-status">
          Reconnecting…
        </p>
      ) : null}
      {notice ? (
        <p className="banner error" role="alert" data-testid="send-error">
          {notice}
        </p>
      ) : null}
      <Composer ref={composer} busy={busy} disabled={loading} onSend={send} onStop={stop} />
    </main>
  );
}

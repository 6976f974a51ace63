/** The chat screen's layout: the open conversation's hooks wired to the header, the messages and the composer with its attachments. */
import { useEffect, useMemo, useRef, useState } from "react";

import { contextMarks } from "../../branch";
import { useAttachments } from "../../hooks/useAttachments";
import { useAutoScroll } from "../../hooks/useAutoScroll";
import { useConversation } from "../../hooks/useConversation";
import { type Focus, useFocusedMessage } from "../../hooks/useFocusedMessage";
import { useOlderMessages } from "../../hooks/useOlderMessages";
import { usePresets } from "../../hooks/usePresets";
import { useShortcuts } from "../../hooks/useShortcuts";
import type { Theme } from "../../hooks/useTheme";
import { useTitleNaming } from "../../hooks/useTitleNaming";
import type { SubscribeToUpdates } from "../../hooks/useUpdates";
import { toolNames } from "../../said";
import type { Conversation, ModelList } from "../../types";
import { contextFill } from "../../usage";
import { AnswerAnnouncer } from "./AnswerAnnouncer";
import { Composer } from "./Composer";
import { DropZone } from "./DropZone";
import { Header } from "./Header";
import { MessageView } from "./MessageView";
import { SettingsPanel } from "./SettingsPanel";
import { UsageBar } from "./UsageBar";

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
  /** A message to scroll to and flash once it is shown (a search result). */
  focus: Focus | null;
  /** Listens to the changes the server announces (`GET /api/updates`). */
  updates: SubscribeToUpdates;
}

export function ChatContainer(props: Props) {
  const { conversationId, models, navigate, onConversationsChanged } = props;
  const chat = useConversation(conversationId, { navigate, onConversationsChanged });
  const { messages, running, busy } = chat;
  const title = useTitleNaming(conversationId, props.updates, chat.notify);
  // The settings panel belongs to the conversation it was opened in.
  const [settingsFor, setSettingsFor] = useState<string | null | undefined>(undefined);
  const showSettings = settingsFor === conversationId;
  const composer = useRef<HTMLTextAreaElement | null>(null);
  // A conversation just opened, or a new chat, is there to write in.
  useEffect(() => composer.current?.focus(), [conversationId]);
  // The question being edited, of the conversation it belongs to (one at a time).
  const [editing, setEditing] = useState<{ conversationId: string | null; messageId: string } | null>(null);
  const editingId = editing?.conversationId === conversationId ? editing.messageId : null;
  const lastQuestion = useMemo(() => messages.filter((message) => message.role === "user").at(-1), [messages]);
  useShortcuts(
    {
      stop: running ? chat.stop : undefined,
      editLast: conversationId && lastQuestion && !busy ? () => setEditing({ conversationId, messageId: lastQuestion.id }) : undefined,
    },
    composer,
  );
  const { container, pinned, jumpToLatest } = useAutoScroll<HTMLDivElement>(conversationId, messages[0]?.id);
  useOlderMessages(container, messages, { hasOlder: chat.hasOlder, loadOlder: chat.loadOlder, wanted: props.focus?.messageId ?? null });
  const flashId = useFocusedMessage(container, props.focus, messages);
  const marks = useMemo(() => contextMarks(messages), [messages]);
  const tools = useMemo(() => toolNames(messages), [messages]);

  // The files go with the next question sent, from whichever conversation it is sent in, as its text does.
  const attachments = useAttachments(props.updates);
  const presets = usePresets(props.updates);
  const send = async (text: string) => {
    const ids = attachments.readyIds;
    const sent = await chat.send(text, ids);
    if (sent) attachments.sent(ids);
    return sent;
  };

  const modelId = chat.settings.model ?? models?.default ?? "";
  const modelLabel = models?.models.find((m) => m.id === modelId)?.label ?? modelId;

  return (
    <main className="chat" data-testid="chat" data-status={chat.status}>
      <Header
        title={props.listed?.title || chat.conversation?.title || "New chat"}
        fromApi={chat.conversation?.source === "api"}
        naming={title.naming}
        conversationId={chat.conversation ? conversationId : null}
        onRegenerateTitle={title.regenerate}
        model={modelLabel}
        theme={props.theme}
        onToggleTheme={props.onToggleTheme}
        onOpenSidebar={props.onOpenSidebar}
        onToggleSettings={() => setSettingsFor(showSettings ? undefined : conversationId)}
      />
      {showSettings ? (
        <SettingsPanel
          // Opened while the conversation still loads, it starts again with the loaded settings.
          key={chat.conversation?.id ?? "new"}
          systemPrompt={chat.settings.system_prompt}
          model={chat.settings.model}
          maxTokens={chat.settings.max_tokens}
          sampling={{
            temperature: chat.settings.temperature ?? null,
            top_p: chat.settings.top_p ?? null,
            seed: chat.settings.seed ?? null,
          }}
          tools={chat.settings.tools ?? null}
          models={models}
          onSave={chat.saveSettings}
          onClose={() => setSettingsFor(undefined)}
        />
      ) : null}
      {chat.conversation && chat.totals ? (
        <UsageBar totals={chat.totals} context={contextFill(messages, models, chat.settings.model)} />
      ) : null}
      <DropZone onFiles={attachments.add}>
        {/* Not a live region: the answer's end is announced once, by the announcer below. */}
        <div className="messages" ref={container}>
          {messages.length === 0 ? <p className="empty-chat">How can I help?</p> : null}
          {chat.hasOlder ? (
            <p className="older" data-testid="older-messages" role="status">
              Earlier messages load as you scroll up…
            </p>
          ) : null}
          {messages.map((message) => {
            const live = message.id === running?.id;
            return (
              <MessageView
                key={message.id}
                message={message}
                live={live}
                liveSaid={live ? running.said : undefined}
                toolName={message.tool_call_id ? tools.get(message.tool_call_id) : undefined}
                context={marks.get(message.id)}
                flash={message.id === flashId}
                locked={busy}
                onRetry={message.status === "failed" ? () => chat.regenerate(message) : undefined}
                onRegenerate={conversationId ? () => chat.regenerate(message) : undefined}
                onEdit={conversationId ? (text) => chat.edit(message, text) : undefined}
                editing={message.id === editingId}
                onEditingChange={(on) => setEditing(on ? { conversationId, messageId: message.id } : null)}
                onPin={conversationId ? () => chat.togglePin(message) : undefined}
                onSwitch={conversationId ? chat.switchTo : undefined}
              />
            );
          })}
        </div>
        <AnswerAnnouncer answer={chat.announced ? messages.find((message) => message.id === chat.announced) : undefined} />
        {!pinned ? (
          <button type="button" className="jump" data-testid="jump-to-latest" onClick={jumpToLatest}>
            ↓ Jump to latest
          </button>
        ) : null}
        {running?.reconnecting ? (
          <p className="banner" role="status" data-testid="stream-status">
            Reconnecting…
          </p>
        ) : null}
        {chat.notice ? (
          <p className="banner error" role="alert" data-testid="send-error">
            {chat.notice}
          </p>
        ) : null}
        <Composer
          ref={composer}
          busy={busy}
          disabled={chat.loading}
          onSend={send}
          onStop={chat.stop}
          attachments={attachments.items}
          attachmentsBlock={attachments.blocked}
          onAttach={attachments.add}
          onRemoveAttachment={attachments.remove}
          presets={presets.value ?? undefined}
        />
      </DropZone>
    </main>
  );
}

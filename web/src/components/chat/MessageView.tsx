/** One message: what it says (live while it streams: thinking, text, tool calls), the files a question brought, the documents an answer drew on, its error, and its actions. */
import { useState } from "react";

import { type ContextMark, siblingPosition } from "../../branch";
import { type Said, saidOf } from "../../said";
import { sourcesOf } from "../../sources";
import type { Message } from "../../types";
import { CopyButton } from "../shared/CopyButton";
import { BranchSwitcher } from "./BranchSwitcher";
import { EditForm } from "./EditForm";
import { FeedbackButtons } from "./FeedbackButtons";
import { Markdown } from "./Markdown";
import { MessageAttachments } from "./MessageAttachments";
import { MessageSources } from "./MessageSources";
import { MessageUsage } from "./MessageUsage";
import { Thinking, ToolCalls, ToolResult } from "./ToolParts";

interface Props {
  message: Message;
  /** While the answer streams: what it said so far, in place of what the database holds. */
  liveSaid?: Said;
  live?: boolean;
  /** Whether the latest answer's prompt included this message; undefined: not known. */
  context?: ContextMark;
  /** An answer is running in the conversation: no new branch can start, and switching waits. */
  locked?: boolean;
  /** Opened from a search result: drawn to the eye for a moment. */
  flash?: boolean;
  onRetry?: () => void;
  onRegenerate?: () => void;
  /** Resolves false when the edited question was not sent. */
  onEdit?: (text: string) => Promise<boolean>;
  /** Whether the edit form is open, when the parent keeps it (↑ in the empty message box opens the last question's). */
  editing?: boolean;
  onEditingChange?: (editing: boolean) => void;
  onPin?: () => void;
  onSwitch?: (messageId: string) => void;
  /** A tool's result: the name of the call it answers, when the branch shows that call. */
  toolName?: string;
}

export function MessageView(props: Props) {
  const { message, liveSaid, live, flash, context, locked = false, onRetry, onRegenerate, onEdit, onPin, onSwitch } = props;
  const [editingHere, setEditingHere] = useState(false);
  const editing = props.editing ?? editingHere;
  const setEditing = props.onEditingChange ?? setEditingHere;
  const said = liveSaid ?? saidOf(message);
  const text = said.text;
  const waiting = live && !text && !said.reasoning && said.toolCalls.length === 0;
  const steps = Boolean(message.tool_steps?.length) || said.toolCalls.some((call) => call.outcome);
  const failed = message.status === "failed" ? (message.error ?? "The answer failed.") : null;
  const siblings = siblingPosition(message);
  const final = !live && message.status !== "queued" && message.status !== "streaming";
  return (
    <article
      className={`message ${message.role}${context === "out" ? " out-of-context" : ""}${flash ? " flash" : ""}`}
      data-testid="message"
      data-role={message.role}
      data-status={live ? "streaming" : message.status}
      data-id={message.id}
      data-context={context}
      data-pinned={message.pinned ? "true" : "false"}
    >
      {context === "out" ? (
        <div className="context-note" data-testid="context-out" title="The model did not see this for the latest answer">
          Not in the model's context
        </div>
      ) : null}
      {message.role === "user" && message.attachments?.length ? <MessageAttachments ids={message.attachments} /> : null}
      <div className="bubble">
        {editing && onEdit ? (
          <EditForm initial={message.content} onSend={onEdit} onCancel={() => setEditing(false)} />
        ) : message.role === "user" ? (
          <p className="user-text" data-testid="message-content">
            {text}
          </p>
        ) : message.role === "tool" ? (
          <ToolResult callId={message.tool_call_id ?? ""} name={props.toolName} content={text} />
        ) : (
          <>
            {said.reasoning ? <Thinking text={said.reasoning} live={Boolean(live) && !text && said.toolCalls.length === 0} /> : null}
            {/* The tools the worker ran come before the answer they led to. */}
            {steps ? <ToolCalls calls={said.toolCalls} live={Boolean(live)} /> : null}
            <div className="markdown" data-testid="message-content">
              {text ? <Markdown text={text} live={live} /> : waiting ? (
                // A span takes no aria-label: the dots are drawn, the word is read.
                <span className="thinking">
                  <span aria-hidden="true">…</span>
                  <span className="visually-hidden">Thinking</span>
                </span>
              ) : null}
              {live && text ? <span className="cursor" aria-hidden="true" /> : null}
            </div>
            {said.toolCalls.length && !steps ? <ToolCalls calls={said.toolCalls} live={Boolean(live)} /> : null}
          </>
        )}
        {failed ? (
          <div className="message-error" role="alert" data-testid="message-error">
            {failed}
            {onRetry ? (
              <button type="button" className="link-button" data-testid="retry-button" disabled={locked} onClick={onRetry}>
                Retry
              </button>
            ) : null}
          </div>
        ) : null}
        {message.status === "stopped" && !live ? <div className="note">Stopped</div> : null}
      </div>
      <MessageSources sources={sourcesOf(message)} />
      {final && !editing ? (
        <div className="message-actions">
          {siblings.count > 1 && onSwitch ? <BranchSwitcher siblings={siblings} disabled={locked} onSwitch={onSwitch} /> : null}
          {text ? <CopyButton text={text} label="Copy message" testId="copy-message" /> : null}
          {onPin ? (
            <button
              type="button"
              className={`icon-button pin${message.pinned ? " pinned" : ""}`}
              aria-pressed={message.pinned}
              aria-label={message.pinned ? "Unpin: may fall out of the model's context" : "Pin: always in the model's context"}
              title={message.pinned ? "Pinned: always in the model's context while it fits" : "Pin to keep in the model's context"}
              data-testid="pin-button"
              onClick={onPin}
            >
              {message.pinned ? "Pinned" : "Pin"}
            </button>
          ) : null}
          {onEdit && message.role === "user" ? (
            <button type="button" className="icon-button" data-testid="edit-button" disabled={locked} onClick={() => setEditing(true)}>
              Edit
            </button>
          ) : null}
          {onRegenerate && message.role === "assistant" ? (
            <button type="button" className="icon-button" data-testid="regenerate-button" disabled={locked} onClick={onRegenerate}>
              Regenerate
            </button>
          ) : null}
          {message.role === "assistant" && (message.status === "complete" || message.status === "stopped") ? (
            <FeedbackButtons message={message} />
          ) : null}
          {message.role === "assistant" ? <MessageUsage message={message} /> : null}
        </div>
      ) : null}
    </article>
  );
}

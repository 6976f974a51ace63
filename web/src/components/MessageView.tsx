import type { Message } from "../types";
import { CopyButton } from "./CopyButton";
import { Markdown } from "./Markdown";
import { MessageUsage } from "./MessageUsage";

interface Props {
  message: Message;
  /** While the answer streams: the live text, in place of what the database holds. */
  liveText?: string;
  live?: boolean;
  /** Opened from a search result: drawn to the eye for a moment. */
  flash?: boolean;
  onRetry?: () => void;
}

export function MessageView({ message, liveText, live, flash, onRetry }: Props) {
  const text = liveText ?? message.content;
  const failed = message.status === "failed" ? (message.error ?? "The answer failed.") : null;
  return (
    <article
      className={`message ${message.role}${flash ? " flash" : ""}`}
      data-testid="message"
      data-role={message.role}
      data-status={live ? "streaming" : message.status}
      data-id={message.id}
    >
      <div className="bubble">
        {message.role === "user" ? (
          <p className="user-text" data-testid="message-content">
            {text}
          </p>
        ) : (
          <div className="markdown" data-testid="message-content">
            {text ? <Markdown text={text} /> : live ? <span className="thinking" aria-label="Thinking">…</span> : null}
            {live && text ? <span className="cursor" aria-hidden="true" /> : null}
          </div>
        )}
        {failed ? (
          <div className="message-error" role="alert" data-testid="message-error">
            {failed}
            {onRetry ? (
              <button type="button" className="link-button" data-testid="retry-button" onClick={onRetry}>
                Retry
              </button>
            ) : null}
          </div>
        ) : null}
        {message.status === "stopped" && !live ? <div className="note">Stopped</div> : null}
      </div>
      {!live && text ? (
        <div className="message-actions">
          <CopyButton text={text} label="Copy message" testId="copy-message" />
          {message.role === "assistant" ? <MessageUsage message={message} /> : null}
        </div>
      ) : null}
    </article>
  );
}

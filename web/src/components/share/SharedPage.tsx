/** A shared link's page, open without signing in: the copy's title and messages, rendered as the app renders them, and nothing to act on. */
import { formatWhen } from "../../format";
import { useSharedConversation } from "../../hooks/useSharedConversation";
import type { SharedMessage } from "../../types";
import { Markdown } from "../chat/Markdown";

function SharedMessageView({ message }: { message: SharedMessage }) {
  return (
    <article className={`message ${message.role}`} data-testid="shared-message" data-role={message.role}>
      {message.attachments?.length ? (
        <p className="hint shared-files" data-testid="shared-files">
          Files: {message.attachments.join(", ")}
        </p>
      ) : null}
      <div className="bubble">
        {message.role === "user" ? (
          <p className="user-text" data-testid="message-content">
            {message.content}
          </p>
        ) : (
          <div className="markdown" data-testid="message-content">
            <Markdown text={message.content} />
          </div>
        )}
        {message.stopped ? <div className="note">Stopped</div> : null}
      </div>
      {message.role === "assistant" && message.model ? <div className="hint shared-model">{message.model}</div> : null}
    </article>
  );
}

export function SharedPage({ token }: { token: string }) {
  const shared = useSharedConversation(token);
  const conversation = shared.value;
  return (
    <main className="shared-page" data-testid="shared-page" aria-busy={!conversation && !shared.error}>
      {shared.error ? (
        <div className="shared-missing" data-testid="shared-not-found">
          <h1>Not found</h1>
          <p role="alert">{shared.error}</p>
        </div>
      ) : conversation ? (
        <>
          <header className="shared-header">
            <h1 data-testid="shared-title">{conversation.title}</h1>
            <p className="hint">Shared {formatWhen(conversation.created_at)}</p>
          </header>
          <div className="shared-messages">
            {conversation.messages.map((message, index) => (
              <SharedMessageView key={index} message={message} />
            ))}
          </div>
        </>
      ) : null}
      <footer className="shared-footer hint">Shared from relaychat</footer>
    </main>
  );
}

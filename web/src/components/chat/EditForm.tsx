/** The form that edits a question where it stands in the conversation. */
import { type KeyboardEvent, useState } from "react";

interface Props {
  initial: string;
  /** Resolves false when the edit was not sent: the form stays open with its text. */
  onSend: (text: string) => Promise<boolean>;
  onCancel: () => void;
}

/** Editing a question in place; sending it starts a new branch from there. */
export function EditForm({ initial, onSend, onCancel }: Props) {
  const [text, setText] = useState(initial);
  const [sending, setSending] = useState(false);

  const send = async () => {
    if (sending || !text.trim()) return;
    setSending(true);
    const sent = await onSend(text);
    setSending(false);
    if (sent) onCancel();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    } else if (event.key === "Escape") {
      event.preventDefault();
      onCancel();
    }
  };

  return (
    <div className="edit-form">
      <textarea
        data-testid="edit-input"
        aria-label="Edit message"
        value={text}
        rows={3}
        autoFocus
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <div className="edit-actions">
        <button type="button" className="link-button" data-testid="edit-cancel" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="primary" data-testid="edit-send" disabled={sending || !text.trim()} onClick={() => void send()}>
          Send
        </button>
      </div>
    </div>
  );
}

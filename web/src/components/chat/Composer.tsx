/** The box where questions are written, with Send and Stop. */
import { type KeyboardEvent, forwardRef, useLayoutEffect, useRef, useState } from "react";

interface Props {
  /** An answer is running: show Stop, and say why sending waits. */
  busy: boolean;
  /** Not ready to send yet (the conversation is still loading). */
  disabled?: boolean;
  /** Resolves false when the message was not sent, and the composer gets its text back. */
  onSend: (text: string) => Promise<boolean>;
  onStop: () => void;
}

/** Grows with its text; Enter sends, Shift+Enter starts a new line. */
export const Composer = forwardRef<HTMLTextAreaElement, Props>(function Composer(
  { busy, disabled = false, onSend, onStop },
  ref,
) {
  const [text, setText] = useState("");
  const local = useRef<HTMLTextAreaElement | null>(null);

  useLayoutEffect(() => {
    const area = local.current;
    if (!area) return;
    area.style.height = "auto";
    area.style.height = `${Math.min(area.scrollHeight, 240)}px`;
  }, [text]);

  const send = async () => {
    if (busy || disabled || !text.trim()) return;
    const sent = text;
    setText("");
    if (!(await onSend(sent))) setText(sent);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };

  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        void send();
      }}
    >
      {busy ? (
        <p className="composer-notice" data-testid="composer-notice">
          An answer is being written. Stop it to send a new message.
        </p>
      ) : null}
      <div className="composer-row">
        <textarea
          ref={(element) => {
            local.current = element;
            if (typeof ref === "function") ref(element);
            else if (ref) ref.current = element;
          }}
          data-testid="composer-input"
          aria-label="Message"
          placeholder="Message relaychat"
          rows={1}
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
        />
        {busy ? (
          <button type="button" className="primary stop" data-testid="stop-button" aria-label="Stop" onClick={onStop}>
            Stop
          </button>
        ) : (
          <button type="submit" className="primary" data-testid="send-button" aria-label="Send" disabled={disabled || !text.trim()}>
            Send
          </button>
        )}
      </div>
    </form>
  );
});

/** The box where questions are written, with their attached files, Send and Stop. */
import { type ClipboardEvent, type KeyboardEvent, forwardRef, useId, useLayoutEffect, useRef, useState } from "react";

import type { Attachment } from "../../attachments";
import { usePresetPicker } from "../../hooks/usePresetPicker";
import type { PromptPreset } from "../../types";
import { AttachmentChips } from "./AttachmentChips";
import { PresetFields } from "./PresetFields";
import { PresetMenu, optionId } from "./PresetMenu";

interface Props {
  /** An answer is running: show Stop, and say why sending waits. */
  busy: boolean;
  /** Not ready to send yet (the conversation is still loading). */
  disabled?: boolean;
  /** Resolves false when the message was not sent, and the composer gets its text back. */
  onSend: (text: string) => Promise<boolean>;
  onStop: () => void;
  /** The files attached to the question, as chips above the box. */
  attachments: Attachment[];
  /** Why the files keep the question from being sent (one uploading, being read, or failed). */
  attachmentsBlock: string | null;
  onAttach: (files: File[]) => void;
  onRemoveAttachment: (key: string) => void;
  /** The prompts `/command` inserts: the user's own, then the shared ones. */
  presets?: readonly PromptPreset[];
}

/** A pasted screenshot is "image.png" in every browser: a name of its own tells the chips apart. */
function pastedName(file: File, at: Date): string {
  const extension = file.type.split("/")[1]?.replace("jpeg", "jpg") ?? "png";
  const stamp = at.toISOString().slice(0, 19).replace("T", " ").replaceAll(":", ".");
  return `Pasted image ${stamp}.${extension}`;
}

/** What a paste brings to attach: its files, unless it brings text (a paste from a word processor
 * carries a picture of the text too, and the text is what was meant). */
function pastedFiles(data: DataTransfer): File[] {
  if (data.getData("text/plain")) return [];
  const at = new Date();
  return Array.from(data.files, (file) =>
    file.type.startsWith("image/") && (!file.name || file.name === "image.png")
      ? new File([file], pastedName(file, at), { type: file.type })
      : file,
  );
}

function PaperclipIcon() {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path
        d="M21 11.5l-8.6 8.6a5.5 5.5 0 0 1-7.8-7.8l8.6-8.6a3.7 3.7 0 0 1 5.2 5.2l-8.6 8.6a1.8 1.8 0 0 1-2.6-2.6l8-8"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.8"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}

/** Grows with its text; Enter sends, Shift+Enter starts a new line. Files come by the paperclip
 * or a paste here, or by a drop on the chat (ChatContainer's DropZone). `/` and the start of a
 * command, in an empty box, offers the saved prompts (usePresetPicker). */
export const Composer = forwardRef<HTMLTextAreaElement, Props>(function Composer(
  { busy, disabled = false, onSend, onStop, attachments, attachmentsBlock, onAttach, onRemoveAttachment, presets = [] },
  ref,
) {
  const [text, setText] = useState("");
  const local = useRef<HTMLTextAreaElement | null>(null);
  const picker = useRef<HTMLInputElement | null>(null);
  const menuId = useId();
  const prompts = usePresetPicker(
    text,
    (inserted) => {
      setText(inserted);
      local.current?.focus();
    },
    presets,
  );

  useLayoutEffect(() => {
    const area = local.current;
    if (!area) return;
    area.style.height = "auto";
    area.style.height = `${Math.min(area.scrollHeight, 240)}px`;
  }, [text]);

  // A question may be its files alone.
  const empty = !text.trim() && attachments.length === 0;
  const send = async () => {
    if (busy || disabled || attachmentsBlock || empty) return;
    const sent = text;
    setText("");
    if (!(await onSend(sent))) setText(sent);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (prompts.onKeyDown(event)) return;
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };
  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = pastedFiles(event.clipboardData);
    if (files.length === 0) return;
    event.preventDefault(); // the box would otherwise get the file's name, or nothing
    onAttach(files);
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
      <AttachmentChips attachments={attachments} onRemove={onRemoveAttachment} />
      {prompts.options.length ? (
        <PresetMenu
          id={menuId}
          options={prompts.options}
          active={prompts.active}
          onHover={prompts.setActive}
          onPick={(preset) => void prompts.pick(preset)}
        />
      ) : null}
      {prompts.asking ? (
        <PresetFields
          title={prompts.asking.preset.title}
          fields={prompts.asking.fields}
          onInsert={prompts.fill}
          onCancel={() => {
            prompts.cancel();
            local.current?.focus();
          }}
        />
      ) : null}
      {prompts.note ? (
        <p className="composer-notice" role="status" data-testid="preset-note">
          {prompts.note}
        </p>
      ) : null}
      <div className="composer-row">
        <button
          type="button"
          className="attach"
          data-testid="attach-button"
          aria-label="Attach files"
          title="Attach files"
          onClick={() => picker.current?.click()}
        >
          <PaperclipIcon />
        </button>
        <input
          ref={picker}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(event) => {
            onAttach(Array.from(event.target.files ?? []));
            event.target.value = ""; // the same file again is a new choice
          }}
        />
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
          aria-controls={prompts.options.length ? menuId : undefined}
          aria-autocomplete="list"
          aria-activedescendant={prompts.options.length ? optionId(menuId, prompts.active) : undefined}
          value={text}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
        />
        {busy ? (
          <button type="button" className="primary stop" data-testid="stop-button" aria-label="Stop" onClick={onStop}>
            Stop
          </button>
        ) : (
          <button
            type="submit"
            className="primary"
            data-testid="send-button"
            aria-label="Send"
            // Says why on hover; a failed file's own sentence is on its chip.
            title={attachmentsBlock ?? undefined}
            disabled={disabled || Boolean(attachmentsBlock) || empty}
          >
            Send
          </button>
        )}
      </div>
    </form>
  );
});

/** A prompt preset's fields, for a new one or a change: its command, title and text, and for an
 * admin whether everyone is offered it. */
import { useAction } from "../../hooks/useAction";
import type { NewPreset, PromptPreset } from "../../types";
import { Field, FormError, submitted } from "../shared/Field";

interface Props {
  /** The preset changed; none: a new one. */
  preset?: PromptPreset;
  canShare: boolean;
  onSave: (fields: NewPreset) => Promise<unknown>;
  onCancel?: () => void;
}

export function PresetForm({ preset, canShare, onSave, onCancel }: Props) {
  const save = useAction(async (fields: NewPreset, form: HTMLFormElement) => {
    await onSave(fields);
    if (!preset) form.reset();
  });
  const testId = preset ? "preset-edit-form" : "preset-form";
  return (
    <form
      className="preset-form"
      data-testid={testId}
      aria-label={preset ? `Change /${preset.command}` : "New prompt"}
      onSubmit={(event) => {
        const form = event.currentTarget;
        const shared = (form.elements.namedItem("shared") as HTMLInputElement | null)?.checked ?? false;
        const field = submitted(event);
        void save.run({ command: field("command"), title: field("title"), content: field("content"), shared }, form);
      }}
    >
      <div className="form-row">
        <Field
          label="Command"
          name="command"
          required
          maxLength={32}
          pattern="[a-z0-9_\-]{1,32}"
          hint="Typed after / in the message box: a-z, 0-9, - and _"
          defaultValue={preset?.command}
          data-testid="preset-command"
        />
        <Field label="Title" name="title" required maxLength={100} defaultValue={preset?.title} data-testid="preset-title" />
      </div>
      <div className="field">
        <label>
          Text
          <textarea name="content" required rows={4} maxLength={20_000} defaultValue={preset?.content} data-testid="preset-content" />
        </label>
        <span className="hint">
          <code>{"{{clipboard}}"}</code> takes what you copied; any other <code>{"{{name}}"}</code> is asked for when you insert it.
        </span>
      </div>
      {canShare ? (
        <label className="choice">
          <input type="checkbox" name="shared" defaultChecked={preset?.shared} data-testid="preset-shared" />
          Shared with everyone
        </label>
      ) : null}
      <FormError error={save.error} testId="preset-error" />
      <div className="settings-actions">
        {onCancel ? (
          <button type="button" className="link-button" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
        <button type="submit" className="primary" disabled={save.busy} data-testid="preset-save">
          {preset ? "Save" : "Add prompt"}
        </button>
      </div>
    </form>
  );
}

/** The account's Prompts: the user's presets (add, change, delete) and those shared with everyone (read-only). */
import { useState } from "react";

import { useAction } from "../../hooks/useAction";
import type { Presets } from "../../hooks/usePresets";
import type { PromptPreset } from "../../types";
import { FormError } from "../shared/Field";
import { PresetForm } from "./PresetForm";

interface Props {
  presets: Presets;
  /** An admin: may share a preset with everyone. */
  canShare: boolean;
}

function PresetRow({ preset, canShare, presets }: { preset: PromptPreset; canShare: boolean; presets: Presets }) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const remove = useAction(() => presets.remove(preset.id));
  if (editing) {
    return (
      <li className="row" data-testid="preset-row" data-command={preset.command}>
        <PresetForm
          preset={preset}
          canShare={canShare}
          onSave={async (fields) => {
            await presets.update(preset.id, fields);
            setEditing(false);
          }}
          onCancel={() => setEditing(false)}
        />
      </li>
    );
  }
  return (
    <li className="row" data-testid="preset-row" data-command={preset.command}>
      <div className="row-main">
        <span className="row-title">
          /{preset.command} · {preset.title}
        </span>
        <span className="hint">{preset.mine ? (preset.shared ? "Shared with everyone" : "Yours") : "Shared by an admin"}</span>
        <FormError error={remove.error} testId="preset-row-error" />
      </div>
      {!preset.mine ? null : confirming ? (
        <span className="confirm">
          <button type="button" className="danger" data-testid="confirm-delete-preset" autoFocus disabled={remove.busy} onClick={() => void remove.run()}>
            Delete prompt
          </button>
          <button type="button" className="link-button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </span>
      ) : (
        <span className="confirm">
          <button type="button" className="secondary" aria-label={`Edit /${preset.command}`} data-testid="edit-preset" onClick={() => setEditing(true)}>
            Edit
          </button>
          <button type="button" className="secondary" aria-label={`Delete /${preset.command}`} data-testid="delete-preset" onClick={() => setConfirming(true)}>
            Delete
          </button>
        </span>
      )}
    </li>
  );
}

export function PresetList({ presets, canShare }: Props) {
  return (
    <section className="page-section" aria-labelledby="presets-heading" data-testid="presets-section">
      <h2 id="presets-heading">Prompts</h2>
      <p className="hint">Type / in an empty message box to insert one.</p>
      <PresetForm canShare={canShare} onSave={presets.create} />
      <FormError error={presets.error} testId="presets-error" />
      {presets.value?.length ? (
        <ul className="rows" data-testid="preset-list">
          {presets.value.map((preset) => (
            <PresetRow key={preset.id} preset={preset} canShare={canShare} presets={presets} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}

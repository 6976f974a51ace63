import { useState } from "react";

import type { ModelList } from "../types";

interface Props {
  systemPrompt: string;
  model: string | null;
  models: ModelList | null;
  onSave: (fields: { system_prompt: string; model: string | null }) => Promise<void>;
  onClose: () => void;
}

export function SettingsPanel({ systemPrompt, model, models, onSave, onClose }: Props) {
  const [prompt, setPrompt] = useState(systemPrompt);
  const [choice, setChoice] = useState(model ?? "");
  const [error, setError] = useState<string | null>(null);

  const save = async () => {
    try {
      await onSave({ system_prompt: prompt, model: choice || null });
      onClose();
    } catch (e) {
      setError(e instanceof Error ? e.message : "Could not save");
    }
  };

  return (
    <section className="settings" data-testid="settings-panel" aria-label="Conversation settings">
      <label>
        System prompt
        <textarea
          data-testid="system-prompt-input"
          value={prompt}
          rows={4}
          placeholder="How should the assistant behave?"
          onChange={(event) => setPrompt(event.target.value)}
        />
      </label>
      <label>
        Model
        <select data-testid="model-select" value={choice} onChange={(event) => setChoice(event.target.value)}>
          <option value="">Default ({models?.default ?? "…"})</option>
          {models?.models.map((m) => (
            <option key={m.id} value={m.id}>
              {m.label}
            </option>
          ))}
        </select>
      </label>
      {error ? <p className="message-error" role="alert">{error}</p> : null}
      <div className="settings-actions">
        <button type="button" className="link-button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="primary" data-testid="settings-save" onClick={save}>
          Save
        </button>
      </div>
    </section>
  );
}

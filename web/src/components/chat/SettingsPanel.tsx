/** A conversation's settings: system prompt, model, the answer's max tokens and sampling, and the tools its answers may use. */
import { useState } from "react";

import { useTools } from "../../hooks/useTools";
import type { ConversationSettings, ModelList } from "../../types";
import { DEFAULTS, type Sampling, parseSampling, samplingText } from "../../sampling";
import { SamplingFields } from "./SamplingFields";

interface Props {
  systemPrompt: string;
  model: string | null;
  maxTokens: number | null;
  sampling: Sampling;
  tools: string[] | null;
  models: ModelList | null;
  onSave: (fields: ConversationSettings) => Promise<void>;
  onClose: () => void;
}

/** Empty: the model's default; otherwise a whole number (the API checks the model's limit). */
function parseMaxTokens(text: string): number | null | undefined {
  const trimmed = text.trim();
  if (!trimmed) return null;
  return /^\d+$/.test(trimmed) ? Number(trimmed) : undefined;
}

export function SettingsPanel({ systemPrompt, model, maxTokens, sampling, tools, models, onSave, onClose }: Props) {
  const offered = useTools();
  const [picked, setPicked] = useState<string[]>(tools ?? []);
  const [prompt, setPrompt] = useState(systemPrompt);
  const [choice, setChoice] = useState(model ?? "");
  const [tokens, setTokens] = useState(maxTokens === null ? "" : String(maxTokens));
  const [sampled, setSampled] = useState(samplingText(sampling));
  const [error, setError] = useState<string | null>(null);
  const chosen = models?.models.find((m) => m.id === (choice || models.default));

  const save = async () => {
    const max_tokens = parseMaxTokens(tokens);
    if (max_tokens === undefined) {
      setError("Max tokens must be a whole number, or empty for the model's default.");
      return;
    }
    const parsed = parseSampling(sampled);
    if (typeof parsed === "string") {
      setError(parsed);
      return;
    }
    try {
      await onSave({ system_prompt: prompt, model: choice || null, max_tokens, ...parsed, tools: picked.length ? picked : null });
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
      <label>
        Max tokens for an answer
        <input
          data-testid="max-tokens-input"
          inputMode="numeric"
          value={tokens}
          placeholder={chosen ? `Default (${chosen.default_max_tokens.toLocaleString("en")})` : "Default"}
          onChange={(event) => setTokens(event.target.value)}
        />
        <span className="hint">
          Kept free in the context window for the answer
          {chosen ? `; up to ${chosen.max_tokens_limit.toLocaleString("en")} for this model` : ""}. The rest holds the
          conversation.
        </span>
      </label>
      <SamplingFields
        values={sampled}
        model={chosen}
        onChange={setSampled}
        onReset={() => {
          setSampled(samplingText(DEFAULTS));
          setTokens("");
        }}
      />
      {offered?.length ? (
        <fieldset className="tool-picker" data-testid="tool-picker">
          <legend>Tools its answers may use</legend>
          {offered.map((tool) => (
            <label key={tool.name} className="choice" title={tool.description}>
              <input
                type="checkbox"
                checked={picked.includes(tool.name)}
                data-testid="tool-choice"
                value={tool.name}
                onChange={(event) =>
                  setPicked((current) => (event.target.checked ? [...current, tool.name] : current.filter((name) => name !== tool.name)))
                }
              />
              <span>
                <code>{tool.name}</code> <span className="hint">{tool.description}</span>
              </span>
            </label>
          ))}
        </fieldset>
      ) : null}
      {error ? (
        <p className="message-error" role="alert" data-testid="settings-error">
          {error}
        </p>
      ) : null}
      <div className="settings-actions">
        <button type="button" className="link-button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="primary" data-testid="settings-save" onClick={() => void save()}>
          Save
        </button>
      </div>
    </section>
  );
}

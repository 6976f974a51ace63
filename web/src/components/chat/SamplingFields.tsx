/** The settings panel's sampling: temperature and top p (a number and a slider each), and a seed,
 * each empty for the model's default, which its placeholder shows; and a reset to the defaults. */
import type { ModelInfo } from "../../types";
import type { SamplingText } from "../../sampling";

interface Props {
  values: SamplingText;
  /** The conversation's model as chosen in the panel: its defaults and limits. */
  model: ModelInfo | undefined;
  onChange: (values: SamplingText) => void;
  onReset: () => void;
}

interface RangeProps {
  name: "temperature" | "top_p";
  label: string;
  value: string;
  range: ModelInfo["temperature"] | undefined;
  step: number;
  hint: string;
  onChange: (value: string) => void;
}

function RangeField({ name, label, value, range, step, hint, onChange }: RangeProps) {
  const fixed = range !== undefined && range.min === range.max;
  return (
    <div className="field sampling-field">
      <label>
        {label}
        <input
          type="number"
          data-testid={`${name}-input`}
          step={step}
          min={range?.min}
          max={range?.max}
          value={value}
          placeholder={range ? `Default (${range.default})` : "Default"}
          disabled={fixed}
          onChange={(event) => onChange(event.target.value)}
        />
      </label>
      <input
        type="range"
        aria-label={`${label} slider`}
        data-testid={`${name}-slider`}
        step={step}
        min={range?.min ?? 0}
        max={range?.max ?? 1}
        value={value === "" ? (range?.default ?? 0) : value}
        disabled={fixed}
        onChange={(event) => onChange(event.target.value)}
      />
      <span className="hint">{fixed ? `This model takes only its default, ${range.default}.` : hint}</span>
    </div>
  );
}

export function SamplingFields({ values, model, onChange, onReset }: Props) {
  const seedTaken = model?.seed.supported ?? true;
  const limits = (range: ModelInfo["temperature"] | undefined) => (range ? ` (${range.min} to ${range.max})` : "");
  return (
    <fieldset className="sampling" data-testid="sampling">
      <legend>Sampling</legend>
      <RangeField
        name="temperature"
        label="Temperature"
        value={values.temperature}
        range={model?.temperature}
        step={0.05}
        hint={`Lower is more focused, higher more varied${limits(model?.temperature)}.`}
        onChange={(temperature) => onChange({ ...values, temperature })}
      />
      <RangeField
        name="top_p"
        label="Top p"
        value={values.top_p}
        range={model?.top_p}
        step={0.01}
        hint={`Samples from the likeliest words whose chances add up to this${limits(model?.top_p)}.`}
        onChange={(top_p) => onChange({ ...values, top_p })}
      />
      <div className="field">
        <label>
          Seed
          <input
            data-testid="seed-input"
            inputMode="numeric"
            value={values.seed}
            placeholder={seedTaken ? "None" : "Not taken by this model"}
            disabled={!seedTaken && values.seed === ""}
            onChange={(event) => onChange({ ...values, seed: event.target.value })}
          />
        </label>
        <span className="hint">The same seed and settings give the same answer again, where the model allows.</span>
      </div>
      <button type="button" className="secondary" data-testid="sampling-reset" onClick={onReset}>
        Reset to defaults
      </button>
    </fieldset>
  );
}

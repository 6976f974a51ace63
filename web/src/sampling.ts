/** A conversation's sampling settings as the settings panel's fields hold them (text; empty: the
 * model's default), read back into numbers, with a sentence for what cannot be read. */

export interface Sampling {
  temperature: number | null;
  top_p: number | null;
  seed: number | null;
}

export type SamplingText = Record<keyof Sampling, string>;

export const DEFAULTS: Sampling = { temperature: null, top_p: null, seed: null };

export function samplingText(sampling: Sampling): SamplingText {
  const text = (value: number | null) => (value === null ? "" : String(value));
  return { temperature: text(sampling.temperature), top_p: text(sampling.top_p), seed: text(sampling.seed) };
}

/** The numbers, or the sentence for the first field that is not one (the server checks the model's limits). */
export function parseSampling(text: SamplingText): Sampling | string {
  const decimal = (value: string) => (value.trim() ? Number(value.trim()) : null);
  const temperature = decimal(text.temperature);
  const top_p = decimal(text.top_p);
  if (Number.isNaN(temperature)) return "Temperature must be a number, or empty for the model's default.";
  if (Number.isNaN(top_p)) return "Top p must be a number, or empty for the model's default.";
  const seed = text.seed.trim();
  if (seed && !/^\d+$/.test(seed)) return "Seed must be a whole number, or empty for none.";
  return { temperature, top_p, seed: seed ? Number(seed) : null };
}

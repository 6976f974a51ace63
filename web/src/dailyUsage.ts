/** The usage report as a chart reads it: every day of its window, each model's share of the day, and the scale. */
import type { DayUsage, UsageReport } from "./types";

/** How far back the usage page and the admin's usage table look, in UTC days (today included). */
export const USAGE_DAYS = 30;

export interface ModelShare {
  model: string;
  tokens: number;
  cost: number;
  answers: number;
}

export interface UsageDay {
  /** YYYY-MM-DD, UTC. */
  day: string;
  tokens: number;
  cost: number;
  answers: number;
  /** In the order of `modelsIn`, only the models that answered that day. */
  models: ModelShare[];
}

const DAY_MS = 86_400_000;

const isoDay = (time: number) => new Date(time).toISOString().slice(0, 10);

/** The report's days, oldest first: `days` UTC days up to today, or up to the report's last day
 * when this computer's clock is behind the server's. Days without answers are there, at zero. */
export function usageDays(report: UsageReport, now: Date, models = modelsIn(report)): UsageDay[] {
  const lastRow = report.by_day.at(-1)?.day;
  const today = isoDay(now.getTime());
  const end = Date.parse(`${lastRow && lastRow > today ? lastRow : today}T00:00:00Z`);
  const rows = new Map<string, DayUsage[]>();
  for (const row of report.by_day) rows.set(row.day, [...(rows.get(row.day) ?? []), row]);
  return Array.from({ length: report.days }, (_, index) => {
    const day = isoDay(end - (report.days - 1 - index) * DAY_MS);
    const found = rows.get(day) ?? [];
    const shares = models.flatMap((model) => {
      const row = found.find((r) => r.model === model);
      return row ? [{ model, tokens: row.prompt_tokens + row.completion_tokens, cost: row.cost_usd, answers: row.answers }] : [];
    });
    return {
      day,
      tokens: shares.reduce((sum, share) => sum + share.tokens, 0),
      cost: shares.reduce((sum, share) => sum + share.cost, 0),
      answers: shares.reduce((sum, share) => sum + share.answers, 0),
      models: shares,
    };
  });
}

/** The models in the report, the most tokens first: the heaviest at the bottom of each bar, and
 * each keeps its colour on every day. */
export function modelsIn(report: UsageReport): string[] {
  const tokens = new Map<string, number>();
  for (const row of report.by_day) tokens.set(row.model, (tokens.get(row.model) ?? 0) + row.prompt_tokens + row.completion_tokens);
  return [...tokens].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).map(([model]) => model);
}

/** The top of a chart's scale: the smallest 1, 2 or 5 × 10ⁿ at or above `value` (1 for nothing). */
export function scaleTop(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((factor) => factor * power >= value) ?? 10;
  return step * power;
}

/** A model's name as a reader sees it: answers of no recorded model have an empty one. */
export const modelName = (model: string) => model || "unknown model";

/** "Nov 30": a UTC day, in the reader's language. */
export function formatDay(day: string, weekday = false): string {
  const at = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(at.getTime())) return day;
  return at.toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC", ...(weekday ? { weekday: "short" } : {}) });
}

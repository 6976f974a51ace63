/** The Status page's figures: the charts' series over the last hour, and how each figure reads. */
import type { MinuteStatus, SystemStatus } from "./types";

/** How often the page reads the status again (ms). */
export const STATUS_POLL_MS = 3000;

export interface StatusSeries {
  key: string;
  label: string;
  /** One value a minute, oldest first; null where the minute had nothing to tell. */
  values: (number | null)[];
}

export interface StatusChartSpec {
  id: string;
  title: string;
  /** How a value of this chart reads ("12 ms", "40%"). */
  format: (value: number) => string;
  series: StatusSeries[];
}

const whole = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const tenths = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

export const formatCount = (value: number) => tenths.format(value);
export const formatMs = (value: number) => (value >= 10_000 ? `${tenths.format(value / 1000)} s` : `${whole.format(value)} ms`);
export const formatRate = (value: number) => `${tenths.format(value * 100)}%`;
export const formatSpeed = (value: number) => `${tenths.format(value)} tok/s`;
export const formatAge = (seconds: number) => `${tenths.format(seconds)} s`;

const pick = (minutes: MinuteStatus[], read: (minute: MinuteStatus) => number | null | undefined) =>
  minutes.map((minute) => read(minute) ?? null);

/** The charts of the page. The current minute's queue and running answers are at least what is seen now
 * (the workers' samples of them come every few seconds). */
export function statusCharts(status: SystemStatus): StatusChartSpec[] {
  const { minutes } = status;
  const last = minutes.length - 1;
  const atLeastNow = (values: (number | null)[], now: number) =>
    values.map((value, index) => (index === last ? Math.max(value ?? 0, now) : value));
  return [
    {
      id: "queue",
      title: "Waiting and running answers (the minute's highest)",
      format: formatCount,
      series: [
        { key: "queued", label: "Waiting", values: atLeastNow(pick(minutes, (m) => m.queue_max), status.queued) },
        { key: "running", label: "Running", values: atLeastNow(pick(minutes, (m) => m.running_max), status.running) },
      ],
    },
    {
      id: "answers",
      title: "Answers ended per minute",
      format: formatCount,
      series: [
        { key: "completed", label: "Completed", values: pick(minutes, (m) => m.completed) },
        { key: "failed", label: "Failed", values: pick(minutes, (m) => m.failed) },
        { key: "stopped", label: "Stopped", values: pick(minutes, (m) => m.stopped) },
      ],
    },
    {
      id: "first-token",
      title: "Time to first token",
      format: formatMs,
      series: [
        { key: "p50", label: "p50", values: pick(minutes, (m) => m.first_token_p50_ms) },
        { key: "p95", label: "p95", values: pick(minutes, (m) => m.first_token_p95_ms) },
        { key: "queue-p95", label: "p95 in the queue", values: pick(minutes, (m) => m.queue_p95_ms) },
      ],
    },
    {
      id: "speed",
      title: "Tokens per second (completed answers)",
      format: formatSpeed,
      series: [{ key: "tokens-per-second", label: "Tokens/s", values: pick(minutes, (m) => m.tokens_per_second) }],
    },
    {
      id: "errors",
      title: "Error rate (failed of those ended)",
      format: formatRate,
      series: [{ key: "error-rate", label: "Error rate", values: pick(minutes, (m) => m.error_rate) }],
    },
  ];
}

/** "14:05": a minute's start (ISO, UTC) in UTC, as the axis labels it. */
export function minuteLabel(minute: string): string {
  return minute.slice(11, 16);
}

/** The largest value of the series, for the chart's scale. */
export function highest(series: StatusSeries[]): number {
  return Math.max(0, ...series.flatMap((each) => each.values.filter((value): value is number => value !== null)));
}

/** Limits in words ("12,345 of 100,000 tokens today"), and the admin's limit fields read into a set of limits. */
import { formatSize, quotaBytes } from "./fileList";
import type { Limits } from "./types";
import { formatCost, formatTokens } from "./usage";

export type LimitName = keyof Limits;

const whole = (count: number) => count.toLocaleString("en-US");

interface LimitField {
  name: LimitName;
  label: string;
  /** Counts are whole; a cost may have cents, or less. */
  step: string;
}

/** In the order the server lists them. */
export const LIMIT_FIELDS: LimitField[] = [
  { name: "running_answers", label: "Answers at once", step: "1" },
  { name: "waiting_answers", label: "Answers waiting", step: "1" },
  { name: "tokens_per_day", label: "Tokens per day", step: "1" },
  { name: "cost_per_month_usd", label: "Cost per month ($)", step: "any" },
  { name: "storage_mb", label: "Files kept (MB)", step: "1" },
];

/** A limit's amount in dollars: always with cents ("$20.00"), as a budget is written. */
export function formatDollars(dollars: number): string {
  return `$${dollars.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** One limit's value, as a field's placeholder or a summary shows it. */
export function limitValue(name: LimitName, value: number | null): string {
  if (value === null) return "unlimited";
  return name === "cost_per_month_usd" ? formatDollars(value) : whole(value);
}

/** A limit's field: empty for null. */
export const fieldValue = (value: number | null) => (value === null ? "" : String(value));

/** The fields named `${prefix}${name}`: an empty one is null (unlimited, or the role's for a
 * user's own). The inputs are numbers, so a browser only submits what parses; anything it lets
 * through that the server refuses comes back as the server's sentence. */
export function readLimits(field: (name: string) => string, prefix = ""): Limits {
  const read = (name: LimitName) => {
    const text = field(`${prefix}${name}`).trim();
    return text === "" ? null : Number(text);
  };
  return {
    running_answers: read("running_answers"),
    waiting_answers: read("waiting_answers"),
    tokens_per_day: read("tokens_per_day"),
    cost_per_month_usd: read("cost_per_month_usd"),
    storage_mb: read("storage_mb"),
  };
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** "4 answers at once, 50 waiting". */
export function answersAllowed({ running_answers: running, waiting_answers: waiting }: Limits): string {
  const atOnce = running === null ? "unlimited answers" : `${whole(running)} ${running === 1 ? "answer" : "answers"}`;
  return capitalized(`${atOnce} at once, ${waiting === null ? "unlimited" : whole(waiting)} waiting`);
}

/** "12,345 of 100,000 tokens today"; `used` is null while the server cannot count. */
export function tokensToday(used: number | null, limit: number | null): string {
  if (limit === null) return used === null ? "Unlimited tokens a day" : `${formatTokens(used)} tokens today, unlimited`;
  if (used === null) return `${formatTokens(limit)} tokens a day (today's count is not available right now)`;
  return `${formatTokens(used)} of ${formatTokens(limit)} tokens today`;
}

/** "$1.20 of $20.00 this month". */
export function costThisMonth(used: number | null, limit: number | null): string {
  if (limit === null) return used === null ? "Unlimited cost a month" : `${formatCost(used)} this month, unlimited`;
  if (used === null) return `${formatDollars(limit)} a month (this month's count is not available right now)`;
  return `${formatCost(used)} of ${formatDollars(limit)} this month`;
}

/** "12.3 MB of 100 MB of files": what the user's files take of their storage quota. */
export function filesKept(used: number, limitMb: number | null): string {
  if (limitMb === null) return `${formatSize(used)} of files, unlimited`;
  return `${formatSize(used)} of ${formatSize(quotaBytes(limitMb))} of files`;
}

/** The answer limits in one line: "4 answers at once, 50 waiting; 100,000 tokens a day; $20.00 a month". */
export function describeLimits(limits: Limits): string {
  const tokens = limits.tokens_per_day === null ? "unlimited tokens" : `${formatTokens(limits.tokens_per_day)} tokens`;
  const cost = limits.cost_per_month_usd === null ? "unlimited cost" : formatDollars(limits.cost_per_month_usd);
  return `${answersAllowed(limits)}; ${tokens} a day; ${cost} a month`;
}

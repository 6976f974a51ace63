/** Tokens, speed and cost: formats, the conversation's totals and the context window's fill. */
import type { ConversationTotals, Message, ModelList } from "./types";

const count = new Intl.NumberFormat("en-US");

/** What a figure the server could not give shows: a missing count, or one past any number. */
const MISSING = "—";

export function formatTokens(tokens: number | null | undefined): string {
  if (tokens == null || !Number.isFinite(tokens)) return MISSING;
  return count.format(tokens);
}

/** Dollars, with two significant digits below a cent (answers often cost fractions of one). */
export function formatCost(dollars: number | null | undefined): string {
  if (dollars == null || !Number.isFinite(dollars)) return MISSING;
  if (dollars === 0) return "$0";
  if (dollars < 0.01) return `$${Number(dollars.toPrecision(2))}`;
  return `$${dollars.toFixed(2)}`;
}

export function formatSpeed(tokensPerSecond: number): string {
  return `${tokensPerSecond.toFixed(1)} tok/s`;
}

/** The totals with one more answer's tokens and cost: an answer that ended on screen. */
export function addAnswer(totals: ConversationTotals, answer: Message): ConversationTotals {
  return {
    prompt_tokens: totals.prompt_tokens + (answer.prompt_tokens ?? 0),
    completion_tokens: totals.completion_tokens + (answer.completion_tokens ?? 0),
    cost_usd: totals.cost_usd + (answer.cost_usd ?? 0),
    cost_complete: totals.cost_complete && !(answer.cost_usd === null && answer.completion_tokens !== null),
  };
}

export interface ContextFill {
  used: number;
  window: number;
  /** 0 to 1. */
  fraction: number;
}

/**
 * How full the model's context window is: the latest answer's prompt and completion, which the
 * next question builds on, against the window of the model that answered it.
 */
export function contextFill(messages: Message[], models: ModelList | null, fallbackModel: string | null): ContextFill | null {
  const latest = [...messages].reverse().find((m) => m.role === "assistant" && m.prompt_tokens !== null);
  const modelId = latest?.model ?? fallbackModel ?? models?.default ?? null;
  const window = models?.models.find((m) => m.id === modelId)?.context_window;
  if (!latest || !window) return null;
  const used = (latest.prompt_tokens ?? 0) + (latest.completion_tokens ?? 0);
  return { used, window, fraction: Math.min(1, used / window) };
}

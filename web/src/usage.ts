/** Tokens, speed and cost: formats, the conversation's totals and the context window's fill. */
import type { Message, ModelList } from "./types";

const count = new Intl.NumberFormat("en-US");

export function formatTokens(tokens: number): string {
  return count.format(tokens);
}

/** Dollars, with two significant digits below a cent (answers often cost fractions of one). */
export function formatCost(dollars: number): string {
  if (dollars === 0) return "$0";
  if (dollars < 0.01) return `$${Number(dollars.toPrecision(2))}`;
  return `$${dollars.toFixed(2)}`;
}

export function formatSpeed(tokensPerSecond: number): string {
  return `${tokensPerSecond.toFixed(1)} tok/s`;
}

export interface Totals {
  promptTokens: number;
  completionTokens: number;
  cost: number;
  /** Some answers have no recorded cost (made before prices were recorded): the sum is a floor. */
  costComplete: boolean;
}

export function conversationTotals(messages: Message[]): Totals {
  const totals: Totals = { promptTokens: 0, completionTokens: 0, cost: 0, costComplete: true };
  for (const message of messages) {
    if (message.role !== "assistant") continue;
    totals.promptTokens += message.prompt_tokens ?? 0;
    totals.completionTokens += message.completion_tokens ?? 0;
    if (message.cost_usd === null) {
      if (message.completion_tokens !== null) totals.costComplete = false;
    } else totals.cost += message.cost_usd;
  }
  return totals;
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

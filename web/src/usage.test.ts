/** Tests of usage formats, totals and the context window's fill. */
import { describe, expect, it } from "vitest";

import type { Message, ModelList } from "./types";
import { addAnswer, contextFill, formatCost, formatSpeed, formatTokens } from "./usage";

const answer = (fields: Partial<Message>): Message => ({
  id: "a", conversation_id: "c", parent_id: null, role: "assistant", content: "", status: "complete",
  error: null, error_code: null, model: "m", attempt: 1, prompt_tokens: null, completion_tokens: null,
  cost_usd: null, first_token_at: null, finished_at: null, tokens_per_second: null, finish_reason: "stop",
  client_id: null, pinned: false, included_ids: null, created_at: "2026-11-24T10:00:00Z", updated_at: "2026-11-24T10:00:00Z", ...fields,
});

const capabilities = { tools: true, structured_outputs: true, vision: true, reasoning: false };
const sampling = {
  temperature: { default: 1, min: 0, max: 2 },
  top_p: { default: 1, min: 0, max: 1 },
  seed: { supported: true, max: 2 ** 31 - 1 },
};
const models: ModelList = {
  default: "m",
  models: [
    { id: "m", label: "M", context_window: 1000, input_price: 1, output_price: 2, local: false, capabilities, ...sampling, default_max_tokens: 1024, max_tokens_limit: 500 },
    { id: "big", label: "Big", context_window: 100_000, input_price: 1, output_price: 2, local: false, capabilities, ...sampling, default_max_tokens: 1024, max_tokens_limit: 50_000 },
  ],
};

describe("formatting", () => {
  it("writes small costs with two significant digits, and a free answer as $0", () => {
    expect(formatCost(0)).toBe("$0");
    expect(formatCost(0.000032)).toBe("$0.000032");
    expect(formatCost(0.0012345)).toBe("$0.0012");
    expect(formatCost(1.5)).toBe("$1.50");
    expect(formatTokens(12345)).toBe("12,345");
    // A figure the server could not give (JSON has no Infinity: it arrives as null) shows a dash.
    expect([formatCost(null), formatCost(Infinity), formatTokens(null), formatTokens(NaN)]).toEqual(["—", "—", "—", "—"]);
    expect(formatSpeed(21.34)).toBe("21.3 tok/s");
  });
});

describe("addAnswer", () => {
  it("adds an answer's tokens and cost, and says when a cost is missing", () => {
    const none = { prompt_tokens: 0, completion_tokens: 0, cost_usd: 0, cost_complete: true };
    const totals = addAnswer(addAnswer(none, answer({ prompt_tokens: 10, completion_tokens: 5, cost_usd: 0.5 })), answer({ prompt_tokens: 1, completion_tokens: 2, cost_usd: 0.25 }));
    expect(totals).toEqual({ prompt_tokens: 11, completion_tokens: 7, cost_usd: 0.75, cost_complete: true });
    expect(addAnswer(none, answer({ prompt_tokens: 1, completion_tokens: 1 })).cost_complete).toBe(false);
  });
});

describe("contextFill", () => {
  it("measures the latest answer against the window of the model that gave it", () => {
    const messages = [
      answer({ id: "1", prompt_tokens: 900, completion_tokens: 50 }),
      answer({ id: "2", prompt_tokens: 300, completion_tokens: 200, model: "big" }),
      answer({ id: "3", status: "queued" }),
    ];
    expect(contextFill(messages, models, null)).toEqual({ used: 500, window: 100_000, fraction: 0.005 });
    expect(contextFill(messages.slice(0, 1), models, null)).toEqual({ used: 950, window: 1000, fraction: 0.95 });
    expect(contextFill([], models, null)).toBeNull();
  });
});

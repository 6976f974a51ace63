/** Tests of limits in words, and of the admin's fields read into limits (empty: null). */
import { describe, expect, it } from "vitest";

import { answersAllowed, costThisMonth, describeLimits, readLimits, tokensToday } from "./limits";
import { LIMITS } from "./testing";
import type { Limits } from "./types";

const UNLIMITED: Limits = { running_answers: null, waiting_answers: null, tokens_per_day: null, cost_per_month_usd: null, storage_mb: null };

describe("limits in words", () => {
  it("says how much of each limit is used, and unlimited where there is none", () => {
    expect(tokensToday(12_345, 100_000)).toBe("12,345 of 100,000 tokens today");
    expect(costThisMonth(1.2, 20)).toBe("$1.20 of $20.00 this month");
    expect(answersAllowed(LIMITS)).toBe("4 answers at once, 50 waiting");
    expect(answersAllowed({ ...LIMITS, running_answers: 1, waiting_answers: 0 })).toBe("1 answer at once, 0 waiting");

    expect(tokensToday(12_345, null)).toBe("12,345 tokens today, unlimited");
    expect(costThisMonth(0, null)).toBe("$0 this month, unlimited");
    expect(answersAllowed(UNLIMITED)).toBe("Unlimited answers at once, unlimited waiting");
    expect(describeLimits(UNLIMITED)).toBe("Unlimited answers at once, unlimited waiting; unlimited tokens a day; unlimited cost a month");
    expect(describeLimits(LIMITS)).toBe("4 answers at once, 50 waiting; 100,000 tokens a day; $20.00 a month");
  });

  it("says so when the server could not count what is used", () => {
    expect(tokensToday(null, 100_000)).toBe("100,000 tokens a day (today's count is not available right now)");
    expect(costThisMonth(null, 20)).toBe("$20.00 a month (this month's count is not available right now)");
    expect(tokensToday(null, null)).toBe("Unlimited tokens a day");
  });
});

describe("readLimits", () => {
  it("reads numbers, and an empty field as null", () => {
    const fields: Record<string, string> = {
      "user.running_answers": "2", "user.waiting_answers": " ", "user.tokens_per_day": "", "user.cost_per_month_usd": "1.5", "user.storage_mb": "250",
    };
    expect(readLimits((name) => fields[name] ?? "", "user.")).toEqual({
      running_answers: 2,
      waiting_answers: null,
      tokens_per_day: null,
      cost_per_month_usd: 1.5,
      storage_mb: 250,
    });
  });
});

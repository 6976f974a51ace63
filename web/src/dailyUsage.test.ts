/** Tests of the usage chart's days: the whole window at zero where nothing was asked, models in order, and the scale. */
import { describe, expect, it } from "vitest";

import { modelsIn, scaleTop, usageDays } from "./dailyUsage";
import { dayUsage, usageReport } from "./testing";

const now = new Date("2026-11-30T23:30:00Z");

describe("usageDays", () => {
  it("has every day of the window, oldest first, each with its models' tokens", () => {
    const report = usageReport([
      dayUsage("2026-11-02", "small", 10),
      dayUsage("2026-11-30", "big", 300, { cost_usd: 0.5, answers: 2 }),
      dayUsage("2026-11-30", "small", 20, { cost_usd: 0.25 }),
    ]);
    const days = usageDays(report, now);
    expect(days).toHaveLength(30);
    expect(days[0]!.day).toBe("2026-11-01");
    expect(days.at(-1)).toEqual({
      day: "2026-11-30",
      tokens: 320,
      cost: 0.75,
      answers: 3,
      models: [
        { model: "big", tokens: 300, cost: 0.5, answers: 2 },
        { model: "small", tokens: 20, cost: 0.25, answers: 1 },
      ],
    });
    expect(days[1]!.models.map((share) => share.model)).toEqual(["small"]);
    expect(days.filter((day) => day.tokens === 0)).toHaveLength(28);
  });

  it("ends with the server's today when this computer's clock is behind", () => {
    const days = usageDays(usageReport([dayUsage("2026-12-01", "m", 5)], { days: 7 }), now);
    expect(days.map((day) => day.day)).toEqual(["2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29", "2026-11-30", "2026-12-01"]);
  });

  it("has the whole window at zero for a report without answers", () => {
    const days = usageDays(usageReport([]), now);
    expect(days).toHaveLength(30);
    expect(days.every((day) => day.tokens === 0 && day.models.length === 0)).toBe(true);
  });
});

describe("modelsIn and scaleTop", () => {
  it("puts the model with the most tokens first", () => {
    const report = usageReport([dayUsage("2026-11-29", "a", 5), dayUsage("2026-11-29", "b", 50), dayUsage("2026-11-30", "a", 10)]);
    expect(modelsIn(report)).toEqual(["b", "a"]);
  });

  it("rounds the scale up to 1, 2 or 5 times a power of ten", () => {
    expect([0, 1, 7, 10, 11, 180, 201, 12_345, 50_000].map(scaleTop)).toEqual([1, 1, 10, 10, 20, 200, 500, 20_000, 50_000]);
  });
});

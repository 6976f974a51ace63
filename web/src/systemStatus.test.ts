/** Tests of the Status page's figures: the charts' series, the current minute's live figures, and the formats. */
import { describe, expect, it } from "vitest";

import { systemStatusReducer, initialSystemStatus } from "./hooks/useSystemStatus";
import { formatMs, formatRate, highest, minuteLabel, statusCharts } from "./systemStatus";
import { minuteStatus, systemStatus } from "./testing";

describe("statusCharts", () => {
  it("draws each minute's figures, a gap where a minute has none", () => {
    const status = systemStatus({
      queued: 4,
      running: 2,
      minutes: [
        minuteStatus("2026-12-07T18:58:00Z", { completed: 3, failed: 1, error_rate: 0.25, first_token_p50_ms: 120, first_token_p95_ms: 480, queue_max: 1, running_max: 3 }),
        minuteStatus("2026-12-07T18:59:00Z", {}),
        minuteStatus("2026-12-07T19:00:00Z", { stopped: 1, error_rate: 0, queue_max: 2, running_max: 1 }),
      ],
    });
    const charts = Object.fromEntries(statusCharts(status).map((chart) => [chart.id, chart]));
    expect(Object.keys(charts)).toEqual(["queue", "answers", "first-token", "speed", "errors"]);
    // The current minute is at least what is seen now.
    expect(charts.queue?.series.map((s) => s.values)).toEqual([
      [1, null, 4],
      [3, null, 2],
    ]);
    expect(charts.answers?.series.map((s) => [s.key, s.values])).toEqual([
      ["completed", [3, 0, 0]],
      ["failed", [1, 0, 0]],
      ["stopped", [0, 0, 1]],
    ]);
    expect(charts["first-token"]?.series[1]?.values).toEqual([480, null, null]);
    expect(charts.errors?.series[0]?.values).toEqual([0.25, null, 0]);
    expect(highest(charts["first-token"]?.series ?? [])).toBe(480);
  });

  it("reads its figures as a person would", () => {
    expect(formatMs(480)).toBe("480 ms");
    expect(formatMs(12_500)).toBe("12.5 s");
    expect(formatRate(0.25)).toBe("25%");
    expect(minuteLabel("2026-12-07T18:58:00Z")).toBe("18:58");
  });
});

describe("systemStatusReducer", () => {
  it("keeps the last status through a failed read, and clears the failure on the next", () => {
    const status = systemStatus({});
    const loaded = systemStatusReducer(initialSystemStatus, { type: "loaded", status });
    expect(loaded).toEqual({ status, error: null });
    const failed = systemStatusReducer(loaded, { type: "failed", error: "Redis is not answering." });
    expect(failed).toEqual({ status, error: "Redis is not answering." });
    expect(systemStatusReducer(failed, { type: "loaded", status })).toEqual({ status, error: null });
  });
});

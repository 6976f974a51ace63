/** Tests of the usage page against a stubbed fetch: the chart's bars by day and model, totals, limits (unlimited too) with the storage used, and an empty report. */
import { cleanup, render, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { modelsIn, usageDays } from "../../dailyUsage";
import { dayUsage, serve, usageReport } from "../../testing";
import type { UsageReport } from "../../types";
import { UsageChart } from "./UsageChart";
import { UsagePage } from "./UsagePage";

const header = { theme: "light" as const, onToggleTheme: vi.fn(), onOpenSidebar: vi.fn(), onBack: vi.fn() };
const NOW = new Date("2026-11-30T12:00:00Z");

beforeEach(() => {
  vi.useFakeTimers({ now: NOW, toFake: ["Date"] });
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function renderPage(report: UsageReport) {
  const { requests } = serve({ "GET /api/usage?days=30": () => Response.json(report) });
  return { screen: render(<UsagePage {...header} />), requests };
}

const bars = (group: HTMLElement) => within(group).queryAllByTestId("usage-bar").map((bar) => [bar.dataset.model, Number(bar.dataset.tokens)]);

describe("the usage chart", () => {
  it("draws a bar per day, stacked by model, the heaviest model at the bottom, scaled to fit", () => {
    const report = usageReport([
      dayUsage("2026-11-28", "scripted", 1_000),
      dayUsage("2026-11-30", "scripted", 6_000),
      dayUsage("2026-11-30", "scripted-alt", 3_000),
    ]);
    const models = modelsIn(report);
    const screen = render(<UsageChart days={usageDays(report, NOW, models)} models={models} />);
    const chart = screen.getByTestId("usage-chart");
    const days = within(chart).getAllByTestId("usage-day");
    expect(days).toHaveLength(30);
    expect(days.at(-1)!.dataset.day).toBe("2026-11-30");
    expect(bars(days.at(-1)!)).toEqual([["scripted", 6_000], ["scripted-alt", 3_000]]);
    expect(bars(days.at(-3)!)).toEqual([["scripted", 1_000]]);
    expect(days.filter((day) => bars(day).length === 0)).toHaveLength(28);

    // 9,000 tokens on the busiest day: a scale up to 10,000; the stack fills 90% of the plot.
    expect(chart.dataset.top).toBe("10000");
    const [bottom, top] = within(days.at(-1)!).getAllByTestId("usage-bar");
    const height = (bar: Element) => Number(bar.getAttribute("height"));
    expect(height(bottom!) / height(top!)).toBeCloseTo(2);
    expect(Number(top!.getAttribute("y")) + height(top!)).toBeCloseTo(Number(bottom!.getAttribute("y")));
    expect(bottom!.getAttribute("class")).not.toBe(top!.getAttribute("class"));

    // Named for a screen reader, and each model in the legend.
    expect(chart.getAttribute("role")).toBe("img");
    const [titleId, descId] = chart.getAttribute("aria-labelledby")!.split(" ");
    expect(document.getElementById(titleId!)!.textContent).toBe("Tokens per day, the last 30 days");
    expect(document.getElementById(descId!)!.textContent).toMatch(/^10,000 tokens on 2 of the last 30 days; the most on .+: 9,000\.$/);
    expect(within(screen.getByTestId("usage-legend")).getAllByRole("listitem").map((item) => item.textContent)).toEqual(["scripted", "scripted-alt"]);
  });
});

describe("the usage page", () => {
  it("shows the report's chart, cost per day, totals and how much of each limit is used", async () => {
    const { screen, requests } = renderPage(
      usageReport(
        [
          dayUsage("2026-11-29", "scripted", 2_000, { cost_usd: 0.5, answers: 2 }),
          dayUsage("2026-11-30", "scripted", 10_345, { prompt_tokens: 10_000, completion_tokens: 345, cost_usd: 0.7, answers: 3 }),
        ],
        { tokens_today: 12_345, cost_this_month_usd: 1.2, storage_used_bytes: 12_345_678 },
      ),
    );
    const drawn = await screen.findAllByTestId("usage-bar");
    expect(drawn.map((bar) => bar.closest("g")!.dataset.day)).toEqual(["2026-11-29", "2026-11-30"]);
    expect(requests.map((r) => r.route)).toEqual(["GET /api/usage?days=30"]);

    const rows = screen.getAllByTestId("usage-day-row");
    expect(rows.map((row) => row.dataset.day)).toEqual(["2026-11-30", "2026-11-29"]);
    expect(rows.map((row) => within(row).getByTestId("day-cost").textContent)).toEqual(["$0.70", "$0.50"]);
    expect(screen.getByTestId("total-answers").textContent).toBe("5");
    expect(screen.getByTestId("total-tokens").firstChild!.textContent).toBe("12,345");
    expect(within(screen.getByTestId("total-tokens")).getByText("11,000 prompt + 1,345 answer")).toBeTruthy();
    expect(screen.getByTestId("total-cost").textContent).toBe("$1.20");

    const limits = screen.getByTestId("usage-limits");
    expect(within(limits).getByTestId("limit-tokens").textContent).toBe("12,345 of 100,000 tokens today");
    expect(within(limits).getByTestId("limit-cost").textContent).toBe("$1.20 of $20.00 this month");
    expect(within(limits).getByTestId("limit-answers").textContent).toBe("4 answers at once, 50 waiting");
    expect(within(limits).getByTestId("limit-storage").textContent).toBe("12.3 MB of 500 MB of files");
    expect(within(limits).getByLabelText("Tokens used today")).toHaveProperty("value", 12_345);
    expect(within(limits).getByLabelText("Storage used by files")).toHaveProperty("value", 12_345_678);
  });

  it("says unlimited where a limit is null, and that the counts are unknown while the server cannot tell", async () => {
    const unlimited = { running_answers: null, waiting_answers: 0, tokens_per_day: null, cost_per_month_usd: 5, storage_mb: null };
    const { screen } = renderPage(usageReport([dayUsage("2026-11-30", "scripted", 50)], { limits: unlimited, tokens_today: null, cost_this_month_usd: null }));
    const limits = await screen.findByTestId("usage-limits");
    expect(within(limits).getByTestId("limit-tokens").textContent).toBe("Unlimited tokens a day");
    expect(within(limits).getByTestId("limit-cost").textContent).toBe("$5.00 a month (this month's count is not available right now)");
    expect(within(limits).getByTestId("limit-answers").textContent).toBe("Unlimited answers at once, 0 waiting");
    expect(within(limits).getByTestId("limit-storage").textContent).toBe("0 bytes of files, unlimited");
    expect(within(limits).queryByRole("meter")).toBeNull();
  });

  it("draws an empty chart and says so for a report without answers", async () => {
    const { screen } = renderPage(usageReport([], { tokens_today: 0, cost_this_month_usd: 0 }));
    const chart = await screen.findByTestId("usage-chart");
    expect(within(chart).getAllByTestId("usage-day")).toHaveLength(30);
    expect(within(chart).queryAllByTestId("usage-bar")).toHaveLength(0);
    expect(screen.queryByTestId("usage-legend")).toBeNull();
    expect(screen.getByTestId("usage-empty").textContent).toBe("No answers in the last 30 days.");
    expect(screen.queryByTestId("usage-days")).toBeNull();
    expect(screen.getByTestId("total-answers").textContent).toBe("0");
    expect(screen.getByTestId("limit-tokens").textContent).toBe("0 of 100,000 tokens today");
  });

  it("shows the server's sentence when the report cannot be read", async () => {
    serve({ "GET /api/usage?days=30": () => Response.json({ detail: "The database is unavailable right now; try again in a few seconds." }, { status: 503 }) });
    const screen = render(<UsagePage {...header} />);
    expect((await screen.findByTestId("usage-error")).textContent).toBe("The database is unavailable right now; try again in a few seconds.");
    expect(screen.queryByTestId("usage-chart")).toBeNull();
  });
});

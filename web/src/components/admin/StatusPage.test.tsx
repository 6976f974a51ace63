/** Tests of the Status page against a stubbed fetch: the figures now, a chart's points, the workers
 * table with a stale worker flagged, none alive, a failed read, and the next read a few seconds on. */
import { act, cleanup, render, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { STATUS_POLL_MS } from "../../systemStatus";
import { minuteStatus, refused, serve, systemStatus } from "../../testing";
import { StatusPage } from "./StatusPage";

const header = { theme: "light" as const, onToggleTheme: vi.fn(), onOpenSidebar: vi.fn(), onBack: vi.fn() };

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const STATUS = systemStatus({
  queued: 2,
  running: 3,
  admitted: 5,
  workers: [
    { id: "host-a:11", host: "host-a", pid: 11, slots: 4, running: 2, heartbeat_age_seconds: 1.2, stale: false },
    { id: "host-b:22", host: "host-b", pid: 22, slots: 2, running: 1, heartbeat_age_seconds: 12.5, stale: true },
  ],
  minutes: [
    minuteStatus("2026-12-07T18:59:00Z", {}),
    minuteStatus("2026-12-07T19:00:00Z", { completed: 2, failed: 1, error_rate: 0.333, first_token_p50_ms: 150, first_token_p95_ms: 900 }),
  ],
  hour: { completed: 2, failed: 1, stopped: 0, error_rate: 0.333, tokens_per_second: 41.5, first_token_p50_ms: 150, first_token_p95_ms: 900 },
});

describe("StatusPage", () => {
  it("shows the figures now, the charts and the workers, a stale one flagged", async () => {
    serve({ "GET /api/admin/status": () => Response.json(STATUS) });
    const screen = render(<StatusPage {...header} />);
    expect(await screen.findByTestId("workers-table")).toBeTruthy();
    expect(screen.getByTestId("status-queued").textContent).toBe("2");
    expect(screen.getByTestId("status-running").textContent).toBe("3");
    expect(screen.getByTestId("status-hour-p95").textContent).toBe("900 ms");
    expect(screen.getByTestId("status-hour-errors").textContent).toBe("33.3%");
    const rows = screen.getAllByTestId("worker-row");
    expect(rows.map((row) => [row.dataset.worker, row.dataset.stale])).toEqual([
      ["host-a:11", "false"],
      ["host-b:22", "true"],
    ]);
    expect(within(rows[0] as HTMLElement).queryByTestId("worker-stale")).toBeNull();
    expect(within(rows[1] as HTMLElement).getByTestId("worker-stale").textContent).toBe("stale");
    const answers = screen.getAllByTestId("status-chart").find((chart) => chart.dataset.chart === "answers") as HTMLElement;
    const completed = within(answers).getAllByTestId("status-series").find((series) => series.dataset.series === "completed") as HTMLElement;
    expect(within(completed).getAllByTestId("status-point").map((point) => Number(point.dataset.value))).toEqual([0, 2]);
    expect(screen.getAllByRole("img").length).toBe(5);
  });

  it("says when no worker is alive, and why a read failed, keeping what it showed", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let answer = () => Response.json(systemStatus({}));
    const { count } = serve({ "GET /api/admin/status": () => answer() });
    const screen = render(<StatusPage {...header} />);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(0);
    });
    expect(screen.getByTestId("no-workers")).toBeTruthy();
    answer = refused(503, "Redis is not answering.");
    await act(async () => {
      await vi.advanceTimersByTimeAsync(STATUS_POLL_MS);
    });
    expect(count("GET /api/admin/status")).toBe(2);
    expect(screen.getByTestId("status-error").textContent).toBe("Redis is not answering.");
    expect(screen.getByTestId("no-workers")).toBeTruthy();
    answer = () => Response.json(STATUS);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(STATUS_POLL_MS);
    });
    expect(screen.queryByTestId("status-error")).toBeNull();
    expect(screen.getAllByTestId("worker-row").length).toBe(2);
  });
});

/** Tests of follow: reconnects with backoff and Last-Event-ID, final statuses, the last event, aborting. */
import { afterEach, describe, expect, it, vi } from "vitest";

import { backoff, follow } from "./follow";
import { sse, streamResponse } from "./testing";

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

const headers = (fetch: { mock: { calls: unknown[][] } }) => fetch.mock.calls.map(([, init]) => (init as RequestInit).headers);

describe("follow", () => {
  it("resumes after each drop from the last event id, so nothing arrives twice", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const fetch = vi
      .spyOn(globalThis, "fetch")
      .mockResolvedValueOnce(streamResponse([sse("1-0", "delta", "a")], "drop"))
      .mockRejectedValueOnce(new TypeError("connection refused"))
      .mockResolvedValueOnce(streamResponse([sse("1-1", "delta", "b")], "drop"))
      .mockResolvedValueOnce(streamResponse([sse("1-2", "delta", "c"), sse("1-3", "done", "d")]));
    const seen: string[] = [];
    const reconnecting: boolean[] = [];
    const followed = follow("/stream", {
      signal: new AbortController().signal,
      onEvent: (event) => {
        seen.push(JSON.parse(event.data) as string);
        return event.event === "done";
      },
      onReconnecting: (value) => reconnecting.push(value),
    });
    await vi.advanceTimersByTimeAsync(backoff(0) + backoff(1) + backoff(0));

    await expect(followed).resolves.toBeNull();
    expect(seen).toEqual(["a", "b", "c", "d"]);
    expect(headers(fetch)).toEqual([{}, { "Last-Event-ID": "1-0" }, { "Last-Event-ID": "1-0" }, { "Last-Event-ID": "1-1" }]);
    // Connected, dropped, refused, connected, dropped, connected.
    expect(reconnecting).toEqual([false, true, true, false, true, false]);
  });

  it("retries a status that may pass (a 502 from a restarting API) and stops at a final one", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const fetch = vi
      .spyOn(globalThis, "fetch")
      .mockResolvedValueOnce(new Response("bad gateway", { status: 502 }))
      .mockResolvedValueOnce(new Response(null, { status: 404 }));
    const followed = follow("/stream", { signal: new AbortController().signal, onEvent: () => false, isFinal: (status) => status === 404 });
    await vi.advanceTimersByTimeAsync(backoff(0));

    await expect(followed).resolves.toBe(404);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it("stops at once when aborted, even while waiting to reconnect", async () => {
    vi.useFakeTimers();
    const fetch = vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("connection refused"));
    const abort = new AbortController();
    const followed = follow("/stream", { signal: abort.signal, onEvent: () => false });
    await vi.advanceTimersByTimeAsync(0);
    abort.abort();

    await expect(followed).resolves.toBeNull();
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("stops while reading when aborted", async () => {
    const fetch = vi
      .spyOn(globalThis, "fetch")
      .mockImplementation((_url, init) => Promise.resolve(streamResponse([sse("1-0", "delta", "a")], "hang", init?.signal)));
    const abort = new AbortController();
    const seen: string[] = [];
    const followed = follow("/stream", { signal: abort.signal, onEvent: (event) => void seen.push(event.data) });
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    abort.abort();

    await expect(followed).resolves.toBeNull();
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("backs off up to eight seconds", () => {
    expect([0, 1, 2, 3, 4, 10].map(backoff)).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
  });
});

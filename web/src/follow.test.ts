/** Tests of follow: reconnects with backoff and Last-Event-ID, silent streams, final statuses, the last event, aborting. */
import { afterEach, describe, expect, it, vi } from "vitest";

import { backoff, follow, SILENCE_MS } from "./follow";
import { EventReader } from "./sse";
import { sse, streamResponse } from "./testing";

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

const headers = (fetch: { mock: { calls: unknown[][] } }) => fetch.mock.calls.map(([, init]) => (init as RequestInit).headers);

/** A stream response the test writes to as time passes, as a server does; it never ends by itself. */
function liveResponse() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  const response = new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
  return { response, send: (chunk: string) => controller.enqueue(new TextEncoder().encode(chunk)) };
}

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

  it("reconnects a stream silent past the limit from the last event id, so the rest arrives once", async () => {
    vi.useFakeTimers();
    // The first stream hangs: no close, no error, no heartbeat (a partition, a hung API host).
    const fetch = vi
      .spyOn(globalThis, "fetch")
      .mockResolvedValueOnce(streamResponse([sse("1-0", "delta", "a"), sse("1-1", "delta", "b")], "hang"))
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
    await vi.advanceTimersByTimeAsync(SILENCE_MS - 1);
    expect(seen).toEqual(["a", "b"]);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1 + backoff(0));

    await expect(followed).resolves.toBeNull();
    expect(seen).toEqual(["a", "b", "c", "d"]);
    expect(headers(fetch)).toEqual([{}, { "Last-Event-ID": "1-1" }]);
    expect(reconnecting).toEqual([false, true, false]);
  });

  it("keeps a stream whose only bytes are heartbeats past the silence limit", async () => {
    vi.useFakeTimers();
    const stream = liveResponse();
    const fetch = vi.spyOn(globalThis, "fetch").mockResolvedValueOnce(stream.response);
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
    stream.send(sse("1-0", "delta", "a"));
    // A long think: only heartbeats, each within the limit, three limits in all.
    for (let beat = 0; beat < 6; beat++) {
      await vi.advanceTimersByTimeAsync(SILENCE_MS / 2);
      stream.send(": ping\r\n\r\n");
    }
    stream.send(sse("1-1", "done", "b"));

    await expect(followed).resolves.toBeNull();
    expect(seen).toEqual(["a", "b"]);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(reconnecting).toEqual([false]);
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

  it.each([
    ["a fetched stream", false],
    ["a stream the submit handed over", true],
  ])("stops %s watched for silence when aborted, leaving no timer running", async (_name, handedOver) => {
    vi.useFakeTimers();
    const fetch = vi
      .spyOn(globalThis, "fetch")
      .mockImplementation((_url, init) => Promise.resolve(streamResponse([sse("1-0", "delta", "a")], "hang", init?.signal)));
    const abort = new AbortController();
    const seen: string[] = [];
    const followed = follow("/stream", {
      signal: abort.signal,
      onEvent: (event) => void seen.push(event.data),
      opened: handedOver ? new EventReader(streamResponse([sse("1-0", "delta", "a")], "hang").body!) : undefined,
    });
    await vi.advanceTimersByTimeAsync(SILENCE_MS / 2);
    expect(seen).toHaveLength(1);
    abort.abort();

    await expect(followed).resolves.toBeNull();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(2 * SILENCE_MS);
    expect(fetch).toHaveBeenCalledTimes(handedOver ? 0 : 1);
  });

  it("backs off up to eight seconds", () => {
    expect([0, 1, 2, 3, 4, 10].map(backoff)).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
  });
});

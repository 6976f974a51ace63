/** Tests of following an answer: deltas, reset, reconnects from the last event id, errors, 204, refusals. */
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { backoff } from "../follow";
import { message, sse, streamResponse } from "../testing";
import type { Message } from "../types";
import { type AnswerReport, useEventStream } from "./useEventStream";

const answer = (content: string, fields: Partial<Message> = {}) => message({ id: "m1", content, ...fields });

/** What the hook reported: every text, the reconnecting flag, and the end. */
function recorder() {
  const texts: string[] = [];
  const report = {
    onSaid: vi.fn<AnswerReport["onSaid"]>((said) => void texts.push(said.text)),
    onReconnecting: vi.fn<AnswerReport["onReconnecting"]>(),
    onEnd: vi.fn<AnswerReport["onEnd"]>(),
  };
  return {
    report,
    texts,
    text: () => texts.at(-1),
    reconnecting: () => report.onReconnecting.mock.lastCall?.[0] ?? false,
    ended: () => report.onEnd.mock.calls.length > 0,
  };
}

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("useEventStream", () => {
  it("accumulates deltas and ends with the terminal message", async () => {
    vi.spyOn(globalThis, "fetch").mockResolvedValueOnce(
      streamResponse([sse("1-0", "delta", { text: "Hel" }), sse("1-1", "delta", { text: "lo" }), sse("1-2", "done", answer("Hello"))]),
    );
    const seen = recorder();
    renderHook(() => useEventStream("m1", seen.report));
    await waitFor(() => expect(seen.ended()).toBe(true));
    expect(seen.texts).toEqual(["Hel", "Hello"]);
    expect(seen.report.onSaid).toHaveBeenLastCalledWith({ text: "Hello", reasoning: "", toolCalls: [] }, "m1");
    expect(seen.report.onEnd).toHaveBeenCalledExactlyOnceWith(expect.objectContaining({ content: "Hello" }), "m1");
  });

  it("discards a failed attempt's text on reset", async () => {
    vi.spyOn(globalThis, "fetch").mockResolvedValueOnce(
      streamResponse([
        sse("1-0", "delta", { text: "first try" }),
        sse("1-1", "reset", { attempt: 2 }),
        sse("1-2", "delta", { text: "second" }),
        sse("1-3", "done", answer("second")),
      ]),
    );
    const seen = recorder();
    renderHook(() => useEventStream("m1", seen.report));
    await waitFor(() => expect(seen.ended()).toBe(true));
    expect(seen.texts).toEqual(["first try", "", "second"]);
    expect(seen.report.onEnd).toHaveBeenCalledWith(expect.objectContaining({ content: "second" }), "m1");
  });

  it("reconnects after a drop from the last event id, without doubling text", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const fetch = vi
      .spyOn(globalThis, "fetch")
      .mockResolvedValueOnce(streamResponse([sse("1-0", "delta", { text: "Hel" })], "drop"))
      .mockResolvedValueOnce(streamResponse([sse("1-1", "delta", { text: "lo" })], "drop"))
      .mockResolvedValueOnce(streamResponse([sse("1-2", "done", answer("Hello"))]));
    const seen = recorder();
    renderHook(() => useEventStream("m1", seen.report));
    await waitFor(() => expect(seen.reconnecting()).toBe(true));
    expect(seen.text()).toBe("Hel");
    await act(async () => {
      await vi.advanceTimersByTimeAsync(backoff(0));
    });
    await waitFor(() => expect(seen.text()).toBe("Hello"));
    await act(async () => {
      await vi.advanceTimersByTimeAsync(backoff(0));
    });
    await waitFor(() => expect(seen.ended()).toBe(true));
    expect(seen.reconnecting()).toBe(false);
    expect(seen.texts).toEqual(["Hel", "Hello"]);
    const cursors = fetch.mock.calls.map(([, init]) => (init as RequestInit).headers);
    expect(cursors).toEqual([{}, { "Last-Event-ID": "1-0" }, { "Last-Event-ID": "1-1" }]);
  });

  it("ends an error with the failed message: its readable error and the partial text", async () => {
    const failed = answer("part", { status: "failed", error: "The connection was lost.", error_code: "connection_lost" });
    vi.spyOn(globalThis, "fetch").mockResolvedValueOnce(
      streamResponse([
        sse("1-0", "delta", { text: "part" }),
        sse("1-1", "error", { code: "connection_lost", message: "The connection was lost.", message_obj: failed }),
      ]),
    );
    const seen = recorder();
    renderHook(() => useEventStream("m1", seen.report));
    await waitFor(() => expect(seen.ended()).toBe(true));
    expect(seen.report.onEnd).toHaveBeenCalledWith(failed, "m1");
    expect(seen.text()).toBe("part");
  });

  it("ends with no message when the conversation was deleted, so the caller reads it again", async () => {
    vi.spyOn(globalThis, "fetch").mockResolvedValueOnce(
      streamResponse([sse("1-0", "error", { code: "deleted", message: "This conversation was deleted.", message_obj: null })]),
    );
    const seen = recorder();
    renderHook(() => useEventStream("m1", seen.report));
    await waitFor(() => expect(seen.ended()).toBe(true));
    expect(seen.report.onEnd).toHaveBeenCalledWith(null, "m1");
  });

  it("reads the final message back when the server says the client already has everything (204)", async () => {
    vi.spyOn(globalThis, "fetch")
      .mockResolvedValueOnce(new Response(null, { status: 204 }))
      .mockResolvedValueOnce(new Response(JSON.stringify(answer("all of it")), { status: 200 }));
    const seen = recorder();
    renderHook(() => useEventStream("m1", seen.report));
    await waitFor(() => expect(seen.ended()).toBe(true));
    expect(seen.report.onEnd).toHaveBeenCalledWith(expect.objectContaining({ content: "all of it" }), "m1");
  });

  it("ends at once, with no message, when the stream is refused (an unknown answer)", async () => {
    const fetch = vi.spyOn(globalThis, "fetch").mockResolvedValue(new Response(null, { status: 404 }));
    const seen = recorder();
    renderHook(() => useEventStream("m1", seen.report));
    await waitFor(() => expect(seen.ended()).toBe(true));
    expect(seen.report.onEnd).toHaveBeenCalledWith(null, "m1");
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("follows nothing without an answer, and lets go of an answer when the id changes", async () => {
    const fetch = vi
      .spyOn(globalThis, "fetch")
      .mockImplementation((_url, init) => Promise.resolve(streamResponse([sse("1-0", "delta", { text: "a" })], "hang", init?.signal)));
    const seen = recorder();
    const { rerender } = renderHook(({ id }) => useEventStream(id, seen.report), { initialProps: { id: null as string | null } });
    expect(fetch).not.toHaveBeenCalled();

    rerender({ id: "m1" });
    await waitFor(() => expect(seen.text()).toBe("a"));
    rerender({ id: null });
    const request = fetch.mock.calls[0]![1] as RequestInit;
    expect(request.signal?.aborted).toBe(true);
    expect(seen.ended()).toBe(false);
  });
});

import { act, renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { Message } from "../types";
import { backoff } from "../follow";
import { useEventStream } from "./useEventStream";

function message(content: string, status: Message["status"] = "complete"): Message {
  return {
    id: "m1", conversation_id: "c1", parent_id: "u1", role: "assistant", content, status,
    error: null, error_code: null, model: "x", attempt: 1, prompt_tokens: 1, completion_tokens: 1,
    cost_usd: null, first_token_at: null, finished_at: null, tokens_per_second: null,
    finish_reason: "stop", client_id: null, pinned: false, included_ids: null, created_at: "", updated_at: "",
  };
}

const sse = (id: string, event: string, data: unknown) => `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** A response whose body yields `chunks`, then either ends or errors (a dropped connection). */
function streamResponse(chunks: string[], drop = false): Response {
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[next++];
      if (chunk !== undefined) controller.enqueue(new TextEncoder().encode(chunk));
      else if (drop) controller.error(new TypeError("network error"));
      else controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("useEventStream", () => {
  it("accumulates deltas and ends with the terminal message", async () => {
    vi.spyOn(globalThis, "fetch").mockResolvedValueOnce(
      streamResponse([sse("1-0", "delta", { text: "Hel" }), sse("1-1", "delta", { text: "lo" }), sse("1-2", "done", message("Hello"))]),
    );
    const ended = vi.fn();
    const { result } = renderHook(() => useEventStream("m1", ended));
    await waitFor(() => expect(result.current.status).toBe("ready"));
    expect(result.current.text).toBe("Hello");
    expect(ended).toHaveBeenCalledWith(expect.objectContaining({ content: "Hello" }), "m1");
  });

  it("discards a failed attempt's text on reset", async () => {
    vi.spyOn(globalThis, "fetch").mockResolvedValueOnce(
      streamResponse([
        sse("1-0", "delta", { text: "first try" }),
        sse("1-1", "reset", { attempt: 2 }),
        sse("1-2", "delta", { text: "second" }),
        sse("1-3", "done", message("second")),
      ]),
    );
    const { result } = renderHook(() => useEventStream("m1"));
    await waitFor(() => expect(result.current.status).toBe("ready"));
    expect(result.current.text).toBe("second");
  });

  it("reconnects after a drop from the last event id, without doubling text", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const fetch = vi
      .spyOn(globalThis, "fetch")
      .mockResolvedValueOnce(streamResponse([sse("1-0", "delta", { text: "Hel" })], true))
      .mockResolvedValueOnce(streamResponse([sse("1-1", "delta", { text: "lo" })], true))
      .mockResolvedValueOnce(streamResponse([sse("1-2", "done", message("Hello"))]));
    const { result } = renderHook(() => useEventStream("m1"));
    await waitFor(() => expect(result.current.reconnecting).toBe(true));
    expect(result.current.text).toBe("Hel");
    await act(async () => {
      await vi.advanceTimersByTimeAsync(backoff(0));
    });
    await waitFor(() => expect(result.current.text).toBe("Hello"));
    await act(async () => {
      await vi.advanceTimersByTimeAsync(backoff(0));
    });
    await waitFor(() => expect(result.current.status).toBe("ready"));
    expect(result.current.reconnecting).toBe(false);
    const cursors = fetch.mock.calls.map(([, init]) => (init as RequestInit).headers);
    expect(cursors).toEqual([{}, { "Last-Event-ID": "1-0" }, { "Last-Event-ID": "1-1" }]);
  });

  it("ends an error with the server's readable message and the partial text", async () => {
    vi.spyOn(globalThis, "fetch").mockResolvedValueOnce(
      streamResponse([
        sse("1-0", "delta", { text: "part" }),
        sse("1-1", "error", { code: "connection_lost", message: "The connection was lost.", message_obj: message("part", "failed") }),
      ]),
    );
    const { result } = renderHook(() => useEventStream("m1"));
    await waitFor(() => expect(result.current.status).toBe("error"));
    expect(result.current.error).toEqual({ code: "connection_lost", message: "The connection was lost." });
    expect(result.current.text).toBe("part");
  });

  it("reads the final message back when the server says the client already has everything (204)", async () => {
    vi.spyOn(globalThis, "fetch")
      .mockResolvedValueOnce(new Response(null, { status: 204 }))
      .mockResolvedValueOnce(new Response(JSON.stringify(message("all of it")), { status: 200 }));
    const { result } = renderHook(() => useEventStream("m1"));
    await waitFor(() => expect(result.current.status).toBe("ready"));
    expect(result.current.text).toBe("all of it");
  });
});

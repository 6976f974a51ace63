/** Tests of the event-stream parser (chunk boundaries, comments, multi-line data, split line ends) and the reader's silence limit. */
import { afterEach, describe, expect, it, vi } from "vitest";

import { EventReader, Silent, SseParser } from "./sse";
import { sse } from "./testing";

afterEach(() => {
  vi.useRealTimers();
});

describe("SseParser", () => {
  it("splits events across arbitrary chunk boundaries", () => {
    const parser = new SseParser();
    const stream = 'id: 1-0\nevent: delta\ndata: {"text":"he"}\n\nid: 1-1\nevent: delta\ndata: {"text":"llo"}\n\n';
    const events = [];
    for (let i = 0; i < stream.length; i += 5) events.push(...parser.push(stream.slice(i, i + 5)));
    expect(events).toEqual([
      { id: "1-0", event: "delta", data: '{"text":"he"}' },
      { id: "1-1", event: "delta", data: '{"text":"llo"}' },
    ]);
  });

  it("ignores heartbeat comments and joins multi-line data", () => {
    const parser = new SseParser();
    expect(parser.push(": ping\r\n\r\ndata: a\r\ndata: b\r\n\r\n")).toEqual([{ id: null, event: "message", data: "a\nb" }]);
  });

  it("never loses an id or an event name when a \\r\\n is split between chunks", () => {
    // sse-starlette ends lines with \r\n; a network chunk may end between the two.
    const stream = 'id: 1-0\r\nevent: delta\r\ndata: {"text":"a"}\r\n\r\nid: 1-1\r\nevent: done\r\ndata: {}\r\n\r\n';
    const expected = [
      { id: "1-0", event: "delta", data: '{"text":"a"}' },
      { id: "1-1", event: "done", data: "{}" },
    ];
    for (let cut = 1; cut < stream.length; cut++) {
      const parser = new SseParser();
      expect([...parser.push(stream.slice(0, cut)), ...parser.push(stream.slice(cut))]).toEqual(expected);
    }
  });
});

describe("EventReader", () => {
  it("hangs up a body that sends nothing for silenceMs and throws Silent", async () => {
    vi.useFakeTimers();
    const cancel = vi.fn();
    const body = new ReadableStream<Uint8Array<ArrayBuffer>>({
      start: (controller) => controller.enqueue(new TextEncoder().encode(sse("1-0", "delta", "a"))),
      cancel,
    });
    const reader = new EventReader(body);
    await expect(reader.next(1000)).resolves.toMatchObject({ id: "1-0" });
    const next = reader.next(1000);
    const silent = expect(next).rejects.toBeInstanceOf(Silent);
    await vi.advanceTimersByTimeAsync(1000);

    await silent;
    expect(cancel).toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("counts a heartbeat comment as a sign of life", async () => {
    vi.useFakeTimers();
    let controller!: ReadableStreamDefaultController<Uint8Array<ArrayBuffer>>;
    const reader = new EventReader(new ReadableStream<Uint8Array<ArrayBuffer>>({ start: (c) => void (controller = c) }));
    const next = reader.next(1000);
    await vi.advanceTimersByTimeAsync(900);
    controller.enqueue(new TextEncoder().encode(": ping\n\n"));
    await vi.advanceTimersByTimeAsync(900);
    controller.enqueue(new TextEncoder().encode(sse("1-0", "delta", "a")));

    await expect(next).resolves.toMatchObject({ id: "1-0" });
    expect(vi.getTimerCount()).toBe(0);
  });
});

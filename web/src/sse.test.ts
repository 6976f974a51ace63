/** Tests of the event-stream parser: chunk boundaries, comments, multi-line data, split line ends. */
import { describe, expect, it } from "vitest";

import { SseParser } from "./sse";

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

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
});

/** A parser for text/event-stream bodies. */

/** One Server-Sent Event. */
export interface SseEvent {
  id: string | null;
  event: string;
  data: string;
}

/**
 * Splits a text/event-stream body into events as they arrive (the browser's EventSource
 * algorithm, minus reconnecting, which follow.ts does with its own backoff).
 */
export class SseParser {
  private buffer = "";
  private fields: { id: string | null; event: string; data: string[] } = { id: null, event: "message", data: [] };

  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const events: SseEvent[] = [];
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      // A lone \r at the end may be the first half of a \r\n split across two chunks: wait.
      if (newline === this.buffer.length - 1 && this.buffer.endsWith("\r")) break;
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith("\r\n", newline) ? 2 : 1;
      this.buffer = this.buffer.slice(newline + width);
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  private line(line: string): SseEvent | null {
    if (line === "") {
      const { id, event, data } = this.fields;
      this.fields = { id: null, event: "message", data: [] };
      return data.length ? { id, event, data: data.join("\n") } : null;
    }
    if (line.startsWith(":")) return null; // a comment: the server's heartbeat
    const colon = line.indexOf(":");
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (name === "data") this.fields.data.push(value);
    else if (name === "event") this.fields.event = value;
    else if (name === "id") this.fields.id = value;
    return null;
  }
}

/** Reads a response body as events, one at a time: the events of a chunk wait for the next calls. */
export class EventReader {
  private readonly reader: ReadableStreamDefaultReader<string>;
  private readonly parser = new SseParser();
  private pending: SseEvent[] = [];

  constructor(body: NonNullable<Response["body"]>) {
    this.reader = body.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next event, or null when the body ended. */
  async next(): Promise<SseEvent | null> {
    while (this.pending.length === 0) {
      const { value, done } = await this.reader.read();
      if (done) return null;
      this.pending = this.parser.push(value);
    }
    return this.pending.shift() ?? null;
  }

  /** Hangs up: the server sees the client go (the answer runs on). */
  cancel(): void {
    void this.reader.cancel().catch(() => undefined);
  }
}

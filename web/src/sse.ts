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

/** What `EventReader.next` throws when no bytes arrived for its `silenceMs`: the body was cancelled. */
export class Silent extends Error {
  constructor(ms: number) {
    super(`the stream sent nothing for ${ms} ms`);
    this.name = "Silent";
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

  /**
   * The next event, or null when the body ended. With `silenceMs`, a read that gets no bytes at
   * all for that long (any chunk counts, heartbeat comments too) cancels the body and throws Silent.
   */
  async next(silenceMs?: number): Promise<SseEvent | null> {
    while (this.pending.length === 0) {
      const { value, done } = await this.read(silenceMs);
      if (done) return null;
      this.pending = this.parser.push(value);
    }
    return this.pending.shift() ?? null;
  }

  private async read(silenceMs?: number): Promise<ReadableStreamReadResult<string>> {
    if (silenceMs === undefined) return this.reader.read();
    let silent = false;
    // Cancelling ends the pending read (done), which the flag turns into Silent.
    const timer = setTimeout(() => {
      silent = true;
      this.cancel();
    }, silenceMs);
    try {
      const result = await this.reader.read();
      if (silent) throw new Silent(silenceMs);
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Hangs up: the server sees the client go (the answer runs on). */
  cancel(): void {
    void this.reader.cancel().catch(() => undefined);
  }
}

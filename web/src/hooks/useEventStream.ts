import { useEffect, useRef, useState } from "react";

import { api } from "../api";
import { type SseEvent, SseParser } from "../sse";
import type { Message } from "../types";

export type StreamStatus = "submitted" | "streaming" | "ready" | "error";

export interface StreamError {
  code: string;
  message: string;
}

export interface StreamState {
  messageId: string | null;
  text: string;
  status: StreamStatus;
  reconnecting: boolean;
  /** The final message, once a terminal event (or the database) says the answer ended. */
  message: Message | null;
  error: StreamError | null;
}

const IDLE: StreamState = { messageId: null, text: "", status: "ready", reconnecting: false, message: null, error: null };

/** Waits before reconnect n: 0.5 s, 1 s, 2 s … at most 8 s. */
export function backoff(attempt: number): number {
  return Math.min(500 * 2 ** attempt, 8000);
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * Follows one answer's event stream, from its first event, through drops and server restarts,
 * until a terminal event. The replay from the start rebuilds the text exactly, so a reload or a
 * second tab shows the same answer; `reset` discards a failed attempt's text; after a dropped
 * connection it resumes from the last event id with backoff, and says so in `reconnecting`.
 */
export function useEventStream(
  messageId: string | null,
  onEnd?: (message: Message | null, messageId: string) => void,
): StreamState {
  const [state, setState] = useState<StreamState>(IDLE);
  const onEndRef = useRef(onEnd);
  onEndRef.current = onEnd;

  useEffect(() => {
    if (!messageId) {
      setState(IDLE);
      return;
    }
    const abort = new AbortController();
    setState({ ...IDLE, messageId, status: "submitted" });
    void follow(messageId, abort.signal, setState, (message) => onEndRef.current?.(message, messageId));
    return () => abort.abort();
  }, [messageId]);

  return state;
}

async function follow(
  messageId: string,
  signal: AbortSignal,
  setState: (update: (state: StreamState) => StreamState) => void,
  ended: (message: Message | null) => void,
): Promise<void> {
  let cursor: string | null = null;
  let text = "";
  let failures = 0;
  const finish = (message: Message | null, error: StreamError | null) => {
    if (signal.aborted) return;
    setState((s) => ({
      ...s,
      text: message ? message.content : text,
      message,
      error,
      reconnecting: false,
      status: error ? "error" : "ready",
    }));
    ended(message);
  };

  while (!signal.aborted) {
    try {
      const response: Response = await fetch(`/api/messages/${messageId}/stream`, {
        headers: cursor ? { "Last-Event-ID": cursor } : {},
        signal,
      });
      if (response.status === 204) {
        // We already had the end: read it back.
        const message = await api.getMessage(messageId).catch(() => null);
        finish(message, message ? null : { code: "not_found", message: "This answer no longer exists." });
        return;
      }
      if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
        // Asking again cannot help (unknown answer, bad cursor): stop, and say so.
        const message = response.status === 404 ? "This answer no longer exists." : `The stream answered ${response.status}.`;
        finish(null, { code: "stream_refused", message });
        return;
      }
      if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
      failures = 0;
      setState((s) => ({ ...s, reconnecting: false }));
      const reader: ReadableStreamDefaultReader<string> = response.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SseParser();
      for (;;) {
        const { value, done }: ReadableStreamReadResult<string> = await reader.read();
        if (done) break;
        const events: SseEvent[] = parser.push(value);
        for (const event of events) {
          if (event.id) cursor = event.id;
          const data = JSON.parse(event.data) as Record<string, unknown>;
          switch (event.event) {
            case "delta":
              text += String(data.text);
              setState((s) => ({ ...s, text, status: "streaming" }));
              break;
            case "reset":
              text = "";
              setState((s) => ({ ...s, text, status: "streaming" }));
              break;
            case "done":
            case "stopped":
              finish(data as unknown as Message, null);
              return;
            case "error": {
              const message = (data.message_obj ?? null) as Message | null;
              if (message) text = message.content;
              finish(message, { code: String(data.code), message: String(data.message) });
              return;
            }
          }
        }
      }
      // The server ended the response without a terminal event (a restart): resume.
    } catch (error) {
      if (signal.aborted) return;
      void error;
    }
    setState((s) => ({ ...s, reconnecting: true }));
    await sleep(backoff(failures++), signal);
  }
}

import { useEffect, useRef, useState } from "react";

import { api } from "../api";
import { follow } from "../follow";
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

/** Asking again cannot change these: the server already sent this client everything (204), or
 * refuses the request (an unknown answer, a bad cursor). */
const isFinal = (status: number) => status === 204 || (status >= 400 && status < 500 && status !== 408 && status !== 429);

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
    void followAnswer(messageId, abort.signal, {
      onText: (text) => setState((s) => ({ ...s, text, status: "streaming" })),
      onReconnecting: (reconnecting) => setState((s) => ({ ...s, reconnecting })),
      onEnd: (message, error) => {
        setState((s) => ({
          ...s,
          text: message ? message.content : s.text,
          message,
          error,
          reconnecting: false,
          status: error ? "error" : "ready",
        }));
        onEndRef.current?.(message, messageId);
      },
    });
    return () => abort.abort();
  }, [messageId]);

  return state;
}

async function followAnswer(
  messageId: string,
  signal: AbortSignal,
  report: {
    onText: (text: string) => void;
    onReconnecting: (reconnecting: boolean) => void;
    onEnd: (message: Message | null, error: StreamError | null) => void;
  },
): Promise<void> {
  let text = "";
  let final: Message | null = null;
  let error: StreamError | null = null;
  const status = await follow(`/api/messages/${messageId}/stream`, {
    signal,
    isFinal,
    onReconnecting: report.onReconnecting,
    onEvent: (event) => {
      const data = JSON.parse(event.data) as Record<string, unknown>;
      switch (event.event) {
        case "delta":
          text += String(data.text);
          report.onText(text);
          return false;
        case "reset":
          text = "";
          report.onText(text);
          return false;
        case "done":
        case "stopped":
          final = data as unknown as Message;
          return true;
        case "error":
          final = (data.message_obj ?? null) as Message | null;
          error = { code: String(data.code), message: String(data.message) };
          return true;
        default:
          return false;
      }
    },
  });
  if (status === 204) {
    // We already had the end: read it back.
    final = await api.getMessage(messageId).catch(() => null);
    if (!final) error = { code: "not_found", message: "This answer no longer exists." };
  } else if (status !== null) {
    const message = status === 404 ? "This answer no longer exists." : `The stream answered ${status}.`;
    error = { code: "stream_refused", message };
  }
  if (!signal.aborted) report.onEnd(final, error);
}

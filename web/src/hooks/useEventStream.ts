/** Follows one answer's event stream and reports what it says as it grows, its reconnects and its end. */
import { useEffect, useEffectEvent } from "react";

import { api } from "../api";
import { follow } from "../follow";
import { takeOver } from "../handoff";
import { hear, NOTHING_SAID, type Said } from "../said";
import type { Message } from "../types";

/** What following an answer tells, in order: what it says as it grows, dropped connections, then its end, once. */
interface AnswerEvents {
  /** What it said so far (text, reasoning, tool calls), after each event of it; nothing again
   * after a reset (the worker's next attempt). */
  onSaid: (said: Said) => void;
  /** The connection dropped and is being retried (true), or is open again (false). */
  onReconnecting: (reconnecting: boolean) => void;
  /** The answer ended: its final message, or null when the stream could not tell (read it again). */
  onEnd: (message: Message | null) => void;
}

/** The same, each with the answer it is about: a report can arrive just after the hook moved on to another. */
export interface AnswerReport {
  onSaid: (said: Said, messageId: string) => void;
  onReconnecting: (reconnecting: boolean, messageId: string) => void;
  onEnd: (message: Message | null, messageId: string) => void;
}

/** Asking again cannot change these: the server already sent this client everything (204), or
 * refuses the request (an unknown answer, a bad cursor). */
const isFinal = (status: number) => status === 204 || (status >= 400 && status < 500 && status !== 408 && status !== 429);

/**
 * Follows one answer from its first event until a terminal one. The replay from the start
 * rebuilds the text exactly, so a reload or a second tab shows the same answer.
 */
async function followAnswer(
  messageId: string,
  signal: AbortSignal,
  report: AnswerEvents,
): Promise<void> {
  let said = NOTHING_SAID;
  let final: Message | null = null;
  const status = await follow(`/api/messages/${messageId}/stream`, {
    signal,
    // The submit that asked for the answer may have brought its stream along.
    opened: takeOver(messageId),
    isFinal,
    onReconnecting: report.onReconnecting,
    onEvent: (event) => {
      const data = JSON.parse(event.data) as Record<string, unknown>;
      // A restart or a repair of the log (core/answer_text.py says how readers take both): this
      // tab can take text back, so a reset empties what was said, and what follows brings it again.
      const heard = hear(said, event.event, data);
      if (heard) {
        said = heard;
        report.onSaid(said);
        return false;
      }
      switch (event.event) {
        case "done":
        case "stopped":
          final = data as unknown as Message;
          return true;
        case "error":
          // A failed answer carries its message (its readable error, its partial text); a
          // deleted conversation's does not.
          final = (data.message_obj ?? null) as Message | null;
          return true;
        default:
          return false; // `submitted`, which a streaming submit sends first, is not the answer's
      }
    },
  });
  if (status === 204) final = await api.getMessage(messageId).catch(() => null);
  if (!signal.aborted) report.onEnd(final);
}

/** Follows the answer `messageId` while it is set; a new id lets go of the previous answer. */
export function useEventStream(messageId: string | null, report: AnswerReport): void {
  const onSaid = useEffectEvent(report.onSaid);
  const onReconnecting = useEffectEvent(report.onReconnecting);
  const onEnd = useEffectEvent(report.onEnd);

  useEffect(() => {
    if (!messageId) return;
    const abort = new AbortController();
    void followAnswer(messageId, abort.signal, {
      onSaid: (said) => onSaid(said, messageId),
      onReconnecting: (reconnecting) => onReconnecting(reconnecting, messageId),
      onEnd: (message) => onEnd(message, messageId),
    });
    return () => abort.abort();
  }, [messageId]);
}

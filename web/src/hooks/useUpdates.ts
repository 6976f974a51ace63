import { useEffect, useRef } from "react";

import { SseParser } from "../sse";
import type { ConversationChange } from "../types";
import { backoff } from "./useEventStream";

export type Update = ConversationChange | { change: "resync" };

/**
 * Follows `GET /api/updates` (a generated title, a rename on another device) while the tab is
 * visible. A hidden tab lets go of its connection, so background tabs do not use up the browser's
 * few connections per server; it is told to resync when it comes back, as after any reconnect.
 */
export function useUpdates(onUpdate: (update: Update) => void): void {
  const handler = useRef(onUpdate);
  handler.current = onUpdate;

  useEffect(() => {
    let abort: AbortController | null = null;
    const start = () => {
      if (abort || document.visibilityState === "hidden") return;
      abort = new AbortController();
      void follow(abort.signal, (update) => handler.current(update));
    };
    const stop = () => {
      abort?.abort();
      abort = null;
    };
    const onVisibility = () => (document.visibilityState === "hidden" ? stop() : start());
    start();
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      document.removeEventListener("visibilitychange", onVisibility);
      stop();
    };
  }, []);
}

async function follow(signal: AbortSignal, emit: (update: Update) => void): Promise<void> {
  let failures = 0;
  while (!signal.aborted) {
    try {
      const response = await fetch("/api/updates", { signal });
      if (!response.ok || !response.body) throw new Error(`updates answered ${response.status}`);
      failures = 0;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SseParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const event of parser.push(value)) {
          if (event.event === "resync") emit({ change: "resync" });
          else if (event.event === "conversation") emit(JSON.parse(event.data) as ConversationChange);
        }
      }
    } catch {
      if (signal.aborted) return;
    }
    await new Promise((resolve) => setTimeout(resolve, backoff(failures++)));
  }
}

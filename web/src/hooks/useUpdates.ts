import { useEffect, useRef } from "react";

import { follow } from "../follow";
import type { ConversationChange } from "../types";

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
      void follow("/api/updates", {
        signal: abort.signal,
        onEvent: (event) => {
          if (event.event === "resync") handler.current({ change: "resync" });
          else if (event.event === "conversation") handler.current(JSON.parse(event.data) as ConversationChange);
        },
      });
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

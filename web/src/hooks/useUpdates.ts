/** Follows `GET /api/updates`: titles generated, conversations renamed elsewhere, and files read. */
import { useCallback, useEffect, useEffectEvent, useRef } from "react";

import { follow } from "../follow";
import type { ConversationChange, FileChange, FoldersChange, PresetsChange } from "../types";

export type Update = ConversationChange | FileChange | FoldersChange | PresetsChange | { change: "resync" };

/** Adds a listener to the updates; returns the function that removes it. */
export type SubscribeToUpdates = (listener: (update: Update) => void) => () => void;

/**
 * Follows the updates while the tab is visible, handing each to `onUpdate` and to the listeners
 * added with the function it returns. A hidden tab lets go of its connection, so background tabs
 * do not use up the browser's few connections per server; the server says `resync` first on
 * every connection, so a tab that comes back (or reconnects) reads the list again.
 */
export function useUpdates(onUpdate: (update: Update) => void): SubscribeToUpdates {
  const listeners = useRef(new Set<(update: Update) => void>());
  const emit = useEffectEvent((update: Update) => {
    onUpdate(update);
    for (const listener of listeners.current) listener(update);
  });

  useEffect(() => {
    let abort: AbortController | null = null;
    const start = () => {
      if (abort || document.visibilityState === "hidden") return;
      abort = new AbortController();
      void follow("/api/updates", {
        signal: abort.signal,
        onEvent: (event) => {
          if (event.event === "resync") emit({ change: "resync" });
          // A file's, the folders' or the presets' change comes under the same event name as a conversation's: its fields tell them apart.
          else if (event.event === "conversation") emit(JSON.parse(event.data) as Exclude<Update, { change: "resync" }>);
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

  return useCallback((listener) => {
    listeners.current.add(listener);
    return () => void listeners.current.delete(listener);
  }, []);
}

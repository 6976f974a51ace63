/** Tells the app's other tabs, over a BroadcastChannel, that a conversation changed. */
import { useCallback, useEffect, useEffectEvent, useRef } from "react";

interface Change {
  conversationId: string;
}

/**
 * Listens for the other tabs' changes and returns the function that announces this tab's (a
 * question sent, an answer ended), so a second tab attaches to a new answer at once instead of
 * at its next refresh.
 */
export function useTabSync(onChange: (change: Change) => void): (change: Change) => void {
  const channel = useRef<BroadcastChannel | null>(null);
  const received = useEffectEvent(onChange);

  useEffect(() => {
    if (typeof BroadcastChannel === "undefined") return;
    const opened = new BroadcastChannel("relaychat");
    opened.onmessage = (event: MessageEvent<Change>) => received(event.data);
    channel.current = opened;
    return () => opened.close();
  }, []);

  return useCallback((change: Change) => channel.current?.postMessage(change), []);
}

import { useCallback, useEffect, useRef } from "react";

interface Change {
  conversationId: string;
}

/**
 * Tells the app's other tabs that a conversation changed (a question was sent, an answer ended),
 * so a second tab attaches to a new answer at once instead of at its next refresh.
 */
export function useTabSync(onChange: (change: Change) => void): (change: Change) => void {
  const channel = useRef<BroadcastChannel | null>(null);
  const handler = useRef(onChange);
  handler.current = onChange;

  useEffect(() => {
    if (typeof BroadcastChannel === "undefined") return;
    const opened = new BroadcastChannel("relaychat");
    opened.onmessage = (event: MessageEvent<Change>) => handler.current(event.data);
    channel.current = opened;
    return () => opened.close();
  }, []);

  return useCallback((change: Change) => channel.current?.postMessage(change), []);
}

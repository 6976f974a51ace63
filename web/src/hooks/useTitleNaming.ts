/** A new title for the open conversation: "Naming…" until the server announces it, or that it failed. */
import { useEffect, useEffectEvent, useState } from "react";

import { api, readable } from "../api";
import type { SubscribeToUpdates, Update } from "./useUpdates";

const NAMING_TIMEOUT_MS = 60_000;
const FAILED = "A new title could not be made; the title stays as it was.";

/** `onFailed` shows a sentence in the chat when the new title could not be made. */
export function useTitleNaming(conversationId: string | null, updates: SubscribeToUpdates, onFailed: (notice: string) => void) {
  // The conversation being named: only its own announcement ends it.
  const [naming, setNaming] = useState<string | null>(null);

  const announced = useEffectEvent((update: Update) => {
    if (!("conversation_id" in update) || update.conversation_id !== naming) return;
    if (update.change === "title_failed" && naming === conversationId) onFailed(FAILED);
    setNaming(null);
  });
  useEffect(() => updates((update) => announced(update)), [updates]);

  useEffect(() => {
    if (!naming) return;
    const timer = setTimeout(() => setNaming(null), NAMING_TIMEOUT_MS);
    return () => clearTimeout(timer);
  }, [naming]);

  const regenerate = () => {
    if (!conversationId) return;
    setNaming(conversationId);
    api.regenerateTitle(conversationId).catch((error: unknown) => {
      setNaming(null);
      onFailed(readable(error));
    });
  };

  return { naming: naming !== null && naming === conversationId, regenerate };
}

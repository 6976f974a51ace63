/** A conversation's shared link, for its dialog: whether it has one, the link just made, making and ending it. */
import { useCallback, useState } from "react";

import { api } from "../api";
import type { ShareState } from "../types";
import { type Action, useAction } from "./useAction";
import { useLoaded } from "./useLoaded";

export interface ShareLink {
  /** Null until read. */
  state: ShareState | null;
  loadError: string | null;
  /** The whole link, once made in this dialog: its token is never sent again. */
  url: string | null;
  create: Action<[]>;
  stop: Action<[]>;
}

export function useShare(conversationId: string): ShareLink {
  const read = useCallback(() => api.shareState(conversationId), [conversationId]);
  const loaded = useLoaded(read);
  const { set } = loaded;
  const [url, setUrl] = useState<string | null>(null);

  const create = useAction(
    useCallback(async () => {
      const made = await api.share(conversationId);
      setUrl(new URL(made.url, window.location.origin).href);
      set({ shared: true, created_at: made.created_at, enabled: true });
    }, [conversationId, set]),
  );
  const stop = useAction(
    useCallback(async () => {
      await api.unshare(conversationId);
      setUrl(null);
      set((state) => (state ? { ...state, shared: false, created_at: null } : state));
    }, [conversationId, set]),
  );
  return { state: loaded.value, loadError: loaded.error, url, create, stop };
}

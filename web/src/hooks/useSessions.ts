/** The user's signed-in browsers, and signing one of them out. */
import { useCallback } from "react";

import { api } from "../api";
import type { SessionInfo } from "../types";
import { type Loaded, useLoaded } from "./useLoaded";

export interface Sessions extends Loaded<SessionInfo[]> {
  /** Ends that browser's session: its requests and streams meet 401 within seconds. */
  revoke: (id: string) => Promise<void>;
}

export function useSessions(): Sessions {
  const loaded = useLoaded(api.listSessions);
  const { set } = loaded;
  const revoke = useCallback(
    async (id: string) => {
      await api.revokeSession(id);
      set((current) => current?.filter((session) => session.id !== id) ?? null);
    },
    [set],
  );
  return { ...loaded, revoke };
}

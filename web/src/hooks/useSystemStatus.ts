/** The system's status, read when the page opens and again every few seconds while it is open. */
import { useEffect, useReducer } from "react";

import { api, readable } from "../api";
import { STATUS_POLL_MS } from "../systemStatus";
import type { SystemStatus } from "../types";

export interface SystemStatusState {
  /** The last status read: kept on screen while a later read fails. */
  status: SystemStatus | null;
  /** The last read's failure, until a read succeeds again. */
  error: string | null;
}

export type SystemStatusAction = { type: "loaded"; status: SystemStatus } | { type: "failed"; error: string };

export const initialSystemStatus: SystemStatusState = { status: null, error: null };

export function systemStatusReducer(state: SystemStatusState, action: SystemStatusAction): SystemStatusState {
  switch (action.type) {
    case "loaded":
      return { status: action.status, error: null };
    case "failed":
      return { ...state, error: action.error };
  }
}

/** Polls `GET /api/admin/status` every `every` ms, one read at a time, until unmounted. */
export function useSystemStatus(every: number = STATUS_POLL_MS): SystemStatusState {
  const [state, dispatch] = useReducer(systemStatusReducer, initialSystemStatus);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = () => {
      api.systemStatus().then(
        (status) => {
          if (!stopped) dispatch({ type: "loaded", status });
        },
        (failure: unknown) => {
          if (!stopped) dispatch({ type: "failed", error: readable(failure) });
        },
      ).finally(() => {
        // The next read waits for this one: a slow server is never asked twice at once.
        if (!stopped) timer = setTimeout(read, every);
      });
    };
    read();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [every]);

  return state;
}

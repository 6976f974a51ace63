/** The admin's limits: each role's defaults, and one user's own with what applies to them. */
import { useCallback, useEffect, useRef } from "react";

import { api } from "../api";
import type { Limits, RoleLimits, UserLimits } from "../types";
import { type Loaded, useLoaded } from "./useLoaded";

export interface RoleLimitsState extends Loaded<RoleLimits> {
  /** Rejects with the server's sentence; the saved values replace the shown ones. */
  save: (limits: RoleLimits) => Promise<void>;
}

export function useRoleLimits(): RoleLimitsState {
  const loaded = useLoaded(api.roleLimits);
  const { set } = loaded;
  const save = useCallback(
    async (limits: RoleLimits) => {
      set(await api.setRoleLimits(limits));
    },
    [set],
  );
  return { ...loaded, save };
}

export interface UserLimitsState extends Loaded<UserLimits> {
  save: (own: Limits) => Promise<void>;
}

/**
 * The user's own limits and the effective ones. `defaults` names what the user's limits fall
 * back to (their role and its saved defaults): when it changes, what applies is read again.
 */
export function useUserLimits(userId: string, defaults: string): UserLimitsState {
  const load = useCallback(() => api.userLimits(userId), [userId]);
  const loaded = useLoaded(load);
  const { set, reload } = loaded;

  const seen = useRef(defaults);
  useEffect(() => {
    if (seen.current === defaults) return;
    seen.current = defaults;
    void reload();
  }, [defaults, reload]);

  const save = useCallback(
    async (own: Limits) => {
      set(await api.setUserLimits(userId, own));
    },
    [set, userId],
  );
  return { ...loaded, save };
}

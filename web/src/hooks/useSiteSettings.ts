/** The settings an admin changes at run time (who may sign up, whether links may be shared): read
 * once for the admin page, each changed through the server, which answers with them all. */
import { useCallback } from "react";

import { api } from "../api";
import type { SignupMode } from "../types";
import { useLoaded } from "./useLoaded";

export interface SiteSetting<T> {
  /** Null until the first read answers. */
  value: T | null;
  error: string | null;
  change: (value: T) => Promise<void>;
}

export function useSiteSettings(): { signup: SiteSetting<SignupMode>; sharing: SiteSetting<boolean> } {
  const { value, error, set } = useLoaded(api.signupMode);
  const changeSignup = useCallback(async (mode: SignupMode) => set(await api.setSignupMode(mode)), [set]);
  const changeSharing = useCallback(async (on: boolean) => set(await api.setSharing(on)), [set]);
  return {
    signup: { value: value?.signup ?? null, error, change: changeSignup },
    // Off: no link is made or opens (none is deleted).
    sharing: { value: value === null ? null : (value.sharing ?? true), error, change: changeSharing },
  };
}

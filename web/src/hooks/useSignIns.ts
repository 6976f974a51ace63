/** The user's signed-in browsers, and signing one of them out. */
import { useCallback } from "react";

import { api } from "../api";
import type { SignIn } from "../types";
import { type Loaded, useLoaded } from "./useLoaded";

export interface SignIns extends Loaded<SignIn[]> {
  /** Signs that browser out: its requests and streams meet 401 within seconds. */
  revoke: (id: string) => Promise<void>;
}

export function useSignIns(): SignIns {
  const loaded = useLoaded(api.listSignIns);
  const { set } = loaded;
  const revoke = useCallback(
    async (id: string) => {
      await api.revokeSignIn(id);
      set((current) => current?.filter((signIn) => signIn.id !== id) ?? null);
    },
    [set],
  );
  return { ...loaded, revoke };
}

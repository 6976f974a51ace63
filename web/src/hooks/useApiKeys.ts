/** The user's API keys: made (the secret handed back once), listed and deleted. */
import { useCallback } from "react";

import { api } from "../api";
import type { ApiKey, NewApiKey } from "../types";
import { type Loaded, useLoaded } from "./useLoaded";

export interface ApiKeys extends Loaded<ApiKey[]> {
  /** The new key with its secret: the only time the secret is seen. */
  create: (name: string) => Promise<NewApiKey>;
  remove: (id: string) => Promise<void>;
}

export function useApiKeys(): ApiKeys {
  const loaded = useLoaded(api.listKeys);
  const { set } = loaded;

  const create = useCallback(
    async (name: string) => {
      const made = await api.createKey(name);
      // The list never holds the secret.
      const listed: ApiKey = { id: made.id, name: made.name, created_at: made.created_at, last_used_at: made.last_used_at };
      set((current) => [listed, ...(current ?? [])]);
      return made;
    },
    [set],
  );

  const remove = useCallback(
    async (id: string) => {
      await api.deleteKey(id);
      set((current) => current?.filter((key) => key.id !== id) ?? null);
    },
    [set],
  );

  return { ...loaded, create, remove };
}

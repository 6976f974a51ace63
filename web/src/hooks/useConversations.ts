import { useCallback, useEffect, useState } from "react";

import { api } from "../api";
import type { Conversation } from "../types";

export interface Conversations {
  items: Conversation[];
  error: string | null;
  refresh: () => Promise<void>;
  rename: (id: string, title: string) => Promise<void>;
  remove: (id: string) => Promise<void>;
}

/** The sidebar's list, newest activity first; other tabs' changes arrive through `refresh`. */
export function useConversations(): Conversations {
  const [items, setItems] = useState<Conversation[]>([]);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      setItems((await api.listConversations()).items);
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : "Could not load conversations");
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const rename = useCallback(async (id: string, title: string) => {
    const updated = await api.updateConversation(id, { title });
    setItems((current) => current.map((c) => (c.id === id ? updated : c)));
  }, []);

  const remove = useCallback(async (id: string) => {
    await api.deleteConversation(id);
    setItems((current) => current.filter((c) => c.id !== id));
  }, []);

  return { items, error, refresh, rename, remove };
}

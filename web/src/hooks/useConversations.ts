/** The conversations the sidebar lists, and renaming and deleting them. */
import { useCallback, useEffect, useState } from "react";

import { api } from "../api";
import type { Conversation } from "../types";

export interface Conversations {
  items: Conversation[];
  refresh: () => Promise<void>;
  rename: (id: string, title: string) => Promise<void>;
  remove: (id: string) => Promise<void>;
}

/** The sidebar's list, newest activity first; other tabs' changes arrive through `refresh`. */
export function useConversations(): Conversations {
  const [items, setItems] = useState<Conversation[]>([]);

  const refresh = useCallback(
    () =>
      api.listConversations().then(
        (page) => setItems(page.items),
        // Keep the list shown; the next refresh (any change, or focus) tries again.
        () => undefined,
      ),
    [],
  );

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

  return { items, refresh, rename, remove };
}

/** The user's folders, A to Z: made, renamed and deleted here; other tabs' changes arrive through `refresh`. */
import { useCallback, useEffect, useState } from "react";

import { api } from "../api";
import type { Folder } from "../types";

export interface Folders {
  items: Folder[];
  refresh: () => Promise<void>;
  create: (name: string) => Promise<Folder>;
  rename: (id: string, name: string) => Promise<void>;
  /** Its conversations go too when `withConversations`, else they become unfiled. */
  remove: (id: string, withConversations: boolean) => Promise<void>;
}

const byName = (a: Folder, b: Folder) => a.name.localeCompare(b.name, undefined, { sensitivity: "base" });

export function useFolders(): Folders {
  const [items, setItems] = useState<Folder[]>([]);

  const refresh = useCallback(
    () =>
      api.listFolders().then(
        setItems,
        // Keep the folders shown; the next change or resync reads them again.
        () => undefined,
      ),
    [],
  );

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const create = useCallback(async (name: string) => {
    const made = await api.createFolder(name);
    setItems((folders) => [...folders.filter((f) => f.id !== made.id), made].sort(byName));
    return made;
  }, []);

  const rename = useCallback(async (id: string, name: string) => {
    const renamed = await api.renameFolder(id, name);
    setItems((folders) => folders.map((f) => (f.id === id ? renamed : f)).sort(byName));
  }, []);

  const remove = useCallback(async (id: string, withConversations: boolean) => {
    await api.deleteFolder(id, withConversations);
    setItems((folders) => folders.filter((f) => f.id !== id));
  }, []);

  return { items, refresh, create, rename, remove };
}

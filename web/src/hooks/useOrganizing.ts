/** Folders, pins, archives and deleting several at once, joined to the sidebar's list: what the
 * sidebar and the open conversation's menu are handed. */
import { useCallback, useMemo } from "react";

import type { Organizer } from "../organizing";
import type { Conversation, ConversationPlacement, Folder } from "../types";
import type { Conversations } from "./useConversations";
import { useFolders } from "./useFolders";

export interface SidebarOrganizing {
  folders: Folder[];
  onCreateFolder: (name: string) => Promise<unknown>;
  onRenameFolder: (id: string, name: string) => Promise<void>;
  onDeleteFolder: (id: string, withConversations: boolean) => Promise<void>;
  onPlace: (id: string, placement: ConversationPlacement) => Promise<Conversation>;
  onDeleteMany: (ids: string[]) => Promise<void>;
  archived: Conversation[] | null;
  archivedShown: boolean;
  onShowArchived: (shown: boolean) => void;
}

export interface Organizing {
  sidebar: SidebarOrganizing;
  organizer: Organizer;
  /** Reads the folders again: another tab changed them, or the updates reconnected. */
  refreshFolders: () => Promise<void>;
}

/** `onGone`: the open conversation (`activeId`) was deleted here. */
export function useOrganizing(conversations: Conversations, activeId: string | null, onGone: () => void): Organizing {
  const folders = useFolders();
  const { items, archived, archivedShown, place, removeMany, showArchived, refresh } = conversations;

  const find = useCallback((id: string) => items.find((c) => c.id === id) ?? archived?.find((c) => c.id === id), [items, archived]);

  const onDeleteMany = useCallback(
    async (ids: string[]) => {
      await removeMany(ids);
      if (activeId && ids.includes(activeId)) onGone();
    },
    [removeMany, activeId, onGone],
  );

  const onDeleteFolder = useCallback(
    async (id: string, withConversations: boolean) => {
      const open = activeId ? find(activeId) : undefined;
      await folders.remove(id, withConversations);
      // Its conversations are unfiled, or gone: the list is read again at once (the update follows).
      void refresh();
      if (withConversations && open?.folder_id === id) onGone();
    },
    [activeId, find, folders, refresh, onGone],
  );

  const sidebar = {
    folders: folders.items,
    onCreateFolder: folders.create,
    onRenameFolder: folders.rename,
    onDeleteFolder,
    onPlace: place,
    onDeleteMany,
    archived,
    archivedShown,
    onShowArchived: showArchived,
  };
  const organizer = useMemo(() => ({ folders: folders.items, find, place }), [folders.items, find, place]);
  return { sidebar, organizer, refreshFolders: folders.refresh };
}

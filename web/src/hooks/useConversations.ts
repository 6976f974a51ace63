/** The conversations the sidebar lists (the app's, or those made through the API), the archived
 * ones when asked for, and renaming, placing and deleting them. */
import { useCallback, useEffect, useReducer, useRef, useState } from "react";

import { api } from "../api";
import { conversationListReducer, initialList, parseSource } from "../conversationList";
import type { Conversation, ConversationPlacement, ConversationSource } from "../types";

/** Where the sidebar's choice is remembered, so a reload lists the same kind. */
export const SOURCE_KEY = "conversationSource";

/** Conversations read at a time (the server's most). */
const PAGE = 200;

export interface Conversations {
  /** Those not archived, the pinned first (newest pin first), then the most recently active. */
  items: Conversation[];
  /** Which conversations are listed: those made in the app, or through the API. */
  source: ConversationSource;
  /** `items` is the chosen kind's list (false while its first page loads). */
  loaded: boolean;
  /** Older ones are left to read with `more`. */
  hasMore: boolean;
  /** Adds the next older page to `items`. */
  more: () => Promise<void>;
  /** The archived ones of the chosen kind, while `showArchived(true)` (null otherwise, or while they load). */
  archived: Conversation[] | null;
  /** Whether the archived shelf is open. */
  archivedShown: boolean;
  showArchived: (shown: boolean) => void;
  choose: (source: ConversationSource) => void;
  refresh: () => Promise<void>;
  rename: (id: string, title: string) => Promise<void>;
  /** Moves it to a folder (null: unfiled), pins or archives it, or undoes that. */
  place: (id: string, placement: ConversationPlacement) => Promise<Conversation>;
  remove: (id: string) => Promise<void>;
  /** All of them, or none when the server refuses. */
  removeMany: (ids: string[]) => Promise<void>;
}

/** The sidebar's list, newest activity first; other tabs' changes arrive through `refresh`. */
export function useConversations(): Conversations {
  const [state, dispatch] = useReducer(conversationListReducer, undefined, () => initialList(parseSource(localStorage.getItem(SOURCE_KEY))));
  const { source } = state;
  const [archivedShown, setArchivedShown] = useState(false);
  const [archived, setArchived] = useState<Conversation[] | null>(null);

  // How far the server's list has been read (PAGE until `more` reads on; Infinity once all of it is):
  // a refresh reads as far again, so older pages read with `more` stay in the list.
  const readTo = useRef(PAGE);
  const readList = useCallback(async () => {
    const items: Conversation[] = [];
    let offset: number | null = 0;
    while (offset !== null && (offset === 0 || offset < readTo.current)) {
      const page = await api.listConversations(source, PAGE, false, offset);
      items.push(...page.items);
      offset = page.next_offset;
    }
    dispatch({ type: "loaded", source, items, nextOffset: offset });
  }, [source]);
  const { nextOffset } = state;
  const more = useCallback(async () => {
    if (nextOffset === null) return;
    const page = await api.listConversations(source, PAGE, false, nextOffset);
    readTo.current = page.next_offset ?? Infinity;
    dispatch({ type: "more", source, items: page.items, nextOffset: page.next_offset });
  }, [source, nextOffset]);
  const readArchived = useCallback(
    () =>
      archivedShown
        ? api.listConversations(source, PAGE, true).then((page) => setArchived(page.items))
        : Promise.resolve(),
    [source, archivedShown],
  );
  const refresh = useCallback(async () => {
    // Keep the lists shown after a failed read; the next refresh (any change, or focus) tries again.
    await Promise.allSettled([readList(), readArchived()]);
  }, [readList, readArchived]);

  useEffect(() => {
    localStorage.setItem(SOURCE_KEY, source);
    void readList().catch(() => undefined);
  }, [source, readList]);

  // Opening the shelf reads the archived alone: the list is as it was.
  useEffect(() => {
    void readArchived().catch(() => undefined);
  }, [readArchived]);

  const showArchived = useCallback((shown: boolean) => {
    setArchivedShown(shown);
    setArchived(null); // the shelf is read anew each time it opens (and for the kind chosen then)
  }, []);

  const choose = useCallback((chosen: ConversationSource) => {
    readTo.current = PAGE; // the other kind's list starts at its first page
    dispatch({ type: "chose", source: chosen });
    setArchived(null);
  }, []);

  const rename = useCallback(async (id: string, title: string) => {
    const updated = await api.updateConversation(id, { title });
    dispatch({ type: "renamed", conversation: updated });
  }, []);

  const place = useCallback(async (id: string, placement: ConversationPlacement) => {
    const placed = await api.placeConversation(id, placement);
    dispatch({ type: "placed", conversation: placed });
    setArchived((shelf) => (shelf === null ? shelf : placed.archived ? [placed, ...shelf.filter((c) => c.id !== id)] : shelf.filter((c) => c.id !== id)));
    return placed;
  }, []);

  const forget = useCallback((ids: string[]) => {
    dispatch({ type: "removed", ids });
    setArchived((shelf) => shelf && shelf.filter((c) => !ids.includes(c.id)));
  }, []);

  const remove = useCallback(
    async (id: string) => {
      await api.deleteConversation(id);
      forget([id]);
    },
    [forget],
  );

  const removeMany = useCallback(
    async (ids: string[]) => {
      await api.deleteConversations(ids);
      forget(ids);
    },
    [forget],
  );

  return { items: state.items, source, loaded: state.loaded, hasMore: nextOffset !== null, more, archived, archivedShown, showArchived, choose, refresh, rename, place, remove, removeMany };
}

/** The conversations the sidebar lists (the app's, or those made through the API), and renaming and deleting them. */
import { useCallback, useEffect, useReducer } from "react";

import { api } from "../api";
import { conversationListReducer, initialList, parseSource } from "../conversationList";
import type { Conversation, ConversationSource } from "../types";

/** Where the sidebar's choice is remembered, so a reload lists the same kind. */
export const SOURCE_KEY = "conversationSource";

export interface Conversations {
  items: Conversation[];
  /** Which conversations are listed: those made in the app, or through the API. */
  source: ConversationSource;
  /** `items` is the chosen kind's list (false while its first page loads). */
  loaded: boolean;
  choose: (source: ConversationSource) => void;
  refresh: () => Promise<void>;
  rename: (id: string, title: string) => Promise<void>;
  remove: (id: string) => Promise<void>;
}

/** The sidebar's list, newest activity first; other tabs' changes arrive through `refresh`. */
export function useConversations(): Conversations {
  const [state, dispatch] = useReducer(conversationListReducer, undefined, () => initialList(parseSource(localStorage.getItem(SOURCE_KEY))));
  const { source } = state;

  const refresh = useCallback(
    () =>
      api.listConversations(source).then(
        (page) => dispatch({ type: "loaded", source, items: page.items }),
        // Keep the list shown; the next refresh (any change, or focus) tries again.
        () => undefined,
      ),
    [source],
  );

  useEffect(() => {
    localStorage.setItem(SOURCE_KEY, source);
    void refresh();
  }, [source, refresh]);

  const choose = useCallback((chosen: ConversationSource) => dispatch({ type: "chose", source: chosen }), []);

  const rename = useCallback(async (id: string, title: string) => {
    const updated = await api.updateConversation(id, { title });
    dispatch({ type: "renamed", conversation: updated });
  }, []);

  const remove = useCallback(async (id: string) => {
    await api.deleteConversation(id);
    dispatch({ type: "removed", id });
  }, []);

  return { items: state.items, source, loaded: state.loaded, choose, refresh, rename, remove };
}

/** The sidebar's list as a pure reducer: which conversations it shows (the app's or the API's), and those it has. */
import type { Conversation, ConversationSource } from "./types";

export interface ConversationListState {
  /** The kind of conversation listed: made in the app (the default), or through the API. */
  source: ConversationSource;
  /** The newest of that kind, most recently active first. */
  items: Conversation[];
  /** `items` is a list of `source`'s: false until its first page arrives after a switch. */
  loaded: boolean;
  /** Where the server's next, older page starts; null when `items` holds them all. */
  nextOffset: number | null;
}

export type ConversationListAction =
  /** The reader chose which conversations to list. */
  | { type: "chose"; source: ConversationSource }
  /** The pages the server sent for `source`, from the first: a page asked for before a switch is not shown. */
  | { type: "loaded"; source: ConversationSource; items: Conversation[]; nextOffset: number | null }
  /** An older page, after those shown (one already shown, moved up by a change since, is not shown twice). */
  | { type: "more"; source: ConversationSource; items: Conversation[]; nextOffset: number | null }
  | { type: "renamed"; conversation: Conversation }
  /** Moved to a folder, pinned, archived or restored: an archived one leaves the list. */
  | { type: "placed"; conversation: Conversation }
  | { type: "removed"; ids: string[] };

export function initialList(source: ConversationSource): ConversationListState {
  return { source, items: [], loaded: false, nextOffset: null };
}

export function conversationListReducer(state: ConversationListState, action: ConversationListAction): ConversationListState {
  switch (action.type) {
    case "chose":
      // The other kind's list is never shown under this one's name, not even while it loads.
      return action.source === state.source ? state : initialList(action.source);
    case "loaded":
      return action.source === state.source ? { ...state, items: unique(action.items), loaded: true, nextOffset: action.nextOffset } : state;
    case "more":
      return action.source === state.source ? { ...state, items: unique([...state.items, ...action.items]), nextOffset: action.nextOffset } : state;
    case "renamed":
      return { ...state, items: state.items.map((c) => (c.id === action.conversation.id ? action.conversation : c)) };
    case "placed": {
      const { conversation } = action;
      const others = state.items.filter((c) => c.id !== conversation.id);
      const listed = conversation.archived || conversation.source !== state.source ? others : [...others, conversation];
      return { ...state, items: listed.sort(listOrder) };
    }
    case "removed":
      return { ...state, items: state.items.filter((c) => !action.ids.includes(c.id)) };
  }
}

/** Each conversation once, where it first comes: pages read at different moments may overlap. */
function unique(items: Conversation[]): Conversation[] {
  const seen = new Set<string>();
  return items.filter((c) => !seen.has(c.id) && seen.add(c.id));
}

/** The server's order: the pinned first, newest pin first, then the most recently active. */
export function listOrder(a: Conversation, b: Conversation): number {
  const time = (at: string | null | undefined) => (at ? Date.parse(at) : -Infinity);
  const pins = time(b.pinned_at) - time(a.pinned_at);
  if (pins) return pins > 0 ? 1 : -1; // two unpinned: -Infinity minus itself is NaN, falsy
  return time(b.updated_at) - time(a.updated_at) || b.id.localeCompare(a.id);
}

const SOURCES: readonly ConversationSource[] = ["app", "api"];

/** A remembered choice, when it is one; anything else lists the app's conversations. */
export function parseSource(value: string | null): ConversationSource {
  return SOURCES.find((source) => source === value) ?? "app";
}

/** What the open conversation's menu needs to move, pin and archive it, handed down from the app
 * without threading it through the chat screen. */
import { createContext, useContext } from "react";

import type { Conversation, ConversationPlacement, Folder } from "./types";

export interface Organizer {
  folders: Folder[];
  /** The conversation as the sidebar lists it (the list, or the archived shelf when shown). */
  find: (id: string) => Conversation | undefined;
  place: (id: string, placement: ConversationPlacement) => Promise<Conversation>;
}

export const OrganizerContext = createContext<Organizer | null>(null);

/** The organizer the app provides (null outside it, where the menu offers no placement). */
export function useOrganizer(): Organizer | null {
  return useContext(OrganizerContext);
}

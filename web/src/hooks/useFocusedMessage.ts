/** Scrolls to a message the reader asked for (a search result) once it is shown, and flashes it. */
import { type RefObject, useEffect, useState } from "react";

import type { Message } from "../types";

const FLASH_MS = 2500;

/** A request to show a message; a new `nonce` asks again for the same one. */
export interface Focus {
  messageId: string;
  nonce: number;
}

/** The id of the message to flash now, if any. Call it after useAutoScroll: its scroll comes after. */
export function useFocusedMessage(list: RefObject<HTMLElement | null>, focus: Focus | null, messages: Message[]): string | null {
  // The request whose flash is over.
  const [flashed, setFlashed] = useState<Focus | null>(null);
  const shown = focus !== null && messages.some((m) => m.id === focus.messageId);

  useEffect(() => {
    if (!shown) return;
    list.current?.querySelector(`[data-id="${focus.messageId}"]`)?.scrollIntoView({ block: "center" });
    const timer = setTimeout(() => setFlashed(focus), FLASH_MS);
    return () => clearTimeout(timer);
  }, [list, focus, shown]);

  return shown && focus !== flashed ? focus.messageId : null;
}

/** The keyboard shortcuts of shortcuts.ts, each calling its handler where it applies. */
import { type RefObject, useEffect, useEffectEvent } from "react";

import { SHORTCUTS, type Shortcut, type ShortcutId, isMac, pressed } from "../shortcuts";

/** A handler for each shortcut this part of the page answers; one left out (or undefined) is not taken. */
export type ShortcutHandlers = Partial<Record<ShortcutId, (() => void) | undefined>>;

const FIELD = "input, textarea, select, [contenteditable]:not([contenteditable='false'])";

/**
 * Whether a shortcut applies to this key press. While a modal dialog is open none does (its own
 * keys are its own); while a menu is open Escape closes the menu, and in a field other than the
 * message box (a rename, the settings) Escape cancels there and stops nothing.
 */
function applies(shortcut: Shortcut, event: KeyboardEvent, composer: HTMLElement | null): boolean {
  if (document.querySelector("[aria-modal='true'], dialog[open]")) return false;
  const target = event.target instanceof Element ? event.target : null;
  const field = target?.closest(FIELD) ?? null;
  switch (shortcut.scope) {
    case "anywhere":
      if (shortcut.key !== "Escape") return true;
      return !document.querySelector("[role='menu']") && (field === null || field === composer);
    case "not-typing":
      return field === null;
    case "empty-composer":
      return field !== null && field === composer && (field as HTMLTextAreaElement).value === "";
  }
}

/**
 * Listens to the page's key presses for the shortcuts given handlers. App takes the page's
 * (search, new chat, help), ChatContainer the chat's (stop, edit the last question), with the
 * message box as `composer`.
 */
export function useShortcuts(handlers: ShortcutHandlers, composer?: RefObject<HTMLElement | null>): void {
  const onKey = useEffectEvent((event: KeyboardEvent) => {
    if (event.defaultPrevented || event.isComposing) return;
    const mac = isMac();
    const shortcut = SHORTCUTS.find((candidate) => handlers[candidate.id] && pressed(candidate, event, mac));
    if (!shortcut || !applies(shortcut, event, composer?.current ?? null)) return;
    event.preventDefault();
    handlers[shortcut.id]?.();
  });

  useEffect(() => {
    const listener = (event: KeyboardEvent) => onKey(event);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);
}

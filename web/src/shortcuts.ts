/** The keyboard shortcuts: one table that the key handler (hooks/useShortcuts) and the help dialog both read. */

export type ShortcutId = "search" | "newChat" | "stop" | "editLast" | "help";

/** Where a shortcut works: anywhere (even while typing), outside text fields, or in the empty message box. */
export type ShortcutScope = "anywhere" | "not-typing" | "empty-composer";

export interface Shortcut {
  id: ShortcutId;
  /** `KeyboardEvent.key`, compared without case for letters. */
  key: string;
  /** Cmd on a Mac, Ctrl elsewhere. */
  mod?: boolean;
  shift?: boolean;
  scope: ShortcutScope;
  description: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { id: "search", key: "k", mod: true, scope: "anywhere", description: "Search conversations" },
  { id: "newChat", key: "o", mod: true, shift: true, scope: "anywhere", description: "New chat" },
  { id: "stop", key: "Escape", scope: "anywhere", description: "Stop the answer being written" },
  { id: "editLast", key: "ArrowUp", scope: "empty-composer", description: "Edit your last question (in an empty message box)" },
  { id: "help", key: "?", scope: "not-typing", description: "Show these shortcuts" },
];

const KEY_NAMES: Record<string, string> = { Escape: "Esc", ArrowUp: "↑" };

/** Whether this browser runs on a Mac (or an iPad with a keyboard), where the modifier is Cmd. */
export function isMac(platform: string = navigator.platform): boolean {
  return /mac|iphone|ipad|ipod/i.test(platform);
}

/** The keys to press, as shown: ["Ctrl", "Shift", "O"] or ["⌘", "⇧", "O"]. */
export function keysOf(shortcut: Shortcut, mac: boolean): string[] {
  const keys: string[] = [];
  if (shortcut.mod) keys.push(mac ? "⌘" : "Ctrl");
  if (shortcut.shift) keys.push(mac ? "⇧" : "Shift");
  keys.push(KEY_NAMES[shortcut.key] ?? (shortcut.key.length === 1 ? shortcut.key.toUpperCase() : shortcut.key));
  return keys;
}

/** Whether a key press is this shortcut: its key with exactly its modifiers (Shift is part of `?` itself). */
export function pressed(shortcut: Shortcut, event: KeyboardEvent, mac: boolean): boolean {
  if (event.key.length === 1 ? event.key.toLowerCase() !== shortcut.key : event.key !== shortcut.key) return false;
  const mod = mac ? event.metaKey : event.ctrlKey;
  const other = mac ? event.ctrlKey : event.metaKey;
  if (mod !== Boolean(shortcut.mod) || other || event.altKey) return false;
  return shortcut.key.length === 1 && !/[a-z]/.test(shortcut.key) ? true : event.shiftKey === Boolean(shortcut.shift);
}

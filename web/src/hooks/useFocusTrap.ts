/** Keeps the keyboard inside an open drawer or menu, and gives the focus back when it closes. */
import { type RefObject, useEffect, useRef } from "react";

import { useDismiss } from "./useDismiss";

const FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";

/** The controls in `container` that Tab reaches, in order. */
export function focusables(container: HTMLElement): HTMLElement[] {
  return [...container.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (element) =>
      element.tabIndex >= 0 &&
      !(element as HTMLButtonElement).disabled &&
      !element.closest("[hidden], [inert]") &&
      // Laid out and shown (jsdom has no layout: there everything counts).
      (typeof element.checkVisibility !== "function" || element.checkVisibility({ visibilityProperty: true })),
  );
}

/** A menu's arrows, Home and End move between its items, wrapping round; whether the key was one. */
function moveInMenu(menu: HTMLElement, event: KeyboardEvent): boolean {
  const items = focusables(menu).filter((item) => item.getAttribute("role") === "menuitem");
  const at = items.indexOf(document.activeElement as HTMLElement);
  const next: Record<string, number> = { ArrowDown: at + 1, ArrowUp: at < 0 ? -1 : at - 1, Home: 0, End: -1 };
  const to = next[event.key];
  if (to === undefined || items.length === 0) return false;
  event.preventDefault();
  items.at(to % items.length)?.focus();
  return true;
}

interface Options {
  /** What a press outside of closes `trap` (default: `trap`; a menu's wrapper holds its button too). */
  root?: RefObject<HTMLElement | null>;
  /** The control that opens `trap` (default: the one focused when it opened). */
  opener?: RefObject<HTMLElement | null>;
}

/**
 * While `open`: the focus moves into `trap` (unless already there), Tab and Shift+Tab cycle
 * through its controls (in a `role="menu"`, the arrows too), and Escape or a mouse press outside `root` calls `close` (useDismiss).
 * Once closed, the focus goes back to the opener if it would otherwise be lost (left inside, or
 * on nothing); a click elsewhere keeps the focus where it went.
 */
export function useFocusTrap(open: boolean, trap: RefObject<HTMLElement | null>, close: () => void, options: Options = {}): void {
  const { root = trap, opener: given } = options;
  const opener = useRef<HTMLElement | null>(null);
  useDismiss(open, root, close);

  useEffect(() => {
    const container = trap.current;
    if (!open || !container) return;
    const before = document.activeElement;
    opener.current = given?.current ?? (before instanceof HTMLElement && !container.contains(before) ? before : null);
    if (!container.contains(before)) focusables(container)[0]?.focus();

    const cycle = (event: KeyboardEvent) => {
      if (event.defaultPrevented) return;
      if (container.getAttribute("role") === "menu" && moveInMenu(container, event)) return;
      if (event.key !== "Tab") return;
      const target = event.target instanceof Element ? event.target : null;
      // A modal dialog opened from inside keeps the keys to itself.
      if (target?.closest("dialog") && container.contains(target.closest("dialog"))) return;
      const items = focusables(container);
      const first = items[0];
      const last = items.at(-1);
      if (!first || !last) return;
      const at = document.activeElement;
      const inside = at !== null && container.contains(at);
      if (event.shiftKey && (!inside || at === first)) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (!inside || at === last)) {
        event.preventDefault();
        first.focus();
      }
    };
    document.addEventListener("keydown", cycle);
    return () => {
      document.removeEventListener("keydown", cycle);
      const now = document.activeElement;
      const lost = now === null || now === document.body || container.contains(now);
      if (lost && opener.current?.isConnected) opener.current.focus();
      opener.current = null;
    };
  }, [open, trap, given]);
}

/** Closes a popover on Escape or on a click outside it. */
import { type RefObject, useEffect, useEffectEvent } from "react";

/** Whether `target` is in a dialog opened from within `root` (a dialog's Escape is its own). */
function inNestedDialog(target: EventTarget | null, root: HTMLElement | null): boolean {
  const dialog = target instanceof Element ? target.closest("dialog") : null;
  return dialog !== null && dialog !== root && (root?.contains(dialog) ?? false);
}

/** Whether `target` is a search box with text in it: its Escape clears the text first, as a search box's does. */
function clearsItself(target: EventTarget | null): boolean {
  return target instanceof HTMLInputElement && target.type === "search" && target.value !== "";
}

/**
 * While `open`, Escape or a mouse press outside `root` calls `close`. Escape is taken before the
 * page's shortcuts see it (it closes this, and stops no answer), except inside a dialog of its own
 * or in a search box with text in it.
 */
export function useDismiss(open: boolean, root: RefObject<HTMLElement | null>, close: () => void): void {
  const onClose = useEffectEvent(close);
  useEffect(() => {
    if (!open) return;
    const press = (event: MouseEvent) => {
      if (!root.current?.contains(event.target as Node)) onClose();
    };
    const key = (event: KeyboardEvent) => {
      if (event.key !== "Escape" || event.defaultPrevented || inNestedDialog(event.target, root.current) || clearsItself(event.target)) return;
      event.preventDefault();
      onClose();
    };
    window.addEventListener("mousedown", press);
    window.addEventListener("keydown", key, true);
    return () => {
      window.removeEventListener("mousedown", press);
      window.removeEventListener("keydown", key, true);
    };
  }, [open, root]);
}

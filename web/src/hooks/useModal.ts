/** A `<dialog>` shown as a modal once mounted: the page behind is inert, and Escape closes it. */
import { type RefObject, useEffect, useRef } from "react";

export function useModal(): RefObject<HTMLDialogElement | null> {
  const dialog = useRef<HTMLDialogElement | null>(null);
  useEffect(() => {
    const shown = dialog.current;
    if (shown && !shown.open) shown.showModal();
  }, []);
  return dialog;
}

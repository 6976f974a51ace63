/** Escape stops the running answer, from the composer or the page. */
import { type RefObject, useEffect, useEffectEvent } from "react";

/** While `running`, Escape calls `stop`; in another field (a rename, the settings) it means "cancel" there instead. */
export function useEscapeToStop(running: boolean, stop: () => void, composer: RefObject<HTMLElement | null>): void {
  const onStop = useEffectEvent(stop);

  useEffect(() => {
    if (!running) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape" || event.defaultPrevented) return;
      const target = event.target as HTMLElement | null;
      const editing = target?.closest("input, textarea, select, [contenteditable]");
      if (editing && editing !== composer.current) return;
      onStop();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [running, composer]);
}

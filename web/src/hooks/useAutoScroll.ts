import { type RefObject, useCallback, useEffect, useRef, useState } from "react";

const NEAR_BOTTOM_PX = 80;

/** Keeps the list pinned to the newest text, until the reader scrolls up; then offers a way back. */
export function useAutoScroll(container: RefObject<HTMLElement | null>, content: unknown): {
  pinned: boolean;
  jumpToLatest: () => void;
} {
  const [pinned, setPinned] = useState(true);
  const pinnedRef = useRef(true);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const onScroll = () => {
      const near = element.scrollHeight - element.scrollTop - element.clientHeight < NEAR_BOTTOM_PX;
      pinnedRef.current = near;
      setPinned(near);
    };
    element.addEventListener("scroll", onScroll, { passive: true });
    return () => element.removeEventListener("scroll", onScroll);
  }, [container]);

  useEffect(() => {
    const element = container.current;
    if (element && pinnedRef.current) element.scrollTop = element.scrollHeight;
  }, [container, content]);

  const jumpToLatest = useCallback(() => {
    const element = container.current;
    if (!element) return;
    element.scrollTop = element.scrollHeight;
    pinnedRef.current = true;
    setPinned(true);
  }, [container]);

  return { pinned, jumpToLatest };
}

import { type RefObject, useCallback, useEffect, useRef, useState } from "react";

const NEAR_BOTTOM_PX = 80;

/** Keeps the list pinned to the newest text, until the reader scrolls up; then offers a way back.
 * `list` names what is shown (the conversation): when it changes, the list is pinned again. */
export function useAutoScroll(container: RefObject<HTMLElement | null>, content: unknown, list: unknown): {
  pinned: boolean;
  jumpToLatest: () => void;
} {
  const [pinned, setPinned] = useState(true);
  const pinnedRef = useRef(true);
  // Where our own last scroll left the list: a reader who moved above it scrolled up, even if
  // new text arrives before the browser reports the scroll.
  const autoTop = useRef(0);

  const pin = useCallback((value: boolean) => {
    pinnedRef.current = value;
    setPinned(value);
  }, []);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const onScroll = () => {
      const near = element.scrollHeight - element.scrollTop - element.clientHeight < NEAR_BOTTOM_PX;
      if (near) pin(true);
      else if (element.scrollTop < autoTop.current - 2) pin(false);
    };
    element.addEventListener("scroll", onScroll, { passive: true });
    return () => element.removeEventListener("scroll", onScroll);
  }, [container, pin]);

  useEffect(() => {
    // Another conversation: start at its newest message.
    autoTop.current = 0;
    pin(true);
  }, [list, pin]);

  useEffect(() => {
    const element = container.current;
    if (!element || !pinnedRef.current) return;
    if (element.scrollTop < autoTop.current - 2) {
      pin(false);
      return;
    }
    element.scrollTop = element.scrollHeight;
    autoTop.current = element.scrollTop;
  }, [container, content, pin]);

  const jumpToLatest = useCallback(() => {
    const element = container.current;
    if (!element) return;
    element.scrollTop = element.scrollHeight;
    autoTop.current = element.scrollTop;
    pin(true);
  }, [container, pin]);

  return { pinned, jumpToLatest };
}

/** Keeps the message list at its newest text until the reader scrolls up, and offers a way back. */
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";

const NEAR_BOTTOM_PX = 80;

/**
 * Returns the ref for the scrolling list. After every render the list follows its newest text
 * while it is pinned; a reader who scrolls up unpins it. `list` names what is shown (the
 * conversation): another one starts pinned, at its newest message. When older messages are put
 * above `firstId` (the first shown), what the reader looks at stays where it is.
 */
export function useAutoScroll<Element extends HTMLElement>(list: unknown, firstId: string | undefined) {
  const container = useRef<Element | null>(null);
  const [pinned, setPinned] = useState(true);
  const pinnedRef = useRef(true);
  // Where our own last scroll left the list: a reader who moved above it scrolled up, even if
  // new text arrives before the browser reports the scroll.
  const autoTop = useRef(0);
  const shownList = useRef(list);

  // Older messages put above the first one would push everything down: scroll by what they add.
  const above = useRef<{ list: unknown; first: string | undefined; height: number }>({ list, first: firstId, height: 0 });
  useLayoutEffect(() => {
    const element = container.current;
    if (!element) return;
    const previous = above.current;
    const grewAbove = previous.list === list && previous.first !== undefined && firstId !== previous.first;
    if (grewAbove && !pinnedRef.current) element.scrollTop += element.scrollHeight - previous.height;
    above.current = { list, first: firstId, height: element.scrollHeight };
  });

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
  }, [pin]);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    if (shownList.current !== list) {
      shownList.current = list;
      autoTop.current = 0;
      pin(true);
    } else if (!pinnedRef.current) {
      return;
    } else if (element.scrollTop < autoTop.current - 2) {
      pin(false);
      return;
    }
    element.scrollTop = element.scrollHeight;
    autoTop.current = element.scrollTop;
  });

  const jumpToLatest = useCallback(() => {
    const element = container.current;
    if (!element) return;
    element.scrollTop = element.scrollHeight;
    autoTop.current = element.scrollTop;
    pin(true);
  }, [pin]);

  return { container, pinned, jumpToLatest };
}

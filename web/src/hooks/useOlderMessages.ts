/** Loads a long branch's older messages when the reader scrolls up to them (useAutoScroll keeps what is on screen in place). */
import { type RefObject, useEffect, useEffectEvent } from "react";

import type { Message } from "../types";

/** How close to the top of the list the next page is asked for: before the reader gets there. */
const NEAR_TOP_PX = 600;

interface Options {
  hasOlder: boolean;
  loadOlder: () => void;
  /** A message that must be shown (a search result): older pages are read until it is. */
  wanted: string | null;
}

export function useOlderMessages(list: RefObject<HTMLElement | null>, messages: Message[], { hasOlder, loadOlder, wanted }: Options): void {
  const onScroll = useEffectEvent(() => {
    const element = list.current;
    if (element && hasOlder && element.scrollTop < NEAR_TOP_PX) loadOlder();
  });
  useEffect(() => {
    const element = list.current;
    if (!element) return;
    const listener = () => onScroll();
    element.addEventListener("scroll", listener, { passive: true });
    return () => element.removeEventListener("scroll", listener);
  }, [list]);

  // When what is shown changes too (not at every streamed token): a page that does not fill the
  // screen gives the reader nothing to scroll.
  const onShown = useEffectEvent(() => {
    if (wanted && hasOlder && !messages.some((m) => m.id === wanted)) loadOlder();
    else onScroll();
  });
  useEffect(() => onShown(), [messages, hasOlder, wanted]);
}

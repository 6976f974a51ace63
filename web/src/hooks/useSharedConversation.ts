/** A shared link's copy, read once without signing in; the page is nobody's to index. */
import { useCallback, useEffect } from "react";

import { api } from "../api";
import type { SharedConversation } from "../types";
import { type Loaded, useLoaded } from "./useLoaded";

export function useSharedConversation(token: string): Loaded<SharedConversation> {
  const read = useCallback(() => api.shared(token), [token]);
  const loaded = useLoaded(read);
  const title = loaded.value?.title;

  useEffect(() => {
    // The server says so too (X-Robots-Tag); the tag is for what reads the page alone.
    const robots = document.createElement("meta");
    robots.name = "robots";
    robots.content = "noindex";
    document.head.append(robots);
    return () => robots.remove();
  }, []);

  useEffect(() => {
    if (title) document.title = `${title} · relaychat`;
  }, [title]);

  return loaded;
}

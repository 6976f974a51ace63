/** The open conversation's id, kept in the URL. */
import { useCallback, useEffect, useState } from "react";

/** The open conversation is in the URL (`/c/{id}`), so a reload or a shared link opens it. */
export function useRoute(): [string | null, (conversationId: string | null) => void] {
  const parse = () => /^\/c\/([^/]+)/.exec(window.location.pathname)?.[1] ?? null;
  const [conversationId, setConversationId] = useState<string | null>(parse);

  useEffect(() => {
    const onPop = () => setConversationId(parse());
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  const navigate = useCallback((id: string | null) => {
    const path = id ? `/c/${id}` : "/";
    if (window.location.pathname !== path) window.history.pushState(null, "", path);
    setConversationId(id);
  }, []);

  return [conversationId, navigate];
}

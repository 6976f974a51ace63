/** What the app shows, kept in the URL: a conversation (`/c/{id}`), a new chat (`/`), the account, files, usage, admin or status page. */
import { useCallback, useEffect, useState } from "react";

export type Route =
  | { page: "chat"; conversationId: string | null }
  | { page: "account" }
  | { page: "files" }
  | { page: "usage" }
  | { page: "admin" }
  | { page: "status" };

export function parseRoute(pathname: string): Route {
  if (/^\/account\/?$/.test(pathname)) return { page: "account" };
  if (/^\/files\/?$/.test(pathname)) return { page: "files" };
  if (/^\/usage\/?$/.test(pathname)) return { page: "usage" };
  if (/^\/admin\/?$/.test(pathname)) return { page: "admin" };
  if (/^\/status\/?$/.test(pathname)) return { page: "status" };
  return { page: "chat", conversationId: /^\/c\/([^/]+)/.exec(pathname)?.[1] ?? null };
}

/** A shared link's token (`/share/{token}`): that page is open to anyone, outside the signed-in app. */
export function sharedToken(pathname: string): string | null {
  return /^\/share\/([^/]+)\/?$/.exec(pathname)?.[1] ?? null;
}

export function routePath(route: Route): string {
  if (route.page !== "chat") return `/${route.page}`;
  return route.conversationId ? `/c/${route.conversationId}` : "/";
}

/** The route is in the URL, so a reload or a shared link opens the same thing. */
export function useRoute(): [Route, (route: Route) => void] {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.pathname));

  useEffect(() => {
    const onPop = () => setRoute(parseRoute(window.location.pathname));
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  const navigate = useCallback((to: Route) => {
    const path = routePath(to);
    if (window.location.pathname !== path) window.history.pushState(null, "", path);
    setRoute(to);
  }, []);

  return [route, navigate];
}

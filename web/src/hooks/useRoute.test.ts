/** Tests of the routes: each page's path, both ways. */
import { describe, expect, it } from "vitest";

import { parseRoute, type Route, routePath, sharedToken } from "./useRoute";

describe("routes", () => {
  it("reads and writes each page's path", () => {
    const routes: [string, Route][] = [
      ["/", { page: "chat", conversationId: null }],
      ["/c/abc", { page: "chat", conversationId: "abc" }],
      ["/account", { page: "account" }],
      ["/files", { page: "files" }],
      ["/usage", { page: "usage" }],
      ["/admin", { page: "admin" }],
      ["/status", { page: "status" }],
    ];
    for (const [path, route] of routes) {
      expect(parseRoute(path)).toEqual(route);
      expect(routePath(route)).toBe(path);
    }
    expect(parseRoute("/admin/")).toEqual({ page: "admin" });
    expect(parseRoute("/elsewhere")).toEqual({ page: "chat", conversationId: null });
  });

  it("finds a shared link's token, and nothing elsewhere", () => {
    expect(sharedToken("/share/AbC_d-1")).toBe("AbC_d-1");
    expect(sharedToken("/share/AbC/")).toBe("AbC");
    expect(sharedToken("/share/")).toBeNull();
    expect(sharedToken("/share/a/b")).toBeNull();
    expect(sharedToken("/c/abc")).toBeNull();
  });
});

/** Tests of useConversations: the chosen kind's list is asked for, remembered, and never mixed with the other. */
import { act, renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { conversation, serve } from "../testing";
import { SOURCE_KEY, useConversations } from "./useConversations";

afterEach(() => {
  vi.restoreAllMocks();
  localStorage.clear();
});

const APP = "GET /api/conversations?limit=200";
const API = "GET /api/conversations?limit=200&source=api";
const chat = conversation({ id: "c1", title: "A chat" });
const fromApi = conversation({ id: "c2", title: "From a script", source: "api" });
const page = (items: unknown[]) => () => Response.json({ items, next_offset: null });

describe("useConversations", () => {
  it("lists the chats by default, the API's conversations when chosen, and remembers the choice", async () => {
    const server = serve({ [APP]: page([chat]), [API]: page([fromApi]) });
    const { result, unmount } = renderHook(() => useConversations());
    expect(result.current.loaded).toBe(false);
    await waitFor(() => expect(result.current.items).toEqual([chat]));
    expect(result.current.source).toBe("app");

    act(() => result.current.choose("api"));
    expect(result.current.items).toEqual([]);
    await waitFor(() => expect(result.current.items).toEqual([fromApi]));
    expect(result.current.loaded).toBe(true);
    expect(localStorage.getItem(SOURCE_KEY)).toBe("api");
    unmount();

    // A reload lists the same kind.
    const again = renderHook(() => useConversations());
    await waitFor(() => expect(again.result.current.items).toEqual([fromApi]));
    expect(server.count(API)).toBe(2);
    expect(server.count(APP)).toBe(1);
  });

  it("does not show the chats' late answer after a switch to the API's", async () => {
    let answerChats: () => void = () => undefined;
    serve({
      [APP]: () => new Promise((resolve) => (answerChats = () => resolve(Response.json({ items: [chat], next_offset: null })))),
      [API]: page([fromApi]),
    });
    const { result } = renderHook(() => useConversations());
    act(() => result.current.choose("api"));
    await waitFor(() => expect(result.current.items).toEqual([fromApi]));
    act(() => answerChats());
    await new Promise((resolve) => setTimeout(resolve, 20)); // the late answer's page has arrived
    expect(result.current.items).toEqual([fromApi]);
    expect(result.current.source).toBe("api");
  });

  it("reads older pages on asking, and a refresh reads again as many as are shown", async () => {
    const newest = Array.from({ length: 200 }, (_, i) => conversation({ id: `n${i}` }));
    const older = conversation({ id: "old", title: "From last year" });
    const paged = (items: unknown[], next: number | null) => () => Response.json({ items, next_offset: next });
    const server = serve({ [APP]: paged(newest, 200), [`${APP}&offset=200`]: paged([older], null) });
    const { result } = renderHook(() => useConversations());
    await waitFor(() => expect(result.current.items).toHaveLength(200));
    expect(result.current.hasMore).toBe(true);

    await act(() => result.current.more());
    expect(result.current.items.at(-1)).toEqual(older);
    expect(result.current.hasMore).toBe(false);

    await act(() => result.current.refresh());
    expect(result.current.items).toHaveLength(201);
    expect(server.count(`${APP}&offset=200`)).toBe(2);
  });

  it("reads again only the pages read before: one restored from the archive adds no page to a refresh", async () => {
    const newest = Array.from({ length: 200 }, (_, i) => conversation({ id: `n${i}` }));
    const restored = conversation({ id: "back", title: "Restored" });
    const server = serve({
      [APP]: () => Response.json({ items: newest, next_offset: 200 }),
      [`${APP}&offset=200`]: () => Response.json({ items: [], next_offset: null }),
      "PATCH /api/conversations/back": () => Response.json(restored),
    });
    const { result } = renderHook(() => useConversations());
    await waitFor(() => expect(result.current.items).toHaveLength(200));
    await act(() => result.current.place("back", { archived: false }));
    expect(result.current.items).toHaveLength(201);
    await act(() => result.current.refresh());
    expect(server.count(`${APP}&offset=200`)).toBe(0);
  });
});

/** Tests of useSearch: it waits for typing to pause and asks only for the last query. */
import { act, renderHook } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { SEARCH_DELAY_MS, useSearch } from "./useSearch";

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

const found = { conversations: [], messages: [] };

describe("useSearch", () => {
  it("asks once typing pauses, with only the last query, and clears with an empty box", async () => {
    vi.useFakeTimers();
    const fetch = vi.spyOn(globalThis, "fetch").mockImplementation(() => Promise.resolve(Response.json(found)));
    const { result, rerender } = renderHook(({ query }) => useSearch(query), { initialProps: { query: "tr" } });
    rerender({ query: "tri" });
    rerender({ query: "trip pl" });
    expect(result.current.searching).toBe(true);
    expect(fetch).not.toHaveBeenCalled();

    await act(async () => {
      await vi.advanceTimersByTimeAsync(SEARCH_DELAY_MS);
    });
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls[0]![0]).toBe("/api/search?q=trip%20pl");
    expect(result.current).toEqual({ results: found, searching: false, error: null });

    rerender({ query: "  " });
    expect(result.current.results).toBeNull();
  });
});

/** Tests of usePresets: read when shown, and read again when another tab changes them or the updates come back. */
import { act, renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { serve, updatesFeed } from "../testing";
import type { PromptPreset } from "../types";
import { usePresets } from "./usePresets";

afterEach(() => vi.restoreAllMocks());

const LIST = "GET /api/presets";
const preset = (command: string): PromptPreset => ({
  id: command, command, title: command, content: "", shared: false, mine: true, created_at: "", updated_at: "",
});

describe("usePresets", () => {
  it("reads them again on a presets change or a resync, and not on another kind of change", async () => {
    let listed = [preset("tldr")];
    const server = serve({ [LIST]: () => Response.json(listed) });
    const feed = updatesFeed();
    const { result } = renderHook(() => usePresets(feed.subscribe));
    await waitFor(() => expect(result.current.value).toEqual(listed));

    listed = [preset("tldr"), preset("fix")]; // made in another tab
    act(() => feed.emit({ change: "folders" }));
    expect(server.count(LIST)).toBe(1);
    act(() => feed.emit({ change: "presets" }));
    await waitFor(() => expect(result.current.value?.map((p) => p.command)).toEqual(["tldr", "fix"]));
    act(() => feed.emit({ change: "resync" }));
    await waitFor(() => expect(server.count(LIST)).toBe(3));
  });
});

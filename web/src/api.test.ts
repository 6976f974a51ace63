/** Tests of the REST API's streaming submit: a response that never sends its first event fails like an unreachable server. */
import { afterEach, describe, expect, it, vi } from "vitest";

import { api, ApiError } from "./api";
import { SILENCE_MS } from "./follow";
import { streamResponse } from "./testing";

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("a streaming submit", () => {
  it("fails as unreachable when its response stays silent past the limit before the submitted event", async () => {
    vi.useFakeTimers();
    vi.spyOn(globalThis, "fetch").mockResolvedValueOnce(streamResponse([], "hang"));
    const submitted = api.submit("c1", "Hello", "client-1");
    const failed = expect(submitted).rejects.toThrow(new ApiError(0, "The server cannot be reached. Check your connection."));
    await vi.advanceTimersByTimeAsync(SILENCE_MS);
    await failed;
    expect(vi.getTimerCount()).toBe(0);
  });
});

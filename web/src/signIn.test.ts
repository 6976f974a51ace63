/** Tests of the one place a 401 is noticed: every listener hears it with the server's sentence, unless a sign-in came since. */
import { afterEach, describe, expect, it, vi } from "vitest";

import { api, ApiError } from "./api";
import { follow } from "./follow";
import { apiFetch, onSignInEnded, signInStarted } from "./signIn";

const ended = () => Response.json({ detail: "Your session has ended, or the API key is not valid: sign in again." }, { status: 401 });

afterEach(() => vi.restoreAllMocks());

describe("a 401 anywhere", () => {
  it("from an API call or a stream tells the listeners the server's sentence, and a stream stops", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(() => Promise.resolve(ended()));
    const heard: string[] = [];
    const stop = onSignInEnded((detail) => heard.push(detail));

    await expect(api.listConversations()).rejects.toEqual(new ApiError(401, "Your session has ended, or the API key is not valid: sign in again."));
    const status = await follow("/api/updates", { signal: new AbortController().signal, onEvent: () => false });
    expect(status).toBe(401);
    expect(heard).toEqual([
      "Your session has ended, or the API key is not valid: sign in again.",
      "Your session has ended, or the API key is not valid: sign in again.",
    ]);
    stop();
    await apiFetch("/api/me");
    expect(heard).toHaveLength(2);
  });

  it("answering a request sent before the latest sign-in is ignored", async () => {
    let answer: (response: Response) => void = () => undefined;
    vi.spyOn(globalThis, "fetch").mockImplementation(() => new Promise((resolve) => (answer = resolve)));
    const listener = vi.fn();
    const stop = onSignInEnded(listener);
    const old = apiFetch("/api/conversations");
    signInStarted();
    answer(ended());
    expect((await old).status).toBe(401);
    expect(listener).not.toHaveBeenCalled();

    const fresh = apiFetch("/api/conversations");
    answer(new Response("not json", { status: 401 }));
    await fresh;
    expect(listener).toHaveBeenCalledWith("Your session has ended: sign in again.");
    stop();
  });
});

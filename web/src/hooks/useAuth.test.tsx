/** Tests of useAuth against a stubbed fetch: the first account, signing in and out, approval, and a 401 from anywhere. */
import { act, cleanup, renderHook, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { api } from "../api";
import { refused, serve, user } from "../testing";
import type { AuthInfo } from "../types";
import { useAuth } from "./useAuth";

const info = (fields: Partial<AuthInfo> = {}): AuthInfo => ({ setup_required: false, signup: "open", user: null, ...fields });

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe("useAuth", () => {
  it("makes the first account, which is signed in at once", async () => {
    const admin = user({ role: "admin" });
    const { requests } = serve({
      "GET /api/auth/state": () => Response.json(info({ setup_required: true })),
      "POST /api/auth/register": () => Response.json(admin, { status: 201 }),
    });
    const { result } = renderHook(useAuth);
    await waitFor(() => expect(result.current.state).toMatchObject({ status: "signedOut", setupRequired: true }));

    await act(() => result.current.register({ email: "ada@example.com", password: "a long passphrase", name: "Ada" }));
    expect(result.current.state).toEqual({ status: "signedIn", user: admin });
    expect(requests.at(-1)?.body).toEqual({ email: "ada@example.com", password: "a long passphrase", name: "Ada" });
  });

  it("leaves an account waiting for approval signed out", async () => {
    serve({
      "GET /api/auth/state": () => Response.json(info({ signup: "approval" })),
      "POST /api/auth/register": () => Response.json(user({ status: "pending" }), { status: 202 }),
    });
    const { result } = renderHook(useAuth);
    await waitFor(() => expect(result.current.state.status).toBe("signedOut"));
    let made: unknown;
    await act(async () => {
      made = await result.current.register({ email: "ada@example.com", password: "a long passphrase", name: "" });
    });
    expect(made).toMatchObject({ status: "pending" });
    expect(result.current.state.status).toBe("signedOut");
  });

  it("goes to the sign-in screen with the server's sentence when any call meets 401", async () => {
    let signedIn = true;
    serve({
      "GET /api/auth/state": () => Response.json(info({ user: signedIn ? user() : null, signup: "closed" })),
      "GET /api/conversations?limit=200": refused(401, "Your session has ended, or the API key is not valid: sign in again."),
    });
    const { result } = renderHook(useAuth);
    await waitFor(() => expect(result.current.state.status).toBe("signedIn"));

    signedIn = false;
    await act(() => api.listConversations().catch(() => undefined));
    expect(result.current.state).toMatchObject({
      status: "signedOut", notice: "Your session has ended, or the API key is not valid: sign in again.",
    });
    await waitFor(() => expect(result.current.state).toMatchObject({ signup: "closed" }));
  });

  it("keeps a wrong password's refusal for the form, and signs in with the right one", async () => {
    serve({
      "GET /api/auth/state": () => Response.json(info()),
      "POST /api/auth/login": (body) =>
        (body as { password: string }).password === "right password"
          ? Response.json(user())
          : refused(401, "The email address or the password is wrong.")(),
    });
    const { result } = renderHook(useAuth);
    await waitFor(() => expect(result.current.state.status).toBe("signedOut"));

    await act(() => expect(result.current.login("ada@example.com", "wrong password")).rejects.toThrow("The email address or the password is wrong."));
    expect(result.current.state).toMatchObject({ status: "signedOut", notice: null });
    await act(() => result.current.login("ada@example.com", "right password"));
    expect(result.current.state).toEqual({ status: "signedIn", user: user() });
  });

  it("signs out, even when the session had already ended", async () => {
    let live = true;
    serve({
      "GET /api/auth/state": () => Response.json(info({ user: live ? user() : null })),
      "POST /api/auth/logout": () => (live ? new Response(null, { status: 204 }) : refused(401, "Sign in.")()),
    });
    const { result } = renderHook(useAuth);
    await waitFor(() => expect(result.current.state.status).toBe("signedIn"));
    live = false;
    await act(() => result.current.logout());
    expect(result.current.state).toMatchObject({ status: "signedOut", notice: null });
  });

  it("says when the server cannot be reached, and asks again", async () => {
    let up = false;
    vi.spyOn(globalThis, "fetch").mockImplementation(() => (up ? Promise.resolve(Response.json(info())) : Promise.reject(new TypeError("offline"))));
    const { result } = renderHook(useAuth);
    await waitFor(() => expect(result.current.state).toEqual({ status: "unreachable", error: "The server cannot be reached. Check your connection." }));
    up = true;
    act(() => result.current.reload());
    await waitFor(() => expect(result.current.state.status).toBe("signedOut"));
  });
});

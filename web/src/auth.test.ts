/** Tests of the sign-in state: what the server says, and which 401 signs a tab out. */
import { describe, expect, it } from "vitest";

import { type AuthState, authReducer, initialAuth } from "./auth";
import { user } from "./testing";

const signedIn: AuthState = { status: "signedIn", user: user() };

describe("authReducer", () => {
  it("starts from the server's state: the first account to make, or who is signed in", () => {
    expect(authReducer(initialAuth, { type: "loaded", info: { setup_required: true, signup: "open", user: null } })).toEqual({
      status: "signedOut", setupRequired: true, signup: "open", notice: null,
    });
    expect(authReducer(initialAuth, { type: "loaded", info: { setup_required: false, signup: "closed", user: user() } })).toEqual(signedIn);
    expect(authReducer(initialAuth, { type: "failed", error: "The server cannot be reached." })).toEqual({
      status: "unreachable", error: "The server cannot be reached.",
    });
  });

  it("signs a signed-in tab out on a 401, keeping the sentence while the state is read again", () => {
    const ended = authReducer(signedIn, { type: "signInEnded", detail: "Your session has ended." });
    expect(ended).toMatchObject({ status: "signedOut", notice: "Your session has ended." });
    expect(authReducer(ended, { type: "loaded", info: { setup_required: false, signup: "approval", user: null } })).toEqual({
      status: "signedOut", setupRequired: false, signup: "approval", notice: "Your session has ended.",
    });
  });

  it("ignores a 401 on the sign-in screen (a wrong password) and a failed read while signed in", () => {
    const out: AuthState = { status: "signedOut", setupRequired: false, signup: "open", notice: null };
    expect(authReducer(out, { type: "signInEnded", detail: "The email address or the password is wrong." })).toBe(out);
    expect(authReducer(signedIn, { type: "failed", error: "x" })).toBe(signedIn);
  });

  it("signs in, follows the user's changes, and signs out without a notice", () => {
    const out: AuthState = { status: "signedOut", setupRequired: true, signup: "open", notice: "Your session has ended." };
    const admin = user({ role: "admin" });
    expect(authReducer(out, { type: "signedIn", user: admin })).toEqual({ status: "signedIn", user: admin });
    expect(authReducer(signedIn, { type: "userChanged", user: user({ name: "Ada L." }) })).toEqual({ status: "signedIn", user: user({ name: "Ada L." }) });
    expect(authReducer(signedIn, { type: "userChanged", user: user({ id: "u2" }) })).toBe(signedIn);
    expect(authReducer(signedIn, { type: "signedOut" })).toMatchObject({ status: "signedOut", notice: null });
  });
});

/** Who is signed in: the server's auth state, signing in, up and out, and the sign-in screen on any 401. */
import { useCallback, useEffect, useReducer } from "react";

import { api, ApiError, readable } from "../api";
import { type AuthState, authReducer, initialAuth } from "../auth";
import { onSignInEnded, signInStarted } from "../signIn";
import type { Registration, User } from "../types";

export interface Auth {
  state: AuthState;
  /** Asks the server again (after it could not be reached). */
  reload: () => void;
  login: (email: string, password: string) => Promise<void>;
  /** The account made: signed in when active, else `pending` until an admin approves it. */
  register: (fields: Registration) => Promise<User>;
  logout: () => Promise<void>;
  /** The user as the server now has it (a name or a role changed). */
  setUser: (user: User) => void;
  /** Reads the user again: an admin may have changed its role. */
  refreshUser: () => void;
}

export function useAuth(): Auth {
  const [state, dispatch] = useReducer(authReducer, initialAuth);

  const reload = useCallback(() => {
    api.authState().then(
      (info) => dispatch({ type: "loaded", info }),
      (error: unknown) => dispatch({ type: "failed", error: readable(error) }),
    );
  }, []);

  useEffect(reload, [reload]);

  // Any 401, from any call or stream of this tab, shows the sign-in screen with the server's
  // sentence; the state is read again for the signup mode the screen offers.
  useEffect(
    () =>
      onSignInEnded((detail) => {
        dispatch({ type: "signInEnded", detail });
        reload();
      }),
    [reload],
  );

  // A tab left on the sign-in screen follows a sign-in made in another tab once it is looked at.
  const signedOut = state.status === "signedOut";
  useEffect(() => {
    if (!signedOut) return;
    const onVisible = () => {
      if (document.visibilityState === "visible") reload();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => document.removeEventListener("visibilitychange", onVisible);
  }, [signedOut, reload]);

  const signedIn = useCallback((user: User) => {
    signInStarted();
    dispatch({ type: "signedIn", user });
  }, []);

  const login = useCallback(
    async (email: string, password: string) => signedIn(await api.login(email, password)),
    [signedIn],
  );

  const register = useCallback(
    async (fields: Registration) => {
      const user = await api.register(fields);
      if (user.status === "active") signedIn(user);
      return user;
    },
    [signedIn],
  );

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } catch (error) {
      // Already ended elsewhere: signed out all the same.
      if (!(error instanceof ApiError && error.status === 401)) throw error;
    }
    dispatch({ type: "signedOut" });
    reload();
  }, [reload]);

  const setUser = useCallback((user: User) => dispatch({ type: "userChanged", user }), []);

  const refreshUser = useCallback(() => {
    // A 401 signs out through signIn.ts; anything else leaves the user as it was.
    api.me().then(setUser, () => undefined);
  }, [setUser]);

  return { state, reload, login, register, logout, setUser, refreshUser };
}

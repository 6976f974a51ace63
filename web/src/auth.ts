/** Whether this tab is signed in, as a pure reducer: what the server said, sign-ins, sign-outs and sign-ins that ended. */
import type { AuthInfo, SignupMode, User } from "./types";

export type AuthState =
  | { status: "loading" }
  /** `GET /api/auth/state` failed: the sentence, and a way to ask again. */
  | { status: "unreachable"; error: string }
  | {
      status: "signedOut";
      /** No account exists: the first one made is the admin. */
      setupRequired: boolean;
      signup: SignupMode;
      /** Why this tab was signed out when it did not ask to be (the server's sentence). */
      notice: string | null;
    }
  | { status: "signedIn"; user: User };

export type AuthAction =
  | { type: "loaded"; info: AuthInfo }
  | { type: "failed"; error: string }
  | { type: "signedIn"; user: User }
  /** This tab signed out. */
  | { type: "signedOut" }
  /** A request met 401: the sign-in was revoked, or the user disabled or deleted. */
  | { type: "signInEnded"; detail: string }
  /** The signed-in user's name or role changed. */
  | { type: "userChanged"; user: User };

export const initialAuth: AuthState = { status: "loading" };

export function authReducer(state: AuthState, action: AuthAction): AuthState {
  switch (action.type) {
    case "loaded": {
      const { user, setup_required, signup } = action.info;
      if (user) return { status: "signedIn", user };
      // A notice stays while the screen it explains does.
      const notice = state.status === "signedOut" ? state.notice : null;
      return { status: "signedOut", setupRequired: setup_required, signup, notice };
    }
    case "failed":
      return state.status === "loading" || state.status === "unreachable" ? { status: "unreachable", error: action.error } : state;
    case "signedIn":
      return { status: "signedIn", user: action.user };
    case "signedOut":
      return { status: "signedOut", setupRequired: false, signup: "closed", notice: null };
    case "signInEnded":
      // A wrong password on the sign-in screen is a 401 too: only a signed-in tab is signed out.
      return state.status === "signedIn" ? { status: "signedOut", setupRequired: false, signup: "closed", notice: action.detail } : state;
    case "userChanged":
      return state.status === "signedIn" && state.user.id === action.user.id ? { status: "signedIn", user: action.user } : state;
  }
}

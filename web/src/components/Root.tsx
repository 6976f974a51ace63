/** The page's root: the theme; a shared link's page (open to anyone), or whether this tab is signed in: the sign-in screens, or the app as that user. */
import { useAuth } from "../hooks/useAuth";
import { sharedToken } from "../hooks/useRoute";
import { type Theme, useTheme } from "../hooks/useTheme";
import { SignInScreen } from "./account/SignInScreen";
import { App } from "./App";
import { SharedPage } from "./share/SharedPage";

export function Root() {
  const [theme, toggleTheme] = useTheme();
  // Read once: nothing on a shared page leads elsewhere in the app.
  const token = sharedToken(window.location.pathname);
  return token ? <SharedPage token={token} /> : <SignedInRoot theme={theme} onToggleTheme={toggleTheme} />;
}

function SignedInRoot({ theme, onToggleTheme: toggleTheme }: { theme: Theme; onToggleTheme: () => void }) {
  const auth = useAuth();
  const { state } = auth;

  switch (state.status) {
    case "loading":
      return <main className="auth-screen" aria-busy="true" data-testid="auth-loading" />;
    case "unreachable":
      return (
        <main className="auth-screen" data-testid="auth-unreachable">
          <div className="auth-card">
            <p className="brand">relaychat</p>
            <p role="alert">{state.error}</p>
            <button type="button" className="primary" autoFocus onClick={auth.reload}>
              Try again
            </button>
          </div>
        </main>
      );
    case "signedOut":
      return (
        <SignInScreen
          setupRequired={state.setupRequired}
          signup={state.signup}
          notice={state.notice}
          onLogin={auth.login}
          onRegister={auth.register}
        />
      );
    case "signedIn":
      // Another user starts from nothing: no list, conversation or answer of the previous one.
      return <App key={state.user.id} user={state.user} account={auth} theme={theme} onToggleTheme={toggleTheme} />;
  }
}

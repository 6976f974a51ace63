/** The screens before the app: make the admin account on a new deployment, or sign in (and sign up where allowed). */
import { useState } from "react";

import { useAction } from "../../hooks/useAction";
import type { Registration, SignupMode, User } from "../../types";
import { Field, FormError, PASSWORD_HINT, submitted } from "../shared/Field";

interface Props {
  /** No account exists yet: the first one is the admin. */
  setupRequired: boolean;
  signup: SignupMode;
  /** Why this tab was signed out (a session ended elsewhere). */
  notice: string | null;
  onLogin: (email: string, password: string) => Promise<void>;
  onRegister: (fields: Registration) => Promise<User>;
}

const PENDING = "Your account is waiting for an admin's approval: you can sign in once it is approved.";

function RegisterForm({ title, intro, submitLabel, onRegister, onCancel }: {
  title: string;
  intro: string;
  submitLabel: string;
  onRegister: (fields: Registration) => Promise<unknown>;
  onCancel?: () => void;
}) {
  const register = useAction(onRegister);
  return (
    <form
      className="auth-form"
      data-testid="register-form"
      onSubmit={(event) => {
        const field = submitted(event);
        void register.run({ email: field("email"), password: field("password"), name: field("name") });
      }}
    >
      <h1>{title}</h1>
      <p className="auth-intro">{intro}</p>
      <Field label="Name" name="name" autoComplete="name" maxLength={200} data-testid="register-name" />
      <Field label="Email" name="email" type="email" autoComplete="username" required maxLength={320} data-testid="register-email" autoFocus />
      <Field label="Password" name="password" type="password" autoComplete="new-password" required minLength={8} hint={PASSWORD_HINT} data-testid="register-password" />
      <FormError error={register.error} testId="auth-error" />
      <button type="submit" className="primary" disabled={register.busy} data-testid="register-submit">
        {register.busy ? "Creating…" : submitLabel}
      </button>
      {onCancel ? (
        <button type="button" className="link-button" data-testid="show-signin" onClick={onCancel}>
          I have an account: sign in
        </button>
      ) : null}
    </form>
  );
}

function LoginForm({ signup, onLogin, onSignUp }: { signup: SignupMode; onLogin: Props["onLogin"]; onSignUp: () => void }) {
  const login = useAction(onLogin);
  return (
    <form
      className="auth-form"
      data-testid="signin-form"
      onSubmit={(event) => {
        const field = submitted(event);
        void login.run(field("email"), field("password"));
      }}
    >
      <h1>Sign in</h1>
      <Field label="Email" name="email" type="email" autoComplete="username" required data-testid="signin-email" autoFocus />
      <Field label="Password" name="password" type="password" autoComplete="current-password" required data-testid="signin-password" />
      <FormError error={login.error} testId="auth-error" />
      <button type="submit" className="primary" disabled={login.busy} data-testid="signin-submit">
        {login.busy ? "Signing in…" : "Sign in"}
      </button>
      {signup === "closed" ? (
        <p className="hint" data-testid="signup-closed">No account? Ask an admin for one.</p>
      ) : (
        <button type="button" className="link-button" data-testid="show-signup" onClick={onSignUp}>
          Create an account
        </button>
      )}
    </form>
  );
}

export function SignInScreen({ setupRequired, signup, notice, onLogin, onRegister }: Props) {
  const [signingUp, setSigningUp] = useState(false);
  const [pending, setPending] = useState(false);

  const register = async (fields: Registration) => {
    const user = await onRegister(fields);
    if (user.status === "pending") {
      setPending(true);
      setSigningUp(false);
    }
  };

  let form;
  if (setupRequired) {
    form = (
      <RegisterForm
        title="Create the admin account"
        intro="No account exists yet. This first one is the admin's: it adds people and decides who may sign up."
        submitLabel="Create the admin account"
        onRegister={register}
      />
    );
  } else if (signingUp && signup !== "closed") {
    form = (
      <RegisterForm
        title="Create an account"
        intro={signup === "approval" ? "An admin approves new accounts before they can sign in." : "You are signed in once it is made."}
        submitLabel="Create the account"
        onRegister={register}
        onCancel={() => setSigningUp(false)}
      />
    );
  } else {
    form = <LoginForm signup={signup} onLogin={onLogin} onSignUp={() => setSigningUp(true)} />;
  }

  return (
    <main className="auth-screen" data-testid={setupRequired ? "setup-screen" : "signin-screen"}>
      <div className="auth-card">
        <p className="brand">relaychat</p>
        {notice && !pending ? (
          <p className="auth-notice" role="status" data-testid="auth-notice">
            {notice}
          </p>
        ) : null}
        {pending ? (
          <p className="auth-notice" role="status" data-testid="signup-pending">
            {PENDING}
          </p>
        ) : null}
        {form}
      </div>
    </main>
  );
}

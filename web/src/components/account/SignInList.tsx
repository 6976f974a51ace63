/** The user's signed-in browsers: this one marked, any other signed out with a click. */
import { describeAgent, formatWhen } from "../../format";
import { useAction } from "../../hooks/useAction";
import type { SignIn } from "../../types";
import { FormError } from "../shared/Field";

interface Props {
  signIns: SignIn[] | null;
  /** Reading the list failed. */
  error: string | null;
  onRevoke: (id: string) => Promise<void>;
}

export function SignInList({ signIns, error, onRevoke }: Props) {
  const revoke = useAction(onRevoke);
  return (
    <section className="page-section" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Signed-in browsers</h2>
      <FormError error={error ?? revoke.error} testId="sessions-error" />
      {signIns === null && !error ? <p className="hint">Loading…</p> : null}
      <ul className="rows" data-testid="session-list">
        {signIns?.map((signIn) => {
          const agent = describeAgent(signIn.user_agent);
          return (
            <li key={signIn.id} className="row" data-testid="session-row" data-current={signIn.current}>
              <div className="row-main">
                <span className="row-title" title={signIn.user_agent}>
                  {agent}
                  {signIn.current ? (
                    <span className="badge" data-testid="current-session">
                      This browser
                    </span>
                  ) : null}
                </span>
                <span className="hint">
                  {signIn.address ? `${signIn.address} · ` : ""}signed in {formatWhen(signIn.created_at)} · last active{" "}
                  {formatWhen(signIn.last_seen_at)}
                </span>
              </div>
              {signIn.current ? null : (
                <button
                  type="button"
                  className="secondary"
                  aria-label={`Sign out ${agent}, signed in ${formatWhen(signIn.created_at)}`}
                  data-testid="revoke-session"
                  disabled={revoke.busy}
                  onClick={() => void revoke.run(signIn.id)}
                >
                  Sign out
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** The user's signed-in browsers: this one marked, any other signed out with a click. */
import { describeAgent, formatWhen } from "../../format";
import { useAction } from "../../hooks/useAction";
import type { SessionInfo } from "../../types";
import { FormError } from "../shared/Field";

interface Props {
  sessions: SessionInfo[] | null;
  /** Reading the list failed. */
  error: string | null;
  onRevoke: (id: string) => Promise<void>;
}

export function SessionList({ sessions, error, onRevoke }: Props) {
  const revoke = useAction(onRevoke);
  return (
    <section className="page-section" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Signed-in browsers</h2>
      <FormError error={error ?? revoke.error} testId="sessions-error" />
      {sessions === null && !error ? <p className="hint">Loading…</p> : null}
      <ul className="rows" data-testid="session-list">
        {sessions?.map((session) => {
          const agent = describeAgent(session.user_agent);
          return (
            <li key={session.id} className="row" data-testid="session-row" data-current={session.current}>
              <div className="row-main">
                <span className="row-title" title={session.user_agent}>
                  {agent}
                  {session.current ? (
                    <span className="badge" data-testid="current-session">
                      This browser
                    </span>
                  ) : null}
                </span>
                <span className="hint">
                  {session.address ? `${session.address} · ` : ""}signed in {formatWhen(session.created_at)} · last active{" "}
                  {formatWhen(session.last_seen_at)}
                </span>
              </div>
              {session.current ? null : (
                <button
                  type="button"
                  className="secondary"
                  aria-label={`Sign out ${agent}, signed in ${formatWhen(session.created_at)}`}
                  data-testid="revoke-session"
                  disabled={revoke.busy}
                  onClick={() => void revoke.run(session.id)}
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

/** One user's own limits, opened from the admin's table: an empty field takes the role's; what applies is shown. */
import { useState } from "react";

import { useAction } from "../../hooks/useAction";
import { useUserLimits } from "../../hooks/useLimits";
import { describeLimits, limitValue, readLimits } from "../../limits";
import type { Limits, User } from "../../types";
import { FormError, submitted } from "../shared/Field";
import { LimitFields } from "./LimitFields";

interface Props {
  user: User;
  /** The defaults of the user's role, as saved; null while they load. */
  roleDefaults: Limits | null;
}

export function UserLimitsEditor({ user, roleDefaults }: Props) {
  const who = user.name || user.email;
  const limits = useUserLimits(user.id, JSON.stringify([user.role, roleDefaults]));
  const [saved, setSaved] = useState(false);
  const save = useAction(async (own: Limits) => {
    await limits.save(own);
    setSaved(true);
  });
  const value = limits.value;
  const role = user.role === "admin" ? "admins'" : "users'";

  return (
    <div className="user-limits" data-testid="user-limits" data-user-id={user.id}>
      <FormError error={limits.error} testId="user-limits-load-error" />
      {value ? (
        <form
          key={JSON.stringify(value.own)}
          className="stacked-form wide"
          data-testid="user-limits-form"
          onSubmit={(event) => {
            const field = submitted(event);
            setSaved(false);
            void save.run(readLimits(field));
          }}
        >
          <LimitFields
            legend={`Limits of ${who}`}
            whose={`${who}'s`}
            prefix=""
            testPrefix="own-limit-"
            values={value.own}
            placeholder={(name) => (roleDefaults ? limitValue(name, roleDefaults[name]) : "")}
          />
          <p className="hint">An empty field takes the {role} default, shown in grey.</p>
          <p className="hint" data-testid="effective-limits">
            Applies now: {describeLimits(value.effective)}.
          </p>
          <FormError error={save.error} testId="user-limits-error" />
          <div className="form-actions">
            <button type="submit" className="primary small" disabled={save.busy} data-testid="user-limits-save">
              Save limits of {who}
            </button>
            {saved && !save.busy ? (
              <span className="form-ok" role="status" data-testid="user-limits-saved">
                Saved.
              </span>
            ) : null}
          </div>
        </form>
      ) : limits.error ? null : (
        <p className="hint">Loading…</p>
      )}
    </div>
  );
}

/** The admin's default limits of each role: an empty field is unlimited; both roles are saved at once. */
import { useState } from "react";

import { useAction } from "../../hooks/useAction";
import { limitValue, readLimits } from "../../limits";
import type { RoleLimits, UserRole } from "../../types";
import { FormError, submitted } from "../shared/Field";
import { LimitFields } from "./LimitFields";

interface Props {
  limits: RoleLimits;
  onSave: (limits: RoleLimits) => Promise<void>;
}

const ROLES: [UserRole, string, string][] = [
  ["user", "Users", "Users'"],
  ["admin", "Admins", "Admins'"],
];

export function RoleLimitsForm({ limits, onSave }: Props) {
  const [saved, setSaved] = useState(false);
  const save = useAction(async (changed: RoleLimits) => {
    await onSave(changed);
    setSaved(true);
  });
  return (
    <form
      // The server's values after a save (or a reload) replace what was typed.
      key={JSON.stringify(limits)}
      className="stacked-form wide"
      data-testid="role-limits-form"
      onSubmit={(event) => {
        const field = submitted(event);
        setSaved(false);
        void save.run({ user: readLimits(field, "user."), admin: readLimits(field, "admin.") });
      }}
    >
      {ROLES.map(([role, legend, whose]) => (
        <LimitFields
          key={role}
          legend={legend}
          whose={whose}
          prefix={`${role}.`}
          testPrefix={`limit-${role}-`}
          values={limits[role]}
          placeholder={(name) => limitValue(name, null)}
        />
      ))}
      <FormError error={save.error} testId="role-limits-error" />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={save.busy} data-testid="role-limits-save">
          Save default limits
        </button>
        {saved && !save.busy ? (
          <span className="form-ok" role="status" data-testid="role-limits-saved">
            Saved. They apply from each user's next question.
          </span>
        ) : null}
      </div>
    </form>
  );
}

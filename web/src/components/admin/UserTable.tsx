/** The admin's table of accounts: approve, change role, disable or enable, delete (after a confirmation), and open a user's limits. */
import { type ReactNode, useId, useState } from "react";

import { formatWhen } from "../../format";
import type { User, UserChange, UserRole, UserStatus } from "../../types";

interface Props {
  users: User[];
  /** The admin looking: marked "you". */
  meId: string;
  /** Each refusal shows above the table (the caller's action hook). */
  busy: boolean;
  onUpdate: (id: string, fields: UserChange) => void;
  onDelete: (id: string) => void;
  /** A user's own limits, shown in a row under theirs when opened. */
  limits: (user: User) => ReactNode;
}

const STATUS: Record<UserStatus, string> = { active: "Active", pending: "Waiting for approval", disabled: "Disabled" };

function Row({ user, me, busy, onUpdate, onDelete, limits }: { user: User; me: boolean; busy: boolean } & Pick<Props, "onUpdate" | "onDelete" | "limits">) {
  const [confirming, setConfirming] = useState(false);
  const [limitsOpen, setLimitsOpen] = useState(false);
  const limitsId = useId();
  const who = user.name ? `${user.name} (${user.email})` : user.email;
  return (
    <>
      <tr data-testid="user-row" data-email={user.email} data-status={user.status} data-role={user.role}>
        <td>
          <span className="row-title">{user.name || user.email}</span>
          {me ? <span className="badge">you</span> : null}
          <span className="hint">
            {user.email} · since {formatWhen(user.created_at)}
          </span>
        </td>
        <td>
          <select
            aria-label={`Role of ${who}`}
            data-testid="user-role"
            value={user.role}
            disabled={busy}
            onChange={(event) => onUpdate(user.id, { role: event.target.value as UserRole })}
          >
            <option value="user">User</option>
            <option value="admin">Admin</option>
          </select>
        </td>
        <td data-testid="user-status">{STATUS[user.status]}</td>
        <td className="actions">
          <button
            type="button"
            className="secondary"
            aria-label={`Limits of ${who}`}
            aria-expanded={limitsOpen}
            aria-controls={limitsOpen ? limitsId : undefined}
            data-testid="open-limits"
            onClick={() => setLimitsOpen((open) => !open)}
          >
            Limits
          </button>
          {user.status === "pending" ? (
            <button type="button" className="primary small" data-testid="approve-user" disabled={busy} onClick={() => onUpdate(user.id, { status: "active" })}>
              Approve
            </button>
          ) : null}
          {user.status === "active" ? (
            <button type="button" className="secondary" aria-label={`Disable ${who}`} data-testid="disable-user" disabled={busy} onClick={() => onUpdate(user.id, { status: "disabled" })}>
              Disable
            </button>
          ) : null}
          {user.status === "disabled" ? (
            <button type="button" className="secondary" aria-label={`Enable ${who}`} data-testid="enable-user" disabled={busy} onClick={() => onUpdate(user.id, { status: "active" })}>
              Enable
            </button>
          ) : null}
          {confirming ? (
            <span className="confirm" role="group" aria-label={`Delete ${who}?`}>
              <button
                type="button"
                className="danger"
                data-testid="confirm-delete-user"
                autoFocus
                disabled={busy}
                onClick={() => {
                  setConfirming(false);
                  onDelete(user.id);
                }}
              >
                Delete with their conversations
              </button>
              <button type="button" className="link-button" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </span>
          ) : (
            <button type="button" className="secondary" aria-label={`Delete ${who}`} data-testid="delete-user" onClick={() => setConfirming(true)}>
              Delete
            </button>
          )}
        </td>
      </tr>
      {limitsOpen ? (
        <tr className="limits-row" id={limitsId} data-testid="user-limits-row" data-email={user.email}>
          <td colSpan={4}>{limits(user)}</td>
        </tr>
      ) : null}
    </>
  );
}

export function UserTable({ users, meId, busy, onUpdate, onDelete, limits }: Props) {
  return (
    <table className="users" data-testid="user-table">
      <thead>
        <tr>
          <th scope="col">Account</th>
          <th scope="col">Role</th>
          <th scope="col">Status</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {users.map((user) => (
          <Row key={user.id} user={user} me={user.id === meId} busy={busy} onUpdate={onUpdate} onDelete={onDelete} limits={limits} />
        ))}
      </tbody>
    </table>
  );
}

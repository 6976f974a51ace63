/** The admin page: the accounts and their limits, adding one, every account's usage, each role's default
 * limits, who may sign up, sharing by link, and users' feedback; every refusal in the server's words. */
import { useState } from "react";

import { USAGE_DAYS } from "../../dailyUsage";
import { useAction } from "../../hooks/useAction";
import { useRoleLimits } from "../../hooks/useLimits";
import { useUsersUsage } from "../../hooks/useUsage";
import { type SiteSetting, useSiteSettings } from "../../hooks/useSiteSettings";
import { useUsers } from "../../hooks/useUsers";
import type { NewUser, SignupMode, User, UserRole } from "../../types";
import { Field, FormError, PASSWORD_HINT, submitted } from "../shared/Field";
import { PageHeader, type PageHeaderProps } from "../shared/PageHeader";
import { FeedbackSection } from "./FeedbackSection";
import { RoleLimitsForm } from "./RoleLimitsForm";
import { McpServersSection } from "./McpServersSection";
import { UsageTable } from "./UsageTable";
import { UserLimitsEditor } from "./UserLimitsEditor";
import { UserTable } from "./UserTable";

const MODES: [SignupMode, string, string][] = [
  ["open", "Open", "Anyone can make an account and use it at once."],
  ["approval", "With approval", "Anyone can ask for an account; an admin approves it here first."],
  ["closed", "Closed", "Only an admin adds accounts."],
];

function SignupModeForm({ signup }: { signup: SiteSetting<SignupMode> }) {
  const [chosen, setChosen] = useState<SignupMode | null>(null);
  const save = useAction(signup.change);
  const shown = chosen ?? signup.value;
  return (
    <form
      className="stacked-form"
      data-testid="signup-form"
      onSubmit={(event) => {
        event.preventDefault();
        if (shown) void save.run(shown).then((ok) => ok && setChosen(null));
      }}
    >
      <fieldset className="choices">
        <legend>Who may make an account</legend>
        {MODES.map(([mode, label, description]) => (
          <label key={mode} className="choice">
            <input type="radio" name="signup" value={mode} checked={shown === mode} onChange={() => setChosen(mode)} data-testid={`signup-${mode}`} />
            <span>
              <strong>{label}</strong>
              <span className="hint">{description}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <FormError error={save.error ?? signup.error} testId="signup-error" />
      <div>
        <button type="submit" className="primary" disabled={save.busy || chosen === null || chosen === signup.value} data-testid="signup-save">
          Save
        </button>
      </div>
    </form>
  );
}

function SharingForm({ sharing }: { sharing: SiteSetting<boolean> }) {
  const save = useAction(sharing.change);
  return (
    <div className="stacked-form" data-testid="sharing-form">
      <label className="choice">
        <input
          type="checkbox"
          checked={sharing.value ?? false}
          disabled={sharing.value === null || save.busy}
          onChange={(event) => void save.run(event.currentTarget.checked)}
          data-testid="sharing-enabled"
        />
        <span>
          <strong>Sharing by link</strong>
          <span className="hint">Users may share a copy of a conversation with anyone who has its link. Off, no link opens; on again, they do.</span>
        </span>
      </label>
      <FormError error={save.error ?? sharing.error} testId="sharing-error" />
    </div>
  );
}

function AddUserForm({ onCreate }: { onCreate: (user: NewUser) => Promise<void> }) {
  const create = useAction(async (user: NewUser, form: HTMLFormElement) => {
    await onCreate(user);
    form.reset();
  });
  return (
    <form
      className="stacked-form"
      data-testid="add-user-form"
      onSubmit={(event) => {
        const form = event.currentTarget;
        const field = submitted(event);
        const role = field("role") as UserRole;
        void create.run({ email: field("email"), name: field("name"), password: field("password"), role }, form);
      }}
    >
      <div className="form-row">
        <Field label="Email" name="email" type="email" autoComplete="off" required maxLength={320} data-testid="add-user-email" />
        <Field label="Name" name="name" autoComplete="off" maxLength={200} data-testid="add-user-name" />
      </div>
      <div className="form-row">
        <Field label="Password" name="password" type="password" autoComplete="new-password" required minLength={8} hint={PASSWORD_HINT} data-testid="add-user-password" />
        <div className="field">
          <label>
            Role
            <select name="role" defaultValue="user" data-testid="add-user-role">
              <option value="user">User</option>
              <option value="admin">Admin</option>
            </select>
          </label>
        </div>
      </div>
      <FormError error={create.error} testId="add-user-error" />
      <div>
        <button type="submit" className="primary" disabled={create.busy} data-testid="add-user-submit">
          Add user
        </button>
      </div>
    </form>
  );
}

export function AdminPage({ user, ...header }: PageHeaderProps & { user: User }) {
  if (user.role !== "admin") {
    return (
      <main className="page" data-testid="admin-page">
        <PageHeader title="Admin" {...header} />
        <p className="page-body" data-testid="admin-only">
          Only an admin can see this page.
        </p>
      </main>
    );
  }
  return <AdminSections user={user} {...header} />;
}

function AdminSections({ user, ...header }: PageHeaderProps & { user: User }) {
  const users = useUsers();
  const { signup, sharing } = useSiteSettings();
  const roleLimits = useRoleLimits();
  const usage = useUsersUsage();
  const change = useAction(users.update);
  const remove = useAction(users.remove);
  const pending = users.value?.filter((account) => account.status === "pending").length ?? 0;

  return (
    <main className="page" data-testid="admin-page">
      <PageHeader title="Admin" {...header} />
      <div className="page-body">
        <section className="page-section" aria-labelledby="users-heading">
          <h2 id="users-heading">
            Users{pending ? <span className="badge" data-testid="pending-count">{pending} waiting for approval</span> : null}
          </h2>
          <FormError error={change.error ?? remove.error ?? users.error} testId="admin-error" />
          {users.value ? (
            <UserTable
              users={users.value}
              meId={user.id}
              busy={change.busy || remove.busy}
              onUpdate={(id, fields) => {
                remove.clearError();
                void change.run(id, fields);
              }}
              onDelete={(id) => {
                change.clearError();
                void remove.run(id);
              }}
              limits={(account) => <UserLimitsEditor user={account} roleDefaults={roleLimits.value?.[account.role] ?? null} />}
            />
          ) : null}
        </section>
        <section className="page-section" aria-labelledby="add-user-heading">
          <h2 id="add-user-heading">Add a user</h2>
          <AddUserForm onCreate={users.create} />
        </section>
        <section className="page-section" aria-labelledby="usage-heading">
          <h2 id="usage-heading">Usage, the last {USAGE_DAYS} days</h2>
          <FormError error={usage.error} testId="usage-table-error" />
          {usage.rows ? (
            <UsageTable rows={usage.rows} sort={usage.sort} loading={usage.loading} onSort={usage.setSort} />
          ) : usage.error ? null : (
            <p className="hint">Loading…</p>
          )}
        </section>
        <section className="page-section" aria-labelledby="limits-heading">
          <h2 id="limits-heading">Default limits</h2>
          <p className="hint">
            Each role's limits; a user's own, set under Limits in their row, come first. An empty field is unlimited. A change applies
            from each user's next question.
          </p>
          <FormError error={roleLimits.error} testId="role-limits-load-error" />
          {roleLimits.value ? <RoleLimitsForm limits={roleLimits.value} onSave={roleLimits.save} /> : null}
        </section>
        <section className="page-section" aria-labelledby="signup-heading">
          <h2 id="signup-heading">Sign-ups</h2>
          <SignupModeForm signup={signup} />
        </section>
        <section className="page-section" aria-labelledby="sharing-heading">
          <h2 id="sharing-heading">Sharing</h2>
          <SharingForm sharing={sharing} />
        </section>
        <FeedbackSection />
        <McpServersSection />
      </div>
    </main>
  );
}

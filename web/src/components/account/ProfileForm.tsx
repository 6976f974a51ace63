/** The signed-in user's name and password, changed with the current password. */
import { type FormEvent, useState } from "react";

import { useAction } from "../../hooks/useAction";
import type { ProfileChange, User } from "../../types";
import { Field, FormError, PASSWORD_HINT } from "../shared/Field";

interface Props {
  user: User;
  /** The server's copy of the user, and whether the password changed (other sessions were ended). */
  onSave: (change: ProfileChange) => Promise<User>;
  onSaved: (user: User, passwordChanged: boolean) => void;
}

/** The change to send, or the sentence saying why there is none. */
export function profileChange(user: User, name: string, newPassword: string, repeated: string, current: string): ProfileChange | string {
  const change: ProfileChange = { current_password: current };
  if (name.trim() && name.trim() !== user.name) change.name = name.trim();
  if (newPassword) {
    if (newPassword !== repeated) return "The two new passwords differ.";
    change.new_password = newPassword;
  }
  if (!change.name && !change.new_password) return "Change the name or the password first.";
  return change;
}

export function ProfileForm({ user, onSave, onSaved }: Props) {
  const [name, setName] = useState(user.name);
  const [newPassword, setNewPassword] = useState("");
  const [repeated, setRepeated] = useState("");
  const [current, setCurrent] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const save = useAction(async (change: ProfileChange) => {
    const updated = await onSave(change);
    const passwordChanged = change.new_password !== undefined;
    setNewPassword("");
    setRepeated("");
    setCurrent("");
    setSaved(passwordChanged ? "Saved. Your other sessions were signed out." : "Saved.");
    onSaved(updated, passwordChanged);
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    const change = profileChange(user, name, newPassword, repeated, current);
    setInvalid(typeof change === "string" ? change : null);
    if (typeof change !== "string") void save.run(change);
  };

  return (
    <section className="page-section" aria-labelledby="profile-heading">
      <h2 id="profile-heading">Profile</h2>
      <form className="stacked-form" data-testid="profile-form" onSubmit={submit}>
        <Field label="Email" type="email" autoComplete="username" value={user.email} readOnly data-testid="profile-email" />
        <Field label="Name" autoComplete="name" maxLength={200} value={name} onChange={(event) => setName(event.target.value)} data-testid="profile-name" />
        <Field
          label="New password (leave empty to keep it)"
          type="password"
          autoComplete="new-password"
          minLength={8}
          hint={`${PASSWORD_HINT} A new password signs out your other sessions.`}
          value={newPassword}
          onChange={(event) => setNewPassword(event.target.value)}
          data-testid="profile-new-password"
        />
        {newPassword ? (
          <Field
            label="Repeat the new password"
            type="password"
            autoComplete="new-password"
            required
            value={repeated}
            onChange={(event) => setRepeated(event.target.value)}
            data-testid="profile-repeat-password"
          />
        ) : null}
        <Field
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(event) => setCurrent(event.target.value)}
          data-testid="profile-current-password"
        />
        <FormError error={invalid ?? save.error} testId="profile-error" />
        {saved ? (
          <p className="form-ok" role="status" data-testid="profile-saved">
            {saved}
          </p>
        ) : null}
        <div>
          <button type="submit" className="primary" disabled={save.busy} data-testid="profile-save">
            {save.busy ? "Saving…" : "Save changes"}
          </button>
        </div>
      </form>
    </section>
  );
}

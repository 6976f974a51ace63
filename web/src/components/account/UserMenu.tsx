/** The sidebar's footer: who is signed in, and a menu with the account page, files, usage and limits, the admin and status pages (admins) and sign out. */
import { useRef, useState } from "react";

import { useAction } from "../../hooks/useAction";
import { useFocusTrap } from "../../hooks/useFocusTrap";
import type { User } from "../../types";
import { FormError } from "../shared/Field";

interface Props {
  user: User;
  onAccount: () => void;
  onFiles: () => void;
  onUsage: () => void;
  onAdmin: () => void;
  onStatus: () => void;
  onSignOut: () => Promise<void>;
}

export function UserMenu({ user, onAccount, onFiles, onUsage, onAdmin, onStatus, onSignOut }: Props) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement | null>(null);
  const menu = useRef<HTMLDivElement | null>(null);
  const button = useRef<HTMLButtonElement | null>(null);
  const signOut = useAction(onSignOut);
  useFocusTrap(open, menu, () => setOpen(false), { root, opener: button });

  const choose = (action: () => void) => () => {
    setOpen(false);
    action();
  };

  return (
    <div className="user-menu" ref={root}>
      {open ? (
        <div className="menu-popover up" role="menu" aria-label="Account" ref={menu} data-testid="user-menu">
          <p className="menu-who" data-testid="user-email">
            {user.email}
          </p>
          <button type="button" role="menuitem" data-testid="menu-account" autoFocus onClick={choose(onAccount)}>
            Account and API keys
          </button>
          <button type="button" role="menuitem" data-testid="menu-files" onClick={choose(onFiles)}>
            Files
          </button>
          <button type="button" role="menuitem" data-testid="menu-usage" onClick={choose(onUsage)}>
            Usage and limits
          </button>
          {user.role === "admin" ? (
            <>
              <button type="button" role="menuitem" data-testid="menu-admin" onClick={choose(onAdmin)}>
                Admin: users, limits and sign-ups
              </button>
              <button type="button" role="menuitem" data-testid="menu-status" onClick={choose(onStatus)}>
                Status: queue, workers and answers
              </button>
            </>
          ) : null}
          <button type="button" role="menuitem" data-testid="sign-out" disabled={signOut.busy} onClick={() => void signOut.run()}>
            Sign out
          </button>
        </div>
      ) : null}
      <FormError error={signOut.error} testId="sign-out-error" />
      <button
        type="button"
        ref={button}
        className="user-button"
        aria-haspopup="menu"
        aria-expanded={open}
        data-testid="user-menu-button"
        onClick={() => setOpen((shown) => !shown)}
      >
        <span className="avatar" aria-hidden="true">
          {(user.name || user.email).slice(0, 1).toUpperCase()}
        </span>
        <span className="user-name" data-testid="user-name">
          {user.name || user.email}
        </span>
        {user.role === "admin" ? <span className="role-badge">admin</span> : null}
      </button>
    </div>
  );
}

/** The account page: the user's name and password, signed-in browsers, API keys, and saved prompts. */
import { api } from "../../api";
import { useApiKeys } from "../../hooks/useApiKeys";
import { usePresets } from "../../hooks/usePresets";
import { useSignIns } from "../../hooks/useSignIns";
import type { SubscribeToUpdates } from "../../hooks/useUpdates";
import type { User } from "../../types";
import { PageHeader, type PageHeaderProps } from "../shared/PageHeader";
import { ApiKeyList } from "./ApiKeyList";
import { PresetList } from "./PresetList";
import { ProfileForm } from "./ProfileForm";
import { SignInList } from "./SignInList";

interface Props extends PageHeaderProps {
  user: User;
  onUserChanged: (user: User) => void;
  /** Presets changed in another tab are read again. */
  updates: SubscribeToUpdates;
}

export function AccountPage({ user, onUserChanged, updates, ...header }: Props) {
  const signIns = useSignIns();
  const keys = useApiKeys();
  const presets = usePresets(updates);
  return (
    <main className="page" data-testid="account-page">
      <PageHeader title="Account" {...header} />
      <div className="page-body">
        <ProfileForm
          user={user}
          onSave={api.updateMe}
          onSaved={(updated, passwordChanged) => {
            onUserChanged(updated);
            // The other browsers were signed out.
            if (passwordChanged) void signIns.reload();
          }}
        />
        <SignInList signIns={signIns.value} error={signIns.error} onRevoke={signIns.revoke} />
        <ApiKeyList keys={keys.value} error={keys.error} onCreate={keys.create} onDelete={keys.remove} />
        <PresetList presets={presets} canShare={user.role === "admin"} />
      </div>
    </main>
  );
}

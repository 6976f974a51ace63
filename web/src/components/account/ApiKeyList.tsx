/** The user's API keys: make one (its secret shown once, with a copy button), list them, delete one. */
import { useState } from "react";

import { formatWhen } from "../../format";
import { useAction } from "../../hooks/useAction";
import type { ApiKey, NewApiKey } from "../../types";
import { CopyButton } from "../shared/CopyButton";
import { Field, FormError, submitted } from "../shared/Field";

interface Props {
  keys: ApiKey[] | null;
  /** Reading the list failed. */
  error: string | null;
  onCreate: (name: string) => Promise<NewApiKey>;
  onDelete: (id: string) => Promise<void>;
}

function KeyRow({ apiKey, onDelete }: { apiKey: ApiKey; onDelete: () => Promise<unknown> }) {
  const [confirming, setConfirming] = useState(false);
  const remove = useAction(onDelete);
  return (
    <li className="row" data-testid="key-row" data-name={apiKey.name}>
      <div className="row-main">
        <span className="row-title">{apiKey.name}</span>
        <span className="hint">
          made {formatWhen(apiKey.created_at)} · {apiKey.last_used_at ? `last used ${formatWhen(apiKey.last_used_at)}` : "never used"}
        </span>
        <FormError error={remove.error} testId="key-error" />
      </div>
      {confirming ? (
        <span className="confirm">
          <button type="button" className="danger" data-testid="confirm-delete-key" autoFocus disabled={remove.busy} onClick={() => void remove.run()}>
            Delete key
          </button>
          <button type="button" className="link-button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </span>
      ) : (
        <button type="button" className="secondary" aria-label={`Delete the key ${apiKey.name}`} data-testid="delete-key" onClick={() => setConfirming(true)}>
          Delete
        </button>
      )}
    </li>
  );
}

export function ApiKeyList({ keys, error, onCreate, onDelete }: Props) {
  const [made, setMade] = useState<NewApiKey | null>(null);
  const create = useAction(async (name: string, form: HTMLFormElement) => {
    setMade(await onCreate(name));
    form.reset();
  });

  return (
    <section className="page-section" aria-labelledby="keys-heading">
      <h2 id="keys-heading">API keys</h2>
      <p className="hint">
        A program acts as you with a key, sent as <code>Authorization: Bearer &lt;key&gt;</code>.
      </p>
      <form
        className="inline-form"
        data-testid="key-form"
        onSubmit={(event) => {
          const form = event.currentTarget;
          void create.run(submitted(event)("name"), form);
        }}
      >
        <Field label="Key name" name="name" required maxLength={100} placeholder="e.g. laptop script" data-testid="key-name" />
        <button type="submit" className="primary" disabled={create.busy} data-testid="create-key">
          Create key
        </button>
      </form>
      <FormError error={create.error ?? error} testId="keys-error" />
      {made ? (
        <div className="new-key" role="status" data-testid="new-key">
          <p>
            The key <strong>{made.name}</strong>: copy it now, it will not be shown again.
          </p>
          <div className="new-key-value">
            <code data-testid="new-key-value">{made.key}</code>
            <CopyButton text={made.key} label="Copy the key" testId="copy-new-key" />
          </div>
          <button type="button" className="link-button" data-testid="dismiss-new-key" onClick={() => setMade(null)}>
            Done: hide it
          </button>
        </div>
      ) : null}
      {keys?.length === 0 ? <p className="hint" data-testid="no-keys">No keys yet.</p> : null}
      <ul className="rows" data-testid="key-list">
        {keys?.map((apiKey) => (
          <KeyRow key={apiKey.id} apiKey={apiKey} onDelete={() => onDelete(apiKey.id)} />
        ))}
      </ul>
    </section>
  );
}

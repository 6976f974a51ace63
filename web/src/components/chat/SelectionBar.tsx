/** Select mode's bar: how many conversations are ticked, and deleting them all at once after a confirm. */
import { useState } from "react";

import { readable } from "../../api";

interface Props {
  count: number;
  onDelete: () => Promise<void>;
  onCancel: () => void;
}

export function SelectionBar({ count, onDelete, onCancel }: Props) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const noun = count === 1 ? "conversation" : "conversations";

  const remove = async () => {
    setError(null);
    try {
      await onDelete();
      setConfirming(false);
    } catch (failure) {
      setError(readable(failure));
    }
  };

  return (
    <div className="selection-bar" role="group" aria-label="Selected conversations" data-testid="selection-bar">
      {confirming ? (
        <>
          <span>
            Delete {count} {noun}? This cannot be undone.
          </span>
          <button type="button" className="danger" data-testid="confirm-delete-selected" onClick={() => void remove()}>
            Delete
          </button>
          <button type="button" className="link-button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </>
      ) : (
        <>
          <span data-testid="selected-count" aria-live="polite">
            {count} selected
          </span>
          <button type="button" className="danger" data-testid="delete-selected" disabled={count === 0} onClick={() => setConfirming(true)}>
            Delete selected
          </button>
          <button type="button" className="link-button" data-testid="end-select" onClick={onCancel}>
            Done
          </button>
        </>
      )}
      {error ? (
        <p className="form-error" role="alert" data-testid="selection-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

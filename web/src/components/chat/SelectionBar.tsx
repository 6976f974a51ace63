/** Select mode's bar: how many conversations are ticked, and deleting them all at once after a confirm. */
import { useState } from "react";

import { useAction } from "../../hooks/useAction";
import { FormError } from "../shared/Field";

interface Props {
  count: number;
  onDelete: () => Promise<void>;
  onCancel: () => void;
}

export function SelectionBar({ count, onDelete, onCancel }: Props) {
  const [confirming, setConfirming] = useState(false);
  const { error, run } = useAction(onDelete);
  const noun = count === 1 ? "conversation" : "conversations";

  const remove = async () => {
    if (await run()) setConfirming(false);
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
      <FormError error={error} testId="selection-error" />
    </div>
  );
}

/** The Share dialog: a link to a read-only copy of the branch shown, copied with a click, and ending it. */
import { formatWhen } from "../../format";
import { useModal } from "../../hooks/useModal";
import { useShare } from "../../hooks/useShare";
import { CopyButton } from "../shared/CopyButton";
import { FormError } from "../shared/Field";

interface Props {
  conversationId: string;
  onClose: () => void;
}

export function ShareDialog({ conversationId, onClose }: Props) {
  const dialog = useModal(); // taken out of the page, it closes with it
  const { state, loadError, url, create, stop } = useShare(conversationId);


  const busy = create.busy || stop.busy;
  return (
    <dialog ref={dialog} className="share-dialog" aria-labelledby="share-heading" data-testid="share-dialog" onClose={onClose}>
      <h2 id="share-heading">Share this conversation</h2>
      <p className="hint">
        Anyone with the link sees a copy of the branch shown, as it is now: its questions and finished answers, not your files.
        Later messages are not in it.
      </p>
      <FormError error={loadError ?? create.error ?? stop.error} testId="share-error" />
      {state && !state.enabled ? (
        <p className="hint" data-testid="share-disabled">
          An admin has turned sharing off: no link opens for now.
        </p>
      ) : null}
      {url ? (
        <div className="share-link">
          <input readOnly value={url} aria-label="Shared link" data-testid="share-url" onFocus={(event) => event.currentTarget.select()} />
          <CopyButton text={url} label="Copy link" testId="share-copy" />
        </div>
      ) : state?.shared ? (
        <p data-testid="share-existing">
          Shared since {state.created_at ? formatWhen(state.created_at) : "earlier"}. Its link was shown when it was made; a new link
          replaces it.
        </p>
      ) : null}
      <div className="dialog-actions">
        <button type="button" className="primary" disabled={busy || !state} data-testid="share-create" onClick={() => void create.run()}>
          {state?.shared ? "New link" : "Create link"}
        </button>
        {state?.shared ? (
          <button type="button" className="danger" disabled={busy} data-testid="share-stop" onClick={() => void stop.run()}>
            Stop sharing
          </button>
        ) : null}
        <button type="button" data-testid="share-close" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </div>
    </dialog>
  );
}

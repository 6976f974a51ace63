/** The open conversation's placement, in its ⋯ menu: pin or unpin, archive or restore, and
 * "Move to folder…" (a dialog: the keyboard's way to do what dragging onto a folder does). */
import { useEffect, useState } from "react";

import { api } from "../../api";
import { useAction } from "../../hooks/useAction";
import { useModal } from "../../hooks/useModal";
import { type Organizer, useOrganizer } from "../../organizing";
import type { Conversation } from "../../types";
import { FormError } from "../shared/Field";

/** The conversation as the list has it, else as the server does (one opened from search, say). */
function usePlaced(organizer: Organizer | null, conversationId: string): [Conversation | undefined, (placed: Conversation) => void] {
  const listed = organizer?.find(conversationId);
  const [read, setRead] = useState<Conversation | undefined>(undefined);
  useEffect(() => {
    if (listed || !organizer) return;
    let current = true;
    api.getConversation(conversationId).then(
      (conversation) => current && setRead(conversation),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [listed, organizer, conversationId]);
  return [listed ?? (read?.id === conversationId ? read : undefined), setRead];
}

/** Menu items: Pin or Unpin, Archive or Restore, Move to folder… (nothing outside the app's organizer). */
export function PlacementItems({ conversationId, onMove }: { conversationId: string; onMove: () => void }) {
  const organizer = useOrganizer();
  const [conversation, setPlaced] = usePlaced(organizer, conversationId);
  if (!organizer) return null;
  const place = (placement: Parameters<Organizer["place"]>[1]) => void organizer.place(conversationId, placement).then(setPlaced, () => undefined);
  const pinned = conversation?.pinned ?? false;
  const archived = conversation?.archived ?? false;
  return (
    <>
      <button type="button" role="menuitem" data-testid="pin-conversation" onClick={() => place({ pinned: !pinned })}>
        {pinned ? "Unpin" : "Pin"}
      </button>
      <button type="button" role="menuitem" data-testid="archive-conversation" onClick={() => place({ archived: !archived })}>
        {archived ? "Restore from archive" : "Archive"}
      </button>
      <button type="button" role="menuitem" data-testid="move-to-folder" onClick={onMove}>
        Move to folder…
      </button>
    </>
  );
}

/** Choosing the conversation's folder, or none, with the keyboard or a click. */
export function MoveDialog({ conversationId, onClose }: { conversationId: string; onClose: () => void }) {
  const dialog = useModal();
  const organizer = useOrganizer();
  const [conversation] = usePlaced(organizer, conversationId);
  const { error, run } = useAction(async (folderId: string | null) => {
    await organizer?.place(conversationId, { folder_id: folderId });
    dialog.current?.close();
  });


  const move = (folderId: string | null) => run(folderId);

  const current = conversation?.folder_id ?? null;
  const choices: [string | null, string][] = [[null, "No folder"], ...(organizer?.folders ?? []).map((f): [string, string] => [f.id, f.name])];
  return (
    <dialog ref={dialog} className="share-dialog move-dialog" aria-labelledby="move-heading" data-testid="move-dialog" onClose={onClose}>
      <h2 id="move-heading">Move to folder</h2>
      {organizer?.folders.length === 0 ? <p className="hint">No folders yet: make one with “New folder” in the sidebar.</p> : null}
      <ul className="move-choices">
        {choices.map(([id, name]) => (
          <li key={id ?? ""}>
            <button type="button" data-testid="move-choice" data-folder-id={id ?? ""} aria-current={id === current} onClick={() => void move(id)}>
              {name}
              {id === current ? " (current)" : ""}
            </button>
          </li>
        ))}
      </ul>
      <FormError error={error} testId="move-error" />
      <div className="dialog-actions">
        <button type="button" data-testid="move-cancel" onClick={() => dialog.current?.close()}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}

/** The open conversation's ⋯ menu. */
import { useRef, useState } from "react";

import { api } from "../../api";
import { useFocusTrap } from "../../hooks/useFocusTrap";
import { MoveDialog, PlacementItems } from "./Placement";
import { ShareDialog } from "./ShareDialog";

interface Props {
  conversationId: string;
  onRegenerateTitle: () => void;
}

/** The open conversation's actions: a new title, sharing by link, pin, archive, move to a folder, downloads as Markdown or JSON. */
export function ConversationMenu({ conversationId, onRegenerateTitle }: Props) {
  const [open, setOpen] = useState(false);
  const [sharing, setSharing] = useState(false);
  const [moving, setMoving] = useState(false);
  const root = useRef<HTMLDivElement | null>(null);
  const menu = useRef<HTMLDivElement | null>(null);
  const button = useRef<HTMLButtonElement | null>(null);

  useFocusTrap(open, menu, () => setOpen(false), { root, opener: button });

  return (
    <div className="conversation-menu" ref={root}>
      <button
        type="button"
        ref={button}
        className="icon-button"
        aria-label="Conversation actions"
        aria-expanded={open}
        data-testid="conversation-menu-button"
        onClick={() => setOpen((shown) => !shown)}
      >
        ⋯
      </button>
      {open ? (
        // Closed after the click has done its work: a download link taken out mid-click may not download.
        <div className="menu-popover" role="menu" aria-label="Conversation actions" ref={menu} data-testid="conversation-menu" onClick={() => setTimeout(() => setOpen(false))}>
          <button type="button" role="menuitem" data-testid="regenerate-title" onClick={onRegenerateTitle}>
            Regenerate title
          </button>
          <button type="button" role="menuitem" data-testid="share-conversation" onClick={() => setSharing(true)}>
            Share
          </button>
          <PlacementItems conversationId={conversationId} onMove={() => setMoving(true)} />
          <a role="menuitem" data-testid="export-markdown" href={api.exportUrl(conversationId, "md")} download>
            Export as Markdown
          </a>
          <a role="menuitem" data-testid="export-json" href={api.exportUrl(conversationId, "json")} download>
            Export as JSON
          </a>
        </div>
      ) : null}
      {sharing ? <ShareDialog conversationId={conversationId} onClose={() => setSharing(false)} /> : null}
      {moving ? <MoveDialog conversationId={conversationId} onClose={() => setMoving(false)} /> : null}
    </div>
  );
}

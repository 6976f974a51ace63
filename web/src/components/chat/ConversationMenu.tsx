/** The open conversation's ⋯ menu. */
import { useRef, useState } from "react";

import { api } from "../../api";
import { useDismiss } from "../../hooks/useDismiss";

interface Props {
  conversationId: string;
  onRegenerateTitle: () => void;
}

/** The open conversation's actions: a new title, downloads as Markdown or JSON. */
export function ConversationMenu({ conversationId, onRegenerateTitle }: Props) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement | null>(null);

  useDismiss(open, root, () => setOpen(false));

  return (
    <div className="conversation-menu" ref={root}>
      <button
        type="button"
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
        <div className="menu-popover" role="menu" data-testid="conversation-menu" onClick={() => setTimeout(() => setOpen(false))}>
          <button type="button" role="menuitem" data-testid="regenerate-title" onClick={onRegenerateTitle}>
            Regenerate title
          </button>
          <a role="menuitem" data-testid="export-markdown" href={api.exportUrl(conversationId, "md")} download>
            Export as Markdown
          </a>
          <a role="menuitem" data-testid="export-json" href={api.exportUrl(conversationId, "json")} download>
            Export as JSON
          </a>
        </div>
      ) : null}
    </div>
  );
}

/** The sidebar: new chat, import, search, the choice of chats or API conversations, the conversations grouped by date, and a footer (the user menu). */
import { type ReactNode, useMemo, useState } from "react";

import { useSearch } from "../../hooks/useSearch";
import type { Conversation, ConversationSource } from "../../types";
import { ImportButton } from "./ImportButton";
import { SearchResults } from "./SearchResults";
import { ApiBadge, SourceToggle } from "./SourceToggle";

interface Props {
  conversations: Conversation[];
  /** Which conversations are listed: the chats made here, or those made through the API. */
  source: ConversationSource;
  /** `conversations` is the chosen kind's list (false while it loads). */
  loaded: boolean;
  onChooseSource: (source: ConversationSource) => void;
  activeId: string | null;
  open: boolean;
  onSelect: (id: string) => void;
  /** A search result: the conversation, scrolled to the message when there is one. */
  onOpenAt: (conversationId: string, messageId: string | null) => void;
  onNew: () => void;
  onRename: (id: string, title: string) => Promise<void>;
  onDelete: (id: string) => Promise<void>;
  onImport: (file: File) => Promise<void>;
  onClose: () => void;
  footer?: ReactNode;
}

const DAY = 86_400_000;

const EMPTY: Record<ConversationSource, string> = {
  app: "No conversations yet",
  api: "No conversations from the API yet: those a program makes with an API key show here",
};

/** Today, the previous 7 days, and older, by last activity. */
export function groupByDate(conversations: Conversation[], now = new Date()): [string, Conversation[]][] {
  const midnight = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const groups: [string, Conversation[]][] = [
    ["Today", []],
    ["Previous 7 days", []],
    ["Older", []],
  ];
  for (const conversation of conversations) {
    const at = new Date(conversation.updated_at).getTime();
    const group = at >= midnight ? 0 : at >= midnight - 7 * DAY ? 1 : 2;
    groups[group]![1].push(conversation);
  }
  return groups.filter(([, items]) => items.length > 0);
}

function Item({ conversation, active, onSelect, onRename, onDelete }: {
  conversation: Conversation;
  active: boolean;
  onSelect: () => void;
  onRename: (title: string) => Promise<void>;
  onDelete: () => Promise<void>;
}) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [title, setTitle] = useState(conversation.title);

  const save = async () => {
    setEditing(false);
    const trimmed = title.trim();
    if (trimmed && trimmed !== conversation.title) await onRename(trimmed);
    else setTitle(conversation.title);
  };

  return (
    <li className={`conversation ${active ? "active" : ""}`} data-testid="conversation-item" data-id={conversation.id}>
      {editing ? (
        <input
          className="rename"
          data-testid="rename-input"
          aria-label="Conversation title"
          autoFocus
          value={title}
          maxLength={200}
          onChange={(event) => setTitle(event.target.value)}
          onBlur={() => void save()}
          onKeyDown={(event) => {
            if (event.key === "Enter") void save();
            if (event.key === "Escape") {
              setTitle(conversation.title);
              setEditing(false);
            }
          }}
        />
      ) : (
        <button type="button" className="conversation-title" data-testid="conversation-title" onClick={onSelect} onDoubleClick={() => setEditing(true)}>
          {conversation.title}
        </button>
      )}
      {conversation.source === "api" && !editing ? <ApiBadge testId="conversation-source" /> : null}
      {confirming ? (
        <span className="confirm">
          <button type="button" className="danger" data-testid="confirm-delete" onClick={() => void onDelete()}>
            Delete
          </button>
          <button type="button" className="link-button" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </span>
      ) : (
        <span className="item-actions">
          <button type="button" className="icon-button" aria-label="Rename conversation" data-testid="rename-button" onClick={() => setEditing(true)}>
            ✎
          </button>
          <button type="button" className="icon-button" aria-label="Delete conversation" data-testid="delete-button" onClick={() => setConfirming(true)}>
            ✕
          </button>
        </span>
      )}
    </li>
  );
}

export function Sidebar(props: Props) {
  const { conversations, source, loaded, onChooseSource, activeId, open, onSelect, onOpenAt, onNew, onRename, onDelete, onImport, onClose, footer } = props;
  const [query, setQuery] = useState("");
  const search = useSearch(query);
  const groups = useMemo(() => groupByDate(conversations), [conversations]);
  const searching = query.trim() !== "";

  return (
    <>
      <nav className={`sidebar ${open ? "open" : ""}`} data-testid="sidebar" aria-label="Conversations">
        <div className="sidebar-actions">
          <button type="button" className="new-chat" data-testid="new-chat" onClick={onNew}>
            + New chat
          </button>
          <ImportButton onImport={onImport} />
        </div>
        <input
          className="filter"
          type="search"
          data-testid="search-input"
          aria-label="Search conversations"
          placeholder="Search"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Escape") setQuery("");
          }}
        />
        {/* Search looks through every conversation, whichever kind is listed. */}
        {!searching ? <SourceToggle source={source} onChoose={onChooseSource} /> : null}
        <div className="conversation-groups" data-testid="conversation-list" data-source={source} aria-busy={!loaded}>
          {searching ? <SearchResults {...search} onOpen={onOpenAt} /> : null}
          {!searching && groups.map(([label, items]) => (
            <section key={label}>
              <h2>{label}</h2>
              <ul>
                {items.map((conversation) => (
                  <Item
                    key={conversation.id}
                    conversation={conversation}
                    active={conversation.id === activeId}
                    onSelect={() => onSelect(conversation.id)}
                    onRename={(title) => onRename(conversation.id, title)}
                    onDelete={() => onDelete(conversation.id)}
                  />
                ))}
              </ul>
            </section>
          ))}
          {!searching && loaded && groups.length === 0 ? <p className="empty" data-testid="no-conversations">{EMPTY[source]}</p> : null}
        </div>
        {footer}
      </nav>
      {open ? <div className="scrim" onClick={onClose} aria-hidden="true" /> : null}
    </>
  );
}

/** The sidebar: new chat, import, search, the choice of chats or API conversations, the pinned
 * conversations, the folders, the rest grouped by date (or the archived ones), select mode, and a
 * footer (the user menu). */
import { type ReactNode, type Ref, useMemo, useRef, useState } from "react";

import { useFocusTrap } from "../../hooks/useFocusTrap";
import { useSearch } from "../../hooks/useSearch";
import type { Conversation, ConversationPlacement, ConversationSource, Folder } from "../../types";
import { ArchivedList } from "./ArchivedList";
import { ConversationItem } from "./ConversationItem";
import { FolderList, dropTarget } from "./FolderList";
import { ImportButton } from "./ImportButton";
import { MoreButton } from "./MoreButton";
import { SearchResults } from "./SearchResults";
import { SelectionBar } from "./SelectionBar";
import { SourceToggle } from "./SourceToggle";

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
  /** After an import: the conversation to open (null: none, the list is read again). */
  onImported: (openId: string | null) => Promise<void>;
  onClose: () => void;
  folders: Folder[];
  onCreateFolder: (name: string) => Promise<unknown>;
  onRenameFolder: (id: string, name: string) => Promise<void>;
  onDeleteFolder: (id: string, withConversations: boolean) => Promise<void>;
  /** Moves a conversation to a folder (null: unfiled), pins or archives it, or undoes that. */
  onPlace: (id: string, placement: ConversationPlacement) => Promise<unknown>;
  /** Select mode's delete: all of them, or none. */
  onDeleteMany: (ids: string[]) => Promise<void>;
  /** The archived conversations while they are shown (null while they load). */
  archived: Conversation[] | null;
  /** Older conversations are left to read. */
  hasMore: boolean;
  /** Reads the next older page into the list. */
  onMore: () => Promise<void>;
  /** Whether the archived are shown instead of the list. */
  archivedShown: boolean;
  onShowArchived: (shown: boolean) => void;
  footer?: ReactNode;
  /** The search box, for the shortcut that focuses it (Ctrl/Cmd+K). */
  searchInput?: Ref<HTMLInputElement>;
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

/** The list's parts: the pinned (in the server's order), those in a folder, and the rest by date. */
export function arrange(conversations: Conversation[], folders: Folder[]) {
  const known = new Set(folders.map((folder) => folder.id));
  const pinned = conversations.filter((c) => c.pinned);
  // A conversation in a folder not (yet) read shows with the unfiled ones rather than nowhere.
  const filed = conversations.filter((c) => !c.pinned && c.folder_id && known.has(c.folder_id));
  const rest = conversations.filter((c) => !c.pinned && !(c.folder_id && known.has(c.folder_id)));
  return { pinned, filed, groups: groupByDate(rest) };
}

export function Sidebar(props: Props) {
  const { conversations, source, loaded, onChooseSource, activeId, open, onSelect, onOpenAt, onNew, onRename, onDelete, onImported, onClose, footer } = props;
  const { folders, onPlace, archived, archivedShown, onShowArchived, hasMore, onMore } = props;
  const { searchInput } = props;
  const [query, setQuery] = useState("");
  const search = useSearch(query);
  const [selected, setSelected] = useState<ReadonlySet<string> | null>(null); // null: not in select mode
  const [dropOver, setDropOver] = useState(false);
  const { pinned, filed, groups } = useMemo(() => arrange(conversations, folders), [conversations, folders]);
  const searching = query.trim() !== "";
  // Open as a drawer (a narrow screen): the keyboard stays in it until Escape or a choice closes it.
  const drawer = useRef<HTMLElement | null>(null);
  useFocusTrap(open, drawer, onClose);

  const move = (id: string, folderId: string | null) => {
    const conversation = conversations.find((c) => c.id === id);
    if (conversation && conversation.folder_id !== folderId) void onPlace(id, { folder_id: folderId }).catch(() => undefined);
  };
  const renderItem = (conversation: Conversation) => (
    <ConversationItem
      key={conversation.id}
      conversation={conversation}
      active={conversation.id === activeId}
      onSelect={() => onSelect(conversation.id)}
      onRename={(title) => onRename(conversation.id, title)}
      onDelete={() => onDelete(conversation.id)}
      ticked={selected?.has(conversation.id)}
      onTick={
        selected
          ? (ticked) =>
              setSelected((current) => {
                const next = new Set(current);
                if (ticked) next.add(conversation.id);
                else next.delete(conversation.id);
                return next;
              })
          : undefined
      }
    />
  );

  return (
    <>
      <nav ref={drawer} className={`sidebar ${open ? "open" : ""}`} data-testid="sidebar" aria-label="Conversations">
        <div className="sidebar-actions">
          <button type="button" className="new-chat" data-testid="new-chat" onClick={onNew}>
            + New chat
          </button>
          <ImportButton onImported={onImported} />
          <button type="button" className="icon-button drawer-close" aria-label="Close conversations" data-testid="close-drawer" onClick={onClose}>
            ✕
          </button>
        </div>
        <input
          ref={searchInput}
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
        {!searching ? (
          <div className="organize-tools">
            <button
              type="button"
              className="link-button"
              aria-pressed={selected !== null}
              data-testid="select-mode"
              onClick={() => setSelected((current) => (current ? null : new Set()))}
            >
              Select
            </button>
            <button type="button" className="link-button" aria-pressed={archivedShown} data-testid="show-archived" onClick={() => onShowArchived(!archivedShown)}>
              Archived
            </button>
          </div>
        ) : null}
        <div className="conversation-groups" data-testid="conversation-list" data-source={source} aria-busy={!loaded}>
          {searching ? <SearchResults {...search} onOpen={onOpenAt} /> : null}
          {!searching && archivedShown ? (
            <ArchivedList conversations={archived} activeId={activeId} onSelect={onSelect} onRestore={(id) => void onPlace(id, { archived: false }).catch(() => undefined)} />
          ) : null}
          {!searching && !archivedShown ? (
            <>
              {pinned.length > 0 ? (
                <section data-testid="pinned-group" aria-label="Pinned">
                  <h2>Pinned</h2>
                  <ul>{pinned.map(renderItem)}</ul>
                </section>
              ) : null}
              <FolderList
                folders={folders}
                conversations={filed}
                renderItem={renderItem}
                onCreate={props.onCreateFolder}
                onRename={props.onRenameFolder}
                onDelete={props.onDeleteFolder}
                onDropConversation={move}
              />
              {/* Dropped here, a conversation leaves its folder. */}
              <div className={`unfiled ${dropOver ? "drop-over" : ""}`} data-testid="unfiled" {...dropTarget((id) => move(id, null), setDropOver)}>
                {groups.map(([label, items]) => (
                  <section key={label}>
                    <h2>{label}</h2>
                    <ul>{items.map(renderItem)}</ul>
                  </section>
                ))}
              </div>
              {hasMore ? <MoreButton onMore={onMore} /> : null}
            </>
          ) : null}
          {!searching && !archivedShown && loaded && conversations.length === 0 ? <p className="empty" data-testid="no-conversations">{EMPTY[source]}</p> : null}
        </div>
        {selected ? (
          <SelectionBar
            count={selected.size}
            onDelete={async () => {
              await props.onDeleteMany([...selected]);
              setSelected(null);
            }}
            onCancel={() => setSelected(null)}
          />
        ) : null}
        {footer}
      </nav>
      {open ? <div className="scrim" onClick={onClose} aria-hidden="true" /> : null}
    </>
  );
}

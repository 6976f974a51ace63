/** The sidebar's folders: each collapsible with its conversations, a drop target for a dragged
 * conversation, renamed or deleted (with or without its conversations), and a new one made. */
import { type DragEvent, type ReactNode, useState } from "react";

import { useAction } from "../../hooks/useAction";
import type { Conversation, Folder } from "../../types";
import { CONVERSATION_DRAG, carriesConversation } from "./ConversationItem";
import { FormError } from "../shared/Field";

interface Props {
  folders: Folder[];
  /** The filed conversations shown (not the pinned ones, which head the list). */
  conversations: Conversation[];
  renderItem: (conversation: Conversation) => ReactNode;
  onCreate: (name: string) => Promise<unknown>;
  onRename: (id: string, name: string) => Promise<void>;
  onDelete: (id: string, withConversations: boolean) => Promise<void>;
  onDropConversation: (conversationId: string, folderId: string | null) => void;
}

/** Makes `target` take a dragged conversation: `drop` gets its id. */
export function dropTarget(onDrop: (conversationId: string) => void, setOver: (over: boolean) => void) {
  return {
    onDragOver: (event: DragEvent) => {
      if (!carriesConversation(event)) return;
      event.preventDefault(); // takes the drop
      event.dataTransfer.dropEffect = "move";
      setOver(true);
    },
    onDragLeave: (event: DragEvent) => {
      if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setOver(false);
    },
    onDrop: (event: DragEvent) => {
      setOver(false);
      const id = event.dataTransfer.getData(CONVERSATION_DRAG);
      if (!id) return;
      event.preventDefault();
      onDrop(id);
    },
  };
}

export function FolderList({ folders, conversations, renderItem, onCreate, onRename, onDelete, onDropConversation }: Props) {
  const [naming, setNaming] = useState(false);
  const { error, run } = useAction(onCreate);

  const create = async (name: string) => {
    if (await run(name)) setNaming(false);
  };

  return (
    <section className="folders" data-testid="folders" aria-label="Folders">
      <div className="folders-heading">
        <h2>Folders</h2>
        <button type="button" className="link-button" data-testid="new-folder" aria-label="New folder" onClick={() => setNaming(true)}>
          + New folder
        </button>
      </div>
      {naming ? <NameInput label="New folder's name" testId="new-folder-name" initial="" onSave={create} onCancel={() => setNaming(false)} /> : null}
      <FormError error={error} testId="folder-error" />
      <ul>
        {folders.map((folder) => (
          <FolderItem
            key={folder.id}
            folder={folder}
            conversations={conversations.filter((c) => c.folder_id === folder.id)}
            renderItem={renderItem}
            onRename={(name) => onRename(folder.id, name)}
            onDelete={(withConversations) => onDelete(folder.id, withConversations)}
            onDropConversation={(id) => onDropConversation(id, folder.id)}
          />
        ))}
      </ul>
    </section>
  );
}

function FolderItem({ folder, conversations, renderItem, onRename, onDelete, onDropConversation }: {
  folder: Folder;
  conversations: Conversation[];
  renderItem: (conversation: Conversation) => ReactNode;
  onRename: (name: string) => Promise<void>;
  onDelete: (withConversations: boolean) => Promise<void>;
  onDropConversation: (conversationId: string) => void;
}) {
  const [open, setOpen] = useState(true);
  const [over, setOver] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const { error, run: attempt } = useAction((action: () => Promise<void>) => action());
  const listId = `folder-${folder.id}`;

  return (
    <li
      className={`folder ${over ? "drop-over" : ""}`}
      data-testid="folder"
      data-id={folder.id}
      data-name={folder.name}
      {...dropTarget((id) => {
        setOpen(true);
        onDropConversation(id);
      }, setOver)}
    >
      <div className="folder-row">
        {renaming ? (
          <NameInput
            label="Folder name"
            testId="folder-name-input"
            initial={folder.name}
            onSave={async (name) => {
              if (name !== folder.name && !(await attempt(() => onRename(name)))) return;
              setRenaming(false);
            }}
            onCancel={() => setRenaming(false)}
          />
        ) : (
          <button
            type="button"
            className="folder-toggle"
            data-testid="folder-toggle"
            aria-expanded={open}
            aria-controls={listId}
            onClick={() => setOpen((shown) => !shown)}
          >
            <span aria-hidden="true">{open ? "▾" : "▸"}</span> <span data-testid="folder-name">{folder.name}</span>{" "}
            <span className="folder-count">({conversations.length})</span>
          </button>
        )}
        {renaming || confirming ? null : (
          <span className="item-actions">
            <button type="button" className="icon-button" aria-label={`Rename folder ${folder.name}`} data-testid="rename-folder" onClick={() => setRenaming(true)}>
              ✎
            </button>
            <button type="button" className="icon-button" aria-label={`Delete folder ${folder.name}`} data-testid="delete-folder" onClick={() => setConfirming(true)}>
              ✕
            </button>
          </span>
        )}
      </div>
      {confirming ? (
        <div className="folder-confirm" role="group" aria-label={`Delete folder ${folder.name}`} data-testid="delete-folder-confirm">
          <p>Delete “{folder.name}”? Its conversations can stay, unfiled, or go with it.</p>
          <button type="button" data-testid="delete-folder-only" onClick={() => void attempt(() => onDelete(false))}>
            Delete folder, keep conversations
          </button>
          <button type="button" className="danger" data-testid="delete-folder-and-conversations" onClick={() => void attempt(() => onDelete(true))}>
            Delete folder and its {conversations.length === 1 ? "conversation" : "conversations"}
          </button>
          <button type="button" className="link-button" data-testid="delete-folder-cancel" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : null}
      <FormError error={error} testId="folder-error" />
      {open ? (
        <ul id={listId} data-testid="folder-conversations">
          {conversations.map(renderItem)}
          {conversations.length === 0 ? <li className="empty folder-empty">Drag a conversation here, or use its menu’s “Move to folder…”</li> : null}
        </ul>
      ) : null}
    </li>
  );
}

function NameInput({ label, testId, initial, onSave, onCancel }: {
  label: string;
  testId: string;
  initial: string;
  onSave: (name: string) => Promise<void>;
  onCancel: () => void;
}) {
  const [name, setName] = useState(initial);
  const save = () => {
    const trimmed = name.trim();
    if (trimmed) void onSave(trimmed);
    else onCancel();
  };
  return (
    <input
      className="rename"
      data-testid={testId}
      aria-label={label}
      autoFocus
      value={name}
      maxLength={100}
      placeholder="Folder name"
      onChange={(event) => setName(event.target.value)}
      onKeyDown={(event) => {
        if (event.key === "Enter") save();
        if (event.key === "Escape") onCancel();
      }}
      onBlur={onCancel}
    />
  );
}

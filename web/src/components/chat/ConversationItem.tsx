/** One conversation in the sidebar: open, rename, delete; dragged onto a folder, or ticked in select mode. */
import { useState } from "react";

import type { Conversation } from "../../types";
import { ApiBadge } from "./SourceToggle";

/** The drag's data type: a conversation's id, which only a folder (or the unfiled list) takes. */
export const CONVERSATION_DRAG = "application/x-relaychat-conversation";

interface Props {
  conversation: Conversation;
  active: boolean;
  onSelect: () => void;
  onRename: (title: string) => Promise<void>;
  onDelete: () => Promise<void>;
  /** In select mode, a checkbox replaces the item's actions: whether it is ticked. */
  ticked?: boolean;
  onTick?: (ticked: boolean) => void;
}

export function ConversationItem({ conversation, active, onSelect, onRename, onDelete, ticked, onTick }: Props) {
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [title, setTitle] = useState(conversation.title);
  const selecting = onTick !== undefined;

  const save = async () => {
    setEditing(false);
    const trimmed = title.trim();
    if (trimmed && trimmed !== conversation.title) await onRename(trimmed);
    else setTitle(conversation.title);
  };

  return (
    <li
      className={`conversation ${active ? "active" : ""}`}
      data-testid="conversation-item"
      data-id={conversation.id}
      data-pinned={conversation.pinned}
      draggable={!editing}
      onDragStart={(event) => {
        event.dataTransfer.setData(CONVERSATION_DRAG, conversation.id);
        event.dataTransfer.effectAllowed = "move";
      }}
    >
      {selecting ? (
        <input
          type="checkbox"
          className="select-box"
          data-testid="select-conversation"
          aria-label={`Select ${conversation.title}`}
          checked={ticked ?? false}
          onChange={(event) => onTick(event.target.checked)}
        />
      ) : null}
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
      {selecting ? null : confirming ? (
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

/** Whether a drag carries a conversation (its id is only readable on drop). */
export function carriesConversation(event: { dataTransfer: DataTransfer }): boolean {
  return event.dataTransfer.types.includes(CONVERSATION_DRAG);
}

/** The archived conversations (out of the list, still found by search), each opened or restored. */
import type { Conversation } from "../../types";

interface Props {
  /** null while they load. */
  conversations: Conversation[] | null;
  activeId: string | null;
  onSelect: (id: string) => void;
  onRestore: (id: string) => void;
}

export function ArchivedList({ conversations, activeId, onSelect, onRestore }: Props) {
  return (
    <section className="archived" data-testid="archived-list" aria-label="Archived conversations" aria-busy={conversations === null}>
      <h2>Archived</h2>
      {conversations?.length === 0 ? (
        <p className="empty" data-testid="no-archived">
          Nothing archived. An archived conversation leaves the list but is still found by search.
        </p>
      ) : null}
      <ul>
        {conversations?.map((conversation) => (
          <li key={conversation.id} className={`conversation ${conversation.id === activeId ? "active" : ""}`} data-testid="archived-item" data-id={conversation.id}>
            <button type="button" className="conversation-title" data-testid="conversation-title" onClick={() => onSelect(conversation.id)}>
              {conversation.title}
            </button>
            <button type="button" className="link-button" aria-label={`Restore ${conversation.title}`} data-testid="restore-conversation" onClick={() => onRestore(conversation.id)}>
              Restore
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

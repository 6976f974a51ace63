/** The sidebar's search results: matching titles and messages. */
import type { SearchHit, SearchResults as Results, SnippetPart } from "../../types";
import { ApiBadge } from "./SourceToggle";

interface Props {
  results: Results | null;
  searching: boolean;
  error: string | null;
  onOpen: (conversationId: string, messageId: string | null) => void;
}

/** Matched words in <mark>; the text is never parsed as HTML. */
function Snippet({ parts }: { parts: SnippetPart[] }) {
  return (
    <>
      {parts.map((part, index) => (part.hit ? <mark key={index}>{part.text}</mark> : <span key={index}>{part.text}</span>))}
    </>
  );
}

function Hit({ hit, onOpen }: { hit: SearchHit; onOpen: Props["onOpen"] }) {
  return (
    <li>
      <button
        type="button"
        className="search-hit"
        data-testid="search-result"
        data-conversation-id={hit.conversation_id}
        data-message-id={hit.message_id ?? ""}
        onClick={() => onOpen(hit.conversation_id, hit.message_id)}
      >
        {hit.conversation_source === "api" ? <ApiBadge testId="search-result-source" /> : null}
        {hit.message_id ? (
          <>
            <span className="search-hit-title">{hit.conversation_title}</span>
            <span className="search-snippet" data-testid="search-snippet">
              <span className="search-role">{hit.role === "user" ? "You: " : "Assistant: "}</span>
              <Snippet parts={hit.snippet} />
            </span>
          </>
        ) : (
          <span className="search-hit-title" data-testid="search-snippet">
            <Snippet parts={hit.snippet} />
          </span>
        )}
      </button>
    </li>
  );
}

export function SearchResults({ results, searching, error, onOpen }: Props) {
  if (error) return <p className="empty error" role="alert" data-testid="search-error">{error}</p>;
  if (!results) return <p className="empty" data-testid="search-status">{searching ? "Searching…" : ""}</p>;
  const empty = results.conversations.length === 0 && results.messages.length === 0;
  return (
    <div className="search-results" data-testid="search-results" aria-busy={searching}>
      {empty ? <p className="empty" data-testid="search-empty">No match</p> : null}
      {results.conversations.length ? (
        <section>
          <h2>Titles</h2>
          <ul>{results.conversations.map((hit) => <Hit key={hit.conversation_id} hit={hit} onOpen={onOpen} />)}</ul>
        </section>
      ) : null}
      {results.messages.length ? (
        <section>
          <h2>Messages</h2>
          <ul>{results.messages.map((hit) => <Hit key={hit.message_id} hit={hit} onOpen={onOpen} />)}</ul>
        </section>
      ) : null}
    </div>
  );
}

/** The sidebar's choice of conversations to list: the chats made here, or those made through the API. */
import type { ConversationSource } from "../../types";

interface Props {
  source: ConversationSource;
  onChoose: (source: ConversationSource) => void;
}

const CHOICES: { source: ConversationSource; label: string; hint: string }[] = [
  { source: "app", label: "Chats", hint: "Conversations made in the app" },
  { source: "api", label: "From the API", hint: "Conversations made by programs through the OpenAI-compatible API" },
];

export function SourceToggle({ source, onChoose }: Props) {
  return (
    <div className="source-toggle" role="group" aria-label="Show conversations" data-testid="source-toggle">
      {CHOICES.map((choice) => (
        <button
          key={choice.source}
          type="button"
          aria-pressed={choice.source === source}
          title={choice.hint}
          data-testid={`source-${choice.source}`}
          onClick={() => onChoose(choice.source)}
        >
          {choice.label}
        </button>
      ))}
    </div>
  );
}

/** The small mark that tells a conversation made through the API from a chat. */
export function ApiBadge({ testId }: { testId: string }) {
  return (
    <span className="api-badge" data-testid={testId} title="Made through the API">
      API
    </span>
  );
}

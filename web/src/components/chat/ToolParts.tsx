/** What an answer says besides its text: a reasoning model's thinking, the tool calls it made, and a tool's result. */
import { readableArguments, type ToolCall } from "../../said";

/** The model's thinking, folded away unless it is thinking now. */
export function Thinking({ text, live }: { text: string; live: boolean }) {
  return (
    // Open while the model thinks (and the answer has not begun); the reader may fold it either way.
    <details className="thinking-section" data-testid="thinking" open={live || undefined}>
      <summary>{live ? "Thinking…" : "Thinking"}</summary>
      <div className="thinking-text" data-testid="thinking-text">
        {text}
      </div>
    </details>
  );
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** A tool the worker ran: folded to its name and time, open to its arguments and what it gave. */
function ToolStep({ call }: { call: ToolCall & { outcome: NonNullable<ToolCall["outcome"]> } }) {
  const { output, error, durationMs } = call.outcome;
  return (
    <details className={`tool-step${error ? " failed" : ""}`} data-testid="tool-step" data-status={error ? "error" : "ok"}>
      <summary>
        {error ? "Tool failed: " : "Used "}
        <code data-testid="tool-name">{call.name}</code> <span className="hint">· {seconds(durationMs ?? 0)}</span>
      </summary>
      <div className="tool-label">Arguments</div>
      <pre data-testid="tool-arguments">{readableArguments(call.arguments)}</pre>
      <div className="tool-label">{error ? "Error" : "Result"}</div>
      <pre data-testid={error ? "tool-error" : "tool-output"}>{error ?? output ?? ""}</pre>
    </details>
  );
}

export function ToolCalls({ calls, live }: { calls: ToolCall[]; live: boolean }) {
  return (
    <ul className="tool-calls" aria-label="Tool calls">
      {calls.map((call) => (
        <li key={call.id} className="tool-call" data-testid="tool-call" data-call-id={call.id}>
          {call.outcome ? (
            <ToolStep call={{ ...call, outcome: call.outcome }} />
          ) : (
            <>
              <div className="tool-label">
                {live ? "Calling " : "Called "}
                <code data-testid="tool-name">{call.name}</code>
              </div>
              <pre data-testid="tool-arguments">{readableArguments(call.arguments)}</pre>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

export function ToolResult({ callId, name, content }: { callId: string; name?: string; content: string }) {
  return (
    <div className="tool-result" data-testid="tool-result" data-call-id={callId}>
      <div className="tool-label">
        Result of <code>{name ?? callId}</code>
      </div>
      <pre data-testid="message-content">{content}</pre>
    </div>
  );
}

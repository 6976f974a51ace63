/** One answer's usage line: tokens, speed and cost. */
import type { Message } from "../../types";
import { formatCost, formatSpeed, formatTokens } from "../../usage";

/** An answer's tokens (prompt → completion, of which reasoning), speed and cost, where they were recorded. */
export function MessageUsage({ message }: { message: Message }) {
  const { prompt_tokens: prompt, completion_tokens: completion, tokens_per_second: speed, cost_usd: cost } = message;
  const reasoning = message.reasoning_tokens ?? 0;
  if (prompt === null && completion === null) return null;
  return (
    <span className="message-usage" data-testid="message-usage">
      <span data-testid="usage-tokens" title="Prompt tokens → completion tokens">
        {formatTokens(prompt ?? 0)} → {formatTokens(completion ?? 0)} tokens
      </span>
      {reasoning > 0 ? (
        <span data-testid="usage-reasoning" title="Of the completion tokens, those spent thinking">
          {formatTokens(reasoning)} thinking
        </span>
      ) : null}
      {speed !== null ? <span data-testid="usage-speed">{formatSpeed(speed)}</span> : null}
      {cost !== null ? (
        <span data-testid="usage-cost" title="At the model's prices when it answered">
          {formatCost(cost)}
        </span>
      ) : null}
    </span>
  );
}

/** The bar under the header: the conversation's tokens and cost, and how full the context window is. */
import type { ConversationTotals } from "../../types";
import type { ContextFill } from "../../usage";
import { formatCost, formatTokens } from "../../usage";

interface Props {
  totals: ConversationTotals;
  context: ContextFill | null;
}

/** The conversation's totals, and how full the model's context window is after the latest answer. */
export function UsageBar({ totals, context }: Props) {
  const tokens = totals.prompt_tokens + totals.completion_tokens;
  if (tokens === 0 && !context) return null;
  const percent = context ? Math.round(context.fraction * 100) : 0;
  const level = percent >= 90 ? "full" : percent >= 70 ? "high" : "ok";
  return (
    <div className="usage-bar" data-testid="conversation-usage">
      <span data-testid="usage-total-tokens" title={`${formatTokens(totals.prompt_tokens)} prompt + ${formatTokens(totals.completion_tokens)} completion`}>
        {formatTokens(tokens)} tokens
      </span>
      <span data-testid="usage-total-cost" title={totals.cost_complete ? "At each model's prices, in every branch" : "Some answers have no recorded cost"}>
        {formatCost(totals.cost_usd)}
        {totals.cost_complete ? "" : "+"}
      </span>
      {context ? (
        <span className="context" title="The latest answer's prompt and completion, against the model's context window">
          Context
          <meter
            data-testid="context-gauge"
            className={`gauge ${level}`}
            min={0}
            max={context.window}
            low={context.window * 0.7}
            high={context.window * 0.9}
            optimum={0}
            value={context.used}
            aria-label="Context window used"
          />
          <span data-testid="context-text">
            {formatTokens(context.used)} / {formatTokens(context.window)} ({percent}%)
          </span>
        </span>
      ) : null}
    </div>
  );
}

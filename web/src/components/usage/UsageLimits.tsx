/** The usage page's limits: what applies to the user, and how much of today's tokens and this month's cost is used. */
import { answersAllowed, costThisMonth, tokensToday } from "../../limits";
import type { UsageReport } from "../../types";

type Props = Pick<UsageReport, "limits" | "tokens_today" | "cost_this_month_usd">;

/** How full a limit is, where both it and what is used are known; nothing for an unlimited one. */
function Gauge({ used, limit, label }: { used: number | null; limit: number | null; label: string }) {
  if (used === null || limit === null || limit <= 0) return null;
  return (
    <meter className="gauge" min={0} max={limit} low={limit * 0.7} high={limit * 0.9} optimum={0} value={Math.min(used, limit)} aria-label={label} />
  );
}

export function UsageLimits({ limits, tokens_today: tokens, cost_this_month_usd: cost }: Props) {
  return (
    <section className="page-section" aria-labelledby="limits-heading" data-testid="usage-limits">
      <h2 id="limits-heading">Your limits</h2>
      <ul className="rows">
        <li className="row" data-testid="limit-tokens">
          <span className="row-main">{tokensToday(tokens, limits.tokens_per_day)}</span>
          <Gauge used={tokens} limit={limits.tokens_per_day} label="Tokens used today" />
        </li>
        <li className="row" data-testid="limit-cost">
          <span className="row-main">{costThisMonth(cost, limits.cost_per_month_usd)}</span>
          <Gauge used={cost} limit={limits.cost_per_month_usd} label="Cost this month" />
        </li>
        <li className="row" data-testid="limit-answers">
          <span className="row-main">{answersAllowed(limits)}</span>
        </li>
      </ul>
      <p className="hint">An admin sets these. Tokens count per UTC day, cost per UTC month; a question over a limit is refused, with the reason.</p>
    </section>
  );
}

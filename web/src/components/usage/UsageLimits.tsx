/** The usage page's limits: what applies to the user, and how much of today's tokens, this month's cost and the storage is used. */
import { quotaBytes } from "../../fileList";
import { answersAllowed, costThisMonth, filesKept, tokensToday } from "../../limits";
import type { UsageReport } from "../../types";
import { Gauge } from "../shared/Gauge";

type Props = Pick<UsageReport, "limits" | "tokens_today" | "cost_this_month_usd" | "storage_used_bytes">;

export function UsageLimits({ limits, tokens_today: tokens, cost_this_month_usd: cost, storage_used_bytes: stored }: Props) {
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
        <li className="row" data-testid="limit-storage">
          <span className="row-main">{filesKept(stored, limits.storage_mb)}</span>
          <Gauge used={stored} limit={limits.storage_mb === null ? null : quotaBytes(limits.storage_mb)} label="Storage used by files" />
        </li>
      </ul>
      <p className="hint">An admin sets these. Tokens count per UTC day, cost per UTC month; a question over a limit is refused, with the reason.</p>
    </section>
  );
}

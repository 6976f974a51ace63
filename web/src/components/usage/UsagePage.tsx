/** The usage page: the user's tokens per day by model, cost per day, totals, and their limits. */
import { useMemo, useState } from "react";

import { formatDay, modelName, modelsIn, USAGE_DAYS, type UsageDay, usageDays } from "../../dailyUsage";
import { useUsage } from "../../hooks/useUsage";
import type { UsageReport } from "../../types";
import { formatCost, formatTokens } from "../../usage";
import { FormError } from "../shared/Field";
import { PageHeader, type PageHeaderProps } from "../shared/PageHeader";
import { UsageChart } from "./UsageChart";
import { UsageLimits } from "./UsageLimits";

function Totals({ total }: Pick<UsageReport, "total">) {
  const tokens = total.prompt_tokens + total.completion_tokens;
  return (
    <dl className="totals" data-testid="usage-totals">
      <div>
        <dt>Answers</dt>
        <dd data-testid="total-answers">{total.answers.toLocaleString("en-US")}</dd>
      </div>
      <div>
        <dt>Tokens</dt>
        <dd data-testid="total-tokens">
          {formatTokens(tokens)}
          <span className="hint">
            {formatTokens(total.prompt_tokens)} prompt + {formatTokens(total.completion_tokens)} answer
          </span>
        </dd>
      </div>
      <div>
        <dt>Cost</dt>
        <dd data-testid="total-cost">{formatCost(total.cost_usd)}</dd>
      </div>
    </dl>
  );
}

/** The days with answers, newest first: the chart's numbers, and each day's cost. */
function DayTable({ days }: { days: UsageDay[] }) {
  const active = days.filter((day) => day.answers > 0).reverse();
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid="usage-days">
        <caption className="visually-hidden">Tokens and cost per day</caption>
        <thead>
          <tr>
            <th scope="col">Day (UTC)</th>
            <th scope="col">Models</th>
            <th scope="col" className="number">Answers</th>
            <th scope="col" className="number">Tokens</th>
            <th scope="col" className="number">Cost</th>
          </tr>
        </thead>
        <tbody>
          {active.map((day) => (
            <tr key={day.day} data-testid="usage-day-row" data-day={day.day}>
              <th scope="row">{formatDay(day.day, true)}</th>
              <td>{day.models.map((share) => modelName(share.model)).join(", ")}</td>
              <td className="number">{day.answers.toLocaleString("en-US")}</td>
              <td className="number">{formatTokens(day.tokens)}</td>
              <td className="number" data-testid="day-cost">
                {formatCost(day.cost)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Report({ report }: { report: UsageReport }) {
  // The window ends today: read once, so the chart does not move under the reader.
  const [now] = useState(() => new Date());
  const models = useMemo(() => modelsIn(report), [report]);
  const days = useMemo(() => usageDays(report, now, models), [report, now, models]);
  return (
    <>
      <section className="page-section" aria-labelledby="usage-totals-heading">
        <h2 id="usage-totals-heading">In the last {report.days} days</h2>
        <Totals total={report.total} />
      </section>
      <section className="page-section" aria-labelledby="usage-chart-heading">
        <h2 id="usage-chart-heading">Tokens per day</h2>
        <UsageChart days={days} models={models} />
      </section>
      <section className="page-section" aria-labelledby="usage-days-heading">
        <h2 id="usage-days-heading">Cost per day</h2>
        {report.total.answers === 0 ? (
          <p className="hint" data-testid="usage-empty">
            No answers in the last {report.days} days.
          </p>
        ) : (
          <DayTable days={days} />
        )}
      </section>
      <UsageLimits
        limits={report.limits}
        tokens_today={report.tokens_today}
        cost_this_month_usd={report.cost_this_month_usd}
        storage_used_bytes={report.storage_used_bytes}
      />
    </>
  );
}

export function UsagePage(header: PageHeaderProps) {
  const usage = useUsage();
  return (
    <main className="page" data-testid="usage-page">
      <PageHeader title="Usage and limits" {...header} />
      {/* Focusable: the keyboard scrolls it, though it holds no control. */}
      <div className="page-body" tabIndex={0}>
        <p className="hint page-intro">Your answers over the last {USAGE_DAYS} days, by UTC day, and the limits that apply to you.</p>
        <FormError error={usage.error} testId="usage-error" />
        {usage.value ? <Report report={usage.value} /> : usage.error ? null : <p className="hint">Loading…</p>}
      </div>
    </main>
  );
}

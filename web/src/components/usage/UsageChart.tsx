/** The usage page's chart: tokens per day, each day's bar stacked by model, as inline SVG with a legend. */
import { useId } from "react";

import { formatDay, modelName, scaleTop, type UsageDay } from "../../dailyUsage";
import { formatCost, formatTokens } from "../../usage";
import { type ChartFrame, ChartGrid, plotHeight, plotWidth, SERIES, Swatch } from "../shared/ChartParts";

interface Props {
  days: UsageDay[];
  /** Every model in `days`, in the order of their colours. */
  models: string[];
}

const FRAME: ChartFrame = { width: 720, height: 220, left: 48, right: 8, top: 10, bottom: 24 };
const { width: WIDTH, height: HEIGHT, left: LEFT, top: TOP } = FRAME;
const PLOT_WIDTH = plotWidth(FRAME);
const PLOT_HEIGHT = plotHeight(FRAME);

const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/** What the chart says to someone who cannot see it: its table follows it on the page. */
function summary(days: UsageDay[]): string {
  const total = days.reduce((sum, day) => sum + day.tokens, 0);
  if (total === 0) return `No answers in the last ${days.length} days.`;
  const busiest = days.reduce((most, day) => (day.tokens > most.tokens ? day : most));
  const active = days.filter((day) => day.tokens > 0).length;
  return `${formatTokens(total)} tokens on ${active} of the last ${days.length} days; the most on ${formatDay(busiest.day)}: ${formatTokens(busiest.tokens)}.`;
}

export function UsageChart({ days, models }: Props) {
  const titleId = useId();
  const descId = useId();
  const top = scaleTop(Math.max(0, ...days.map((day) => day.tokens)));
  const y = (tokens: number) => (tokens / top) * PLOT_HEIGHT;
  const column = PLOT_WIDTH / Math.max(1, days.length);
  const bar = Math.max(2, column * 0.7);
  const colour = (model: string) => `series-${models.indexOf(model) % SERIES}`;

  return (
    <figure className="usage-chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby={`${titleId} ${descId}`}
        data-testid="usage-chart"
        data-top={top}
      >
        <title id={titleId}>Tokens per day, the last {days.length} days</title>
        <desc id={descId}>{summary(days)}</desc>
        <ChartGrid frame={FRAME} top={top} format={(value) => compact.format(value)} />
        {days.map((day, index) => {
          const x = LEFT + index * column + (column - bar) / 2;
          // Today, and every seventh day before it, is labelled: a week per label.
          const labelled = (days.length - 1 - index) % 7 === 0;
          return (
            <g key={day.day} data-testid="usage-day" data-day={day.day} data-tokens={day.tokens}>
              {day.models.map((share, layer) => {
                const below = day.models.slice(0, layer).reduce((sum, under) => sum + under.tokens, 0);
                const height = y(share.tokens);
                return (
                  <rect
                    key={share.model}
                    className={`series ${colour(share.model)}`}
                    x={x}
                    y={TOP + PLOT_HEIGHT - y(below) - height}
                    width={bar}
                    height={height}
                    data-testid="usage-bar"
                    data-model={share.model}
                    data-tokens={share.tokens}
                  >
                    <title>
                      {formatDay(day.day)}, {modelName(share.model)}: {formatTokens(share.tokens)} tokens, {formatCost(share.cost)}
                    </title>
                  </rect>
                );
              })}
              {labelled ? (
                <text className="chart-label" x={x + bar / 2} y={HEIGHT - 6} textAnchor="middle" aria-hidden="true">
                  {formatDay(day.day)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      {models.length > 0 ? (
        <figcaption>
          <ul className="chart-legend" data-testid="usage-legend" aria-label="Models">
            {models.map((model) => (
              <li key={model} data-model={model}>
                <Swatch className={colour(model)} />
                {modelName(model)}
              </li>
            ))}
          </ul>
        </figcaption>
      ) : null}
    </figure>
  );
}

/** A chart of the Status page: one line a series over the last hour's minutes, a dot for each minute
 * with a value, as inline SVG with a legend (the usage chart's style). */
import { useId } from "react";

import { scaleTop } from "../../dailyUsage";
import { highest, minuteLabel, type StatusChartSpec } from "../../systemStatus";

interface Props {
  chart: StatusChartSpec;
  /** Each minute's start (ISO, UTC), oldest first: the series' values line up with them. */
  minutes: string[];
}

// The drawing's own units: the SVG scales to its column's width.
const WIDTH = 480;
const HEIGHT = 180;
const LEFT = 56;
const RIGHT = 8;
const TOP = 10;
const BOTTOM = 24;
const PLOT_WIDTH = WIDTH - LEFT - RIGHT;
const PLOT_HEIGHT = HEIGHT - TOP - BOTTOM;
/** Colours, in styles.css. */
const SERIES = 8;

/** What the chart says to someone who cannot see it: each series' latest value. */
function summary(chart: StatusChartSpec): string {
  const latest = chart.series.map((series) => {
    const value = [...series.values].reverse().find((each) => each !== null);
    return `${series.label}: ${value === undefined || value === null ? "nothing yet" : chart.format(value)}`;
  });
  return `${latest.join("; ")}.`;
}

/** The line through a series' values, broken where a minute has none. */
function paths(values: (number | null)[], x: (index: number) => number, y: (value: number) => number): string {
  let path = "";
  let drawing = false;
  values.forEach((value, index) => {
    if (value === null) {
      drawing = false;
      return;
    }
    path += `${drawing ? "L" : "M"}${x(index).toFixed(1)},${y(value).toFixed(1)}`;
    drawing = true;
  });
  return path;
}

export function StatusChart({ chart, minutes }: Props) {
  const titleId = useId();
  const descId = useId();
  const top = scaleTop(highest(chart.series));
  const step = PLOT_WIDTH / Math.max(1, minutes.length - 1);
  const x = (index: number) => LEFT + index * step;
  const y = (value: number) => TOP + PLOT_HEIGHT - (value / top) * PLOT_HEIGHT;
  return (
    <figure className="usage-chart status-chart" data-testid="status-chart" data-chart={chart.id}>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${titleId} ${descId}`} data-top={top}>
        <title id={titleId}>{chart.title}, the last hour</title>
        <desc id={descId}>{summary(chart)}</desc>
        {[0, 0.5, 1].map((fraction) => {
          const at = TOP + PLOT_HEIGHT - fraction * PLOT_HEIGHT;
          return (
            <g key={fraction} className="chart-grid" aria-hidden="true">
              <line x1={LEFT} x2={WIDTH - RIGHT} y1={at} y2={at} />
              <text x={LEFT - 6} y={at} dy="0.32em" textAnchor="end">
                {chart.format(top * fraction)}
              </text>
            </g>
          );
        })}
        {minutes.map((minute, index) =>
          // Every fifteenth minute back from now is labelled.
          (minutes.length - 1 - index) % 15 === 0 ? (
            <text
              key={minute}
              className="chart-label"
              x={x(index)}
              y={HEIGHT - 6}
              textAnchor={index === minutes.length - 1 ? "end" : "middle"}
              aria-hidden="true"
            >
              {minuteLabel(minute)}
            </text>
          ) : null,
        )}
        {chart.series.map((series, order) => (
          <g key={series.key} className={`status-series series-${order % SERIES}`} data-testid="status-series" data-series={series.key}>
            <path className="status-line" d={paths(series.values, x, y)} />
            {series.values.map((value, index) =>
              value === null ? null : (
                <circle
                  key={minutes[index]}
                  className="status-point"
                  cx={x(index)}
                  cy={y(value)}
                  r={2.5}
                  data-testid="status-point"
                  data-minute={minutes[index]}
                  data-value={value}
                >
                  <title>
                    {minuteLabel(minutes[index] ?? "")} UTC, {series.label}: {chart.format(value)}
                  </title>
                </circle>
              ),
            )}
          </g>
        ))}
      </svg>
      <figcaption>
        <strong className="status-chart-title">{chart.title}</strong>
        <ul className="chart-legend" aria-label={`${chart.title}: series`}>
          {chart.series.map((series, order) => (
            <li key={series.key} data-series={series.key}>
              <svg className="swatch" viewBox="0 0 10 10" aria-hidden="true">
                <rect className={`series series-${order % SERIES}`} width="10" height="10" rx="2" />
              </svg>
              {series.label}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

/** A chart of the Status page: one line a series over the last hour's minutes, a dot for each minute
 * with a value, as inline SVG with a legend (the usage chart's style). */
import { useId } from "react";

import { scaleTop } from "../../dailyUsage";
import { type ChartFrame, ChartGrid, plotHeight, plotWidth, SERIES, Swatch } from "../shared/ChartParts";
import { highest, minuteLabel, type StatusChartSpec } from "../../systemStatus";

interface Props {
  chart: StatusChartSpec;
  /** Each minute's start (ISO, UTC), oldest first: the series' values line up with them. */
  minutes: string[];
}

const FRAME: ChartFrame = { width: 480, height: 180, left: 56, right: 8, top: 10, bottom: 24 };
const { width: WIDTH, height: HEIGHT, left: LEFT, top: TOP } = FRAME;
const PLOT_WIDTH = plotWidth(FRAME);
const PLOT_HEIGHT = plotHeight(FRAME);

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
        <ChartGrid frame={FRAME} top={top} format={chart.format} />
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
              <Swatch className={`series-${order % SERIES}`} />
              {series.label}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

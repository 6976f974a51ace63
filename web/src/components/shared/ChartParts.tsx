/** What the app's SVG charts share: the frame they are drawn in, its grid, and a legend's swatch. */

/** A chart's drawing units: the SVG scales to its column's width. */
export interface ChartFrame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export function plotHeight(frame: ChartFrame): number {
  return frame.height - frame.top - frame.bottom;
}

export function plotWidth(frame: ChartFrame): number {
  return frame.width - frame.left - frame.right;
}

/** Colours of series, in styles.css (`series-0` to `series-7`): a ninth takes the first's again. */
export const SERIES = 8;

/** Lines at none, half and all of `top`, each labelled with its value. */
export function ChartGrid({ frame, top, format }: { frame: ChartFrame; top: number; format: (value: number) => string }) {
  const height = plotHeight(frame);
  return [0, 0.5, 1].map((fraction) => {
    const at = frame.top + height - fraction * height;
    return (
      <g key={fraction} className="chart-grid" aria-hidden="true">
        <line x1={frame.left} x2={frame.width - frame.right} y1={at} y2={at} />
        <text x={frame.left - 6} y={at} dy="0.32em" textAnchor="end">
          {format(top * fraction)}
        </text>
      </g>
    );
  });
}

/** A legend entry's colour. */
export function Swatch({ className }: { className: string }) {
  return (
    <svg className="swatch" viewBox="0 0 10 10" aria-hidden="true">
      <rect className={`series ${className}`} width="10" height="10" rx="2" />
    </svg>
  );
}

// The console's charts, drawn as SVG by hand: a line chart over time with gridlines, time labels and a
// legend, and a sparkline for a table cell. Each is an image with a text description for screen readers.
import { linePath, niceMax, shortNumber } from "./chart-geometry.js";

export interface ChartSeries {
  label: string;
  /** One value per timestamp; null where there is none. */
  values: (number | null)[];
  /** A CSS colour with at least 3:1 contrast against white. */
  color: string;
}

const WIDTH = 600;
const HEIGHT = 150;
const LEFT = 60;
const BOTTOM = 20;

const timeLabel = (time: number): string => new Date(time).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

export function LineChart(props: { title: string; timestamps: number[]; series: ChartSeries[]; unit?: string; summary: string; formatTime?: (time: number) => string }) {
  const label = props.formatTime ?? timeLabel;
  const plotWidth = WIDTH - LEFT - 8;
  const plotHeight = HEIGHT - BOTTOM - 8;
  const max = niceMax(Math.max(0, ...props.series.flatMap((series) => series.values.map((value) => value ?? 0))));
  const gridlines = [0, 0.5, 1];
  const first = props.timestamps[0];
  const last = props.timestamps[props.timestamps.length - 1];
  return (
    <figure class="chart">
      <figcaption>
        <strong>{props.title}</strong> <span class="chart-summary">{props.summary}</span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={`${props.title}: ${props.summary}`} preserveAspectRatio="none">
        <g transform={`translate(${LEFT} 8)`}>
          {gridlines.map((fraction) => (
            <g key={fraction}>
              <line x1={0} x2={plotWidth} y1={plotHeight * (1 - fraction)} y2={plotHeight * (1 - fraction)} class="gridline" />
              <text x={-6} y={plotHeight * (1 - fraction) + 4} text-anchor="end" class="axis-label">
                {shortNumber(max * fraction)}
                {fraction === 1 && props.unit ? ` ${props.unit}` : ""}
              </text>
            </g>
          ))}
          {props.series.map((series) => (
            <path key={series.label} d={linePath(series.values, plotWidth, plotHeight, max)} stroke={series.color} class="series" />
          ))}
          {first !== undefined && last !== undefined ? (
            <>
              <text x={0} y={plotHeight + 16} class="axis-label">
                {label(first)}
              </text>
              <text x={plotWidth} y={plotHeight + 16} text-anchor="end" class="axis-label">
                {label(last)}
              </text>
            </>
          ) : null}
        </g>
      </svg>
      {props.series.length > 1 ? (
        <ul class="legend">
          {props.series.map((series) => (
            <li key={series.label}>
              <svg class="swatch" viewBox="0 0 12 12" width={12} height={12} aria-hidden="true">
                <rect width={12} height={12} rx={2} fill={series.color} />
              </svg>
              {series.label}
            </li>
          ))}
        </ul>
      ) : null}
    </figure>
  );
}

export function Sparkline(props: { label: string; values: number[]; color: string }) {
  const total = props.values.reduce((sum, value) => sum + value, 0);
  const max = niceMax(Math.max(0, ...props.values));
  return (
    <span class="sparkline" title={`${props.label}: ${total}`}>
      <svg viewBox="0 0 60 16" width={60} height={16} role="img" aria-label={`${props.label}: ${total}`}>
        <path d={linePath(props.values, 60, 14, max)} transform="translate(0 1)" stroke={props.color} class="series" />
      </svg>
      <span class="sparkline-total" aria-hidden="true">
        {shortNumber(total)}
      </span>
    </span>
  );
}

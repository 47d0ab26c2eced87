// A function's Monitor tab: its metrics history as charts (invocations and errors, throttles, duration
// percentiles, concurrency) over the last hour, three or six, refreshed while shown.
import { useState } from "preact/hooks";
import type { MetricsPoint } from "@lambent/lambda-api";
import type { LambdaApi } from "./api.js";
import { LineChart } from "./charts.js";
import { ErrorNotice, useInterval, useLoad } from "./components.js";

const RANGES = { "1h": "Last hour", "3h": "Last 3 hours", "6h": "Last 6 hours" } as const;
type Range = keyof typeof RANGES;

export const REFRESH_MS = 10_000;

export const SERIES_COLORS = { invocations: "#0a5bb5", errors: "#b3261e", throttles: "#a15c00", p50: "#0a5bb5", p90: "#6b3fa0", p99: "#b3261e", concurrency: "#14733a" } as const;

const sum = (points: MetricsPoint[], pick: (point: MetricsPoint) => number): number => points.reduce((total, point) => total + pick(point), 0);

export function MonitorPanel(props: { api: LambdaApi; name: string }) {
  const [range, setRange] = useState<Range>("1h");
  const metrics = useLoad(() => props.api.getMetrics(props.name, range), `metrics:${props.name}:${range}`);
  useInterval(metrics.reload, REFRESH_MS);
  const points = metrics.data?.Metrics ?? [];
  const timestamps = points.map((point) => point.Timestamp);
  const totals = {
    invocations: sum(points, (point) => point.Invocations),
    errors: sum(points, (point) => point.Errors),
    throttles: sum(points, (point) => point.Throttles),
    concurrency: Math.max(0, ...points.map((point) => point.Concurrency)),
  };
  const p99 = Math.max(0, ...points.map((point) => point.DurationP99 ?? 0));
  return (
    <section class="panel" aria-labelledby="monitor-title">
      <div class="section-head">
        <h2 id="monitor-title">Metrics</h2>
        <label>
          Time range
          <select value={range} onChange={(event) => setRange(event.currentTarget.value as Range)}>
            {(Object.keys(RANGES) as Range[]).map((key) => (
              <option key={key} value={key}>
                {RANGES[key]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p class="hint">One point per minute, for every version, from Lambent's metrics history (kept six hours). Refreshed every {REFRESH_MS / 1000} s.</p>
      {metrics.error ? <ErrorNotice error={metrics.error} /> : null}
      {metrics.loading && !metrics.data ? <p aria-live="polite">Loading metrics…</p> : null}
      {metrics.data ? (
        <>
          <dl class="totals" aria-label="Totals for the range">
            <div>
              <dt>Invocations</dt>
              <dd>{totals.invocations}</dd>
            </div>
            <div>
              <dt>Errors</dt>
              <dd>{totals.errors}</dd>
            </div>
            <div>
              <dt>Throttles</dt>
              <dd>{totals.throttles}</dd>
            </div>
            <div>
              <dt>Peak concurrency</dt>
              <dd>{totals.concurrency}</dd>
            </div>
          </dl>
          <div class="charts">
            <LineChart
              title="Invocations and errors"
              summary={`${totals.invocations} invocations, ${totals.errors} errors`}
              timestamps={timestamps}
              series={[
                { label: "Invocations", values: points.map((point) => point.Invocations), color: SERIES_COLORS.invocations },
                { label: "Errors", values: points.map((point) => point.Errors), color: SERIES_COLORS.errors },
              ]}
            />
            <LineChart
              title="Throttles"
              summary={`${totals.throttles} throttled`}
              timestamps={timestamps}
              series={[{ label: "Throttles", values: points.map((point) => point.Throttles), color: SERIES_COLORS.throttles }]}
            />
            <LineChart
              title="Duration"
              unit="ms"
              summary={points.some((point) => point.DurationP50 !== null) ? `p99 at most ${p99} ms` : "no runs"}
              timestamps={timestamps}
              series={[
                { label: "p50", values: points.map((point) => point.DurationP50), color: SERIES_COLORS.p50 },
                { label: "p90", values: points.map((point) => point.DurationP90), color: SERIES_COLORS.p90 },
                { label: "p99", values: points.map((point) => point.DurationP99), color: SERIES_COLORS.p99 },
              ]}
            />
            <LineChart
              title="Concurrency"
              summary={`peak ${totals.concurrency}`}
              timestamps={timestamps}
              series={[{ label: "Concurrency", values: points.map((point) => point.Concurrency), color: SERIES_COLORS.concurrency }]}
            />
          </div>
        </>
      ) : null}
    </section>
  );
}

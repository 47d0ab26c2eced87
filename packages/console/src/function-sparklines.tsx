// The functions list's live sparklines: invocations, errors and throttles over the last 30 minutes, from
// the metrics history. A page of rows comes with its functions' minutes (SearchFunctions), refreshed while
// shown in one call (GetFunctionsMetrics); each row draws its own.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { GetFunctionsMetricsResponse, MetricsPoint } from "@lambent/lambda-api";
import type { LambdaApi } from "./api.js";
import { Sparkline } from "./charts.js";
import { useInterval } from "./components.js";
import { SERIES_COLORS } from "./monitor-panel.js";

/** How far back the sparklines reach, as SearchFunctions' `MetricsSince` and GetFunctionsMetrics' `since`. */
export const SPARKLINE_SINCE = "30m";
const SPARKLINE_REFRESH_MS = 30_000;

export interface PageSparklines {
  /** The shown rows' minutes by function name; undefined until known. */
  points: Map<string, MetricsPoint[]> | undefined;
  /** The last call for them failed. */
  failed: boolean;
}

/**
 * The shown rows' minutes: those the page came with, then refreshed. A page that came without them (from a
 * frontend without the metrics history) asks for them at once, and the call says why they are missing.
 */
export function usePageSparklines(api: LambdaApi, names: readonly string[], withPage: GetFunctionsMetricsResponse | undefined): PageSparklines {
  const key = names.join(",");
  const fromPage = useMemo(() => (withPage ? pointsByName(withPage) : undefined), [withPage]);
  const [asked, setAsked] = useState<{ page: GetFunctionsMetricsResponse | undefined; key: string; points?: Map<string, MetricsPoint[]>; failed?: boolean }>();
  // A newer page answer outdates the calls made for the one before.
  const shown = useRef({ page: withPage, key });
  shown.current = { page: withPage, key };
  const ask = (): void => {
    if (names.length === 0) return;
    const of = { page: withPage, key };
    const current = (): boolean => shown.current.page === of.page && shown.current.key === of.key;
    api.getFunctionsMetrics(names, SPARKLINE_SINCE).then(
      (answer) => current() && setAsked({ ...of, points: pointsByName(answer) }),
      () => current() && setAsked({ ...of, failed: true }),
    );
  };
  useEffect(() => {
    if (!withPage) ask();
    // `ask` is a fresh closure on every render; the page answer and the names say when to run it again.
  }, [withPage, key]);
  useInterval(ask, SPARKLINE_REFRESH_MS);
  const latest = asked?.page === withPage && asked?.key === key ? asked : undefined;
  if (latest) return { points: latest.points, failed: latest.failed === true };
  return { points: fromPage, failed: false };
}

function pointsByName(answer: GetFunctionsMetricsResponse): Map<string, MetricsPoint[]> {
  return new Map(answer.Functions.map((fn) => [fn.FunctionName, fn.Metrics]));
}

export function FunctionSparklines(props: { points: MetricsPoint[] | undefined; failed: boolean }) {
  const points = props.points;
  if (!points) return <span class="hint">{props.failed ? "unavailable" : "…"}</span>;
  return (
    <span class="sparklines">
      <Sparkline label="Invocations, last 30 minutes" values={points.map((point) => point.Invocations)} color={SERIES_COLORS.invocations} />
      <Sparkline label="Errors, last 30 minutes" values={points.map((point) => point.Errors)} color={SERIES_COLORS.errors} />
      <Sparkline label="Throttles, last 30 minutes" values={points.map((point) => point.Throttles)} color={SERIES_COLORS.throttles} />
    </span>
  );
}

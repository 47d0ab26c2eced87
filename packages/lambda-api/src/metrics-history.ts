// Lambent's metrics history: a function's per-minute invocations, errors, throttles, durations and
// concurrency over the last hours, as GetFunctionMetrics answers them.

/** One minute of a function's metrics, summed over the cluster. */
export interface MetricsPoint {
  /** The minute's start, epoch milliseconds. */
  Timestamp: number;
  Invocations: number;
  Errors: number;
  Throttles: number;
  /** Duration percentiles in milliseconds, each the upper bound of its bucket; null in a minute with no run. */
  DurationP50: number | null;
  DurationP90: number | null;
  DurationP99: number | null;
  /** The most concurrency slots the function held at once in the minute, as the leading scheduler sampled it. */
  Concurrency: number;
}

export interface GetFunctionMetricsResponse {
  FunctionName: string;
  /** Present when asked for: the points count only the calls that named this alias or version (CloudWatch's Resource). */
  Qualifier?: string;
  /** Present when asked for: the points count only the calls that ran on this version (CloudWatch's ExecutedVersion). */
  ExecutedVersion?: string;
  PeriodSeconds: number;
  /** One point per minute from the start asked for to now, oldest first. */
  Metrics: MetricsPoint[];
}

/** Lambent's GetFunctionsMetrics: several functions' minutes in one answer, in the order asked for. */
export interface GetFunctionsMetricsResponse {
  PeriodSeconds: number;
  Functions: { FunctionName: string; Metrics: MetricsPoint[] }[];
}

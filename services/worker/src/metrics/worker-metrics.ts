// The worker's metrics: the function's own duration and cold starts' init duration per function version,
// the warm environments it holds, the calls its functions make of other functions, and the NATS
// connection's state.
import { trackNatsConnection, type Counter, type Histogram, type MetricsRegistry, type ObservableConnection } from "@lambent/telemetry";
import type { PoolStats } from "../pool/warm-pool.js";

/** What the invoke path reports. */
export interface InvocationMetrics {
  /** The handler ran for `durationMs`; `initDurationMs` when the call started its environment. */
  ran(functionName: string, version: string, durationMs: number, initDurationMs: number | undefined): void;
  /** The module failed to load: a cold start that never reached the handler. */
  initFailed(functionName: string, version: string, initDurationMs: number): void;
}

/** What functions' calls of other functions report (host/function-calls.ts). */
export interface FunctionCallMetrics {
  /** A call of `functionName` ended: `outcome` is `ok`, `function_error` or the Lambda error type that refused it. */
  called(functionName: string, invocationType: string, outcome: string): void;
}

const CALL_TYPE_LABELS: Record<string, string> = { RequestResponse: "sync", Event: "event", DryRun: "dry_run" };

export interface WorkerMetricsOptions {
  nc: ObservableConnection;
  pool: { stats(): PoolStats };
}

/** Init durations: module loading takes milliseconds to seconds (Lambda allows 10 s). */
const INIT_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class WorkerMetrics implements InvocationMetrics, FunctionCallMetrics {
  private readonly duration: Histogram;
  private readonly init: Histogram;
  private readonly calls: Counter;

  constructor(private readonly registry: MetricsRegistry, options: WorkerMetricsOptions) {
    trackNatsConnection(registry, options.nc);
    this.duration = registry.histogram("lambent_function_duration_seconds", "How long the function's handler ran (Lambda's Duration).", ["function", "version"]);
    this.init = registry.histogram(
      "lambent_init_duration_seconds",
      "Cold starts: how long starting an environment and loading the function's module took (Lambda's Init Duration).",
      ["function", "version"],
      INIT_BUCKETS_SECONDS,
    );
    this.calls = registry.counter(
      "lambent_function_calls_total",
      "Calls functions on this worker made of other functions (lambent:functions): type sync, event or dry_run; outcome ok, function_error or the Lambda error type that refused the call.",
      ["function", "type", "outcome"],
    );
    registry.callbackGauge("lambent_warm_environments", "Idle warm environments on this worker, ready for a call, per function version.", ["function", "version"], (report) => {
      const perVersion = new Map<string, number>();
      for (const [key, count] of Object.entries(options.pool.stats().idle)) {
        // Environment keys are function:version:revision; one function version may have had several revisions.
        const version = key.slice(0, key.lastIndexOf(":"));
        perVersion.set(version, (perVersion.get(version) ?? 0) + count);
      }
      for (const [functionVersion, count] of perVersion) {
        const split = functionVersion.lastIndexOf(":");
        report([functionVersion.slice(0, split), functionVersion.slice(split + 1)], count);
      }
    });
    registry.callbackGauge("lambent_busy_environments", "Environments on this worker running a call (or starting for one).", [], (report) => {
      report([], options.pool.stats().busy);
    });
  }

  /** Reports `lambent_concurrent_executions`: the calls running on this worker now, per function. */
  trackConcurrency(running: () => ReadonlyMap<string, number>): void {
    this.registry.callbackGauge("lambent_concurrent_executions", "Calls running on this worker now, per function (summed over a worker's sandbox processes).", ["function"], (report) => {
      for (const [functionName, count] of running()) report([functionName], count);
    });
  }

  ran(functionName: string, version: string, durationMs: number, initDurationMs: number | undefined): void {
    this.duration.labels(functionName, version).observe(durationMs / 1000);
    if (initDurationMs !== undefined) this.init.labels(functionName, version).observe(initDurationMs / 1000);
  }

  initFailed(functionName: string, version: string, initDurationMs: number): void {
    this.init.labels(functionName, version).observe(initDurationMs / 1000);
  }

  called(functionName: string, invocationType: string, outcome: string): void {
    this.calls.labels(functionName, CALL_TYPE_LABELS[invocationType] ?? invocationType, outcome).inc();
  }
}

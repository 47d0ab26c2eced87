// The worker's part of the metrics history (@lambent/log-stream's MetricsRecorder): each finished call's
// billed duration and whether it failed, added up per minute in memory and published every few seconds,
// in the function's totals and, for a call that named an alias or version, its version series.
import type { MetricsRecorder } from "@lambent/log-stream";
import type { InvocationLog, InvocationLogSink } from "./log-buffer.js";

export class RunMetrics implements InvocationLogSink {
  constructor(private readonly recorder: MetricsRecorder) {}

  write(log: InvocationLog): void {
    // No REPORT, no run: the call never reached an environment.
    if (!log.billing) return;
    this.recorder.ran(log.functionName, log.billing.billedDurationMs, log.functionError === true, log.qualifier, log.version);
  }
}

// What watches every finished invocation in a worker process: the log shipper, the usage meter and the
// metrics history, behind the one InvocationLogSink the invoker writes to. `startInvocationObservers` makes
// sure the log and metrics streams exist first; `stop` sends what is still pending before the connection closes.
import type { NatsConnection } from "@nats-io/transport-node";
import type { KV } from "@nats-io/kv";
import type { WorkerConfig } from "@lambent/config";
import { MetricsRecorder, ensureLogStream, ensureMetricsStream } from "@lambent/log-stream";
import { openUsageBucket } from "@lambent/registry/usage";
import type { Logger } from "@lambent/telemetry";
import type { InvocationLog, InvocationLogSink } from "./log-buffer.js";
import { LogShipper } from "./log-shipper.js";
import { RunMetrics } from "./run-metrics.js";
import { UsageMeter } from "./usage-meter.js";

export interface InvocationObservers {
  sink: InvocationLogSink;
  stop(): Promise<void>;
}

/** One sink that hands each log to every sink given, in order. */
export function fanOutLogs(...sinks: InvocationLogSink[]): InvocationLogSink {
  return {
    write(log: InvocationLog) {
      for (const sink of sinks) sink.write(log);
    },
  };
}

export async function startInvocationObservers(nc: NatsConnection, functions: KV, config: WorkerConfig, logger: Logger): Promise<InvocationObservers> {
  await ensureLogStream(nc, { replicas: config.jetstreamReplicas, ...config.logs });
  const shipper = new LogShipper(nc, logger);
  const meter = new UsageMeter(functions, await openUsageBucket(nc, { retentionDays: config.usageRetentionDays, replicas: config.jetstreamReplicas, applyRetention: false }), logger);
  await ensureMetricsStream(nc, config.jetstreamReplicas);
  const recorder = new MetricsRecorder(nc, (error) => logger.warn("metrics not recorded", { err: error }));
  recorder.start();
  return {
    sink: fanOutLogs(shipper, meter, new RunMetrics(recorder)),
    async stop() {
      shipper.flush();
      recorder.stop();
      await meter.flush();
    },
  };
}

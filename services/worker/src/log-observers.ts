// What watches every finished invocation in a worker process: the log shipper and the usage meter, behind
// the one InvocationLogSink the invoker writes to. `startInvocationObservers` makes sure the log stream
// exists first; `stop` sends what is still pending before the connection closes.
import type { NatsConnection } from "@nats-io/transport-node";
import type { KV } from "@nats-io/kv";
import type { WorkerConfig } from "@lambent/config";
import { ensureLogStream } from "@lambent/log-stream";
import type { Logger } from "@lambent/telemetry";
import type { InvocationLog, InvocationLogSink } from "./log-buffer.js";
import { LogShipper } from "./log-shipper.js";
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
  const meter = new UsageMeter(functions, logger);
  return {
    sink: fanOutLogs(shipper, meter),
    async stop() {
      shipper.flush();
      await meter.flush();
    },
  };
}

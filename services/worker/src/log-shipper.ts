// Ships each finished invocation's log into the log stream (@lambent/log-stream). `write` only queues the
// record: the publish runs after the current turn, once the caller has been answered, and is a core NATS
// publish that waits for no acknowledgement. A function's records of one turn go as one message.
import type { NatsConnection } from "@nats-io/transport-node";
import { LogPublisher, type FunctionLogRecord } from "@lambent/log-stream";
import type { Logger } from "@lambent/telemetry";
import type { InvocationLog, InvocationLogSink } from "./log-buffer.js";

export class LogShipper implements InvocationLogSink {
  private readonly publisher: LogPublisher;
  private queued: FunctionLogRecord[] = [];
  private scheduled: NodeJS.Immediate | undefined;

  constructor(nc: NatsConnection, logger: Logger) {
    this.publisher = new LogPublisher(nc, (error, record) =>
      logger.warn("function log not shipped", { functionName: record.functionName, requestId: record.requestId, err: error }),
    );
  }

  write(log: InvocationLog): void {
    this.queued.push({
      functionName: log.functionName,
      version: log.version,
      logGroupName: log.logGroupName,
      logStreamName: log.logStreamName,
      requestId: log.requestId,
      timestamp: Date.now(),
      lines: log.lines,
      ...(log.traceId !== undefined ? { traceId: log.traceId } : {}),
    });
    this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Publishes every queued record now (also on stop, before the connection drains). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const records = this.queued;
    this.queued = [];
    if (records.length === 1) {
      this.publisher.publish(records[0]!);
      return;
    }
    const byFunction = new Map<string, FunctionLogRecord[]>();
    for (const record of records) {
      const list = byFunction.get(record.functionName);
      if (list) list.push(record);
      else byFunction.set(record.functionName, [record]);
    }
    for (const [functionName, list] of byFunction) this.publisher.publishBatch(functionName, list);
  }
}

// The stream that keeps functions' logs (`LAMBENT_LOGS`, subjects `lambent.logs.<function>`): file
// storage, limits retention (age and bytes, oldest dropped first). Workers publish into it with core NATS,
// never waiting for an acknowledgement, so shipping a log costs the invoke path one buffered write.
import { DiscardPolicy, RetentionPolicy, StorageType, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { Streams, Subjects } from "@lambent/protocol";
import { encodeLogRecordParts, encodeLogRecords, type FunctionLogRecord } from "./log-record.js";

export interface LogStreamOptions {
  replicas: number;
  /** Records older than this are dropped. */
  retentionHours: number;
  /** Past this size the oldest records are dropped. */
  maxBytes: number;
}

const NANOS_PER_HOUR = 3_600 * 1_000_000_000;

/**
 * Creates the stream when missing, and brings its retention in line with the options when it exists
 * (idempotent; every worker and frontend calls it at start).
 */
export async function ensureLogStream(nc: NatsConnection, options: LogStreamOptions): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const maxAge = options.retentionHours * NANOS_PER_HOUR;
  let existing;
  try {
    existing = await jsm.streams.info(Streams.logs);
  } catch {
    existing = undefined;
  }
  if (existing) {
    if (existing.config.max_age !== maxAge || existing.config.max_bytes !== options.maxBytes) {
      await jsm.streams.update(Streams.logs, { ...existing.config, max_age: maxAge, max_bytes: options.maxBytes });
    }
    return;
  }
  try {
    await jsm.streams.add({
      name: Streams.logs,
      subjects: [Subjects.functionLogsAll],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: maxAge,
      max_bytes: options.maxBytes,
      num_replicas: options.replicas,
    });
  } catch (error) {
    // Another service created it meanwhile.
    if (!/already in use|already exists/i.test(String(error))) throw error;
  }
}

/** Room left in a NATS message for headers and protocol framing. */
const MESSAGE_MARGIN_BYTES = 4 * 1024;

/** Publishes each record into the stream's subject for its function; never awaits, never throws. */
export class LogPublisher {
  constructor(
    private readonly nc: NatsConnection,
    /** Told when a record could not be published (the connection closed, say). */
    private readonly onError: (error: unknown, record: FunctionLogRecord) => void = () => undefined,
  ) {}

  /**
   * Publishes records of one function as one message when they fit (each as its own, split as needed,
   * when they do not).
   */
  publishBatch(functionName: string, records: FunctionLogRecord[]): void {
    if (records.length === 1) {
      this.publish(records[0]!);
      return;
    }
    try {
      const maxBytes = (this.nc.info?.max_payload ?? 1024 * 1024) - MESSAGE_MARGIN_BYTES;
      const batch = encodeLogRecords(records);
      if (batch.length <= maxBytes) {
        this.nc.publish(Subjects.functionLogs(functionName), batch);
        return;
      }
    } catch (error) {
      for (const record of records) this.onError(error, record);
      return;
    }
    for (const record of records) this.publish(record);
  }

  publish(record: FunctionLogRecord): void {
    try {
      const maxBytes = (this.nc.info?.max_payload ?? 1024 * 1024) - MESSAGE_MARGIN_BYTES;
      const subject = Subjects.functionLogs(record.functionName);
      for (const part of encodeLogRecordParts(record, maxBytes)) this.nc.publish(subject, part);
    } catch (error) {
      this.onError(error, record);
    }
  }
}

// Reading a function's logs back: an ordered consumer on the function's subject from a start time, either
// up to what the stream holds now (`readLogs`) or on and on as new invocations finish (`followLogs`).
import { jetstream, type Consumer, type JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { Streams, Subjects } from "@lambent/protocol";
import { decodeLogRecords } from "./log-record.js";

export interface LogQuery {
  functionName: string;
  /** The first record read is the first stored at or after this time. */
  since: Date;
  /** Only this invocation's lines. */
  requestId?: string;
}

/** One line of a function's log. */
export interface LogEvent {
  /** When the invocation the line belongs to finished, epoch milliseconds. */
  timestamp: number;
  version: string;
  logStreamName: string;
  requestId: string;
  message: string;
  /** The invocation's trace id, when it was traced. */
  traceId?: string;
}

async function orderedConsumer(nc: NatsConnection, query: LogQuery): Promise<Consumer> {
  return jetstream(nc).consumers.get(Streams.logs, {
    filter_subjects: Subjects.functionLogs(query.functionName),
    opt_start_time: query.since.toISOString(),
  });
}

function eventsOf(msg: JsMsg, query: LogQuery): LogEvent[] {
  const events: LogEvent[] = [];
  for (const record of decodeLogRecords(msg.data)) {
    if (query.requestId !== undefined && record.requestId !== query.requestId) continue;
    for (const message of record.lines) {
      const event: LogEvent = { timestamp: record.timestamp, version: record.version, logStreamName: record.logStreamName, requestId: record.requestId, message };
      if (record.traceId !== undefined) event.traceId = record.traceId;
      events.push(event);
    }
  }
  return events;
}

/** The lines stored since the query's time, in order; with `limit`, only the last `limit` of them. */
export async function readLogs(nc: NatsConnection, query: LogQuery, limit = Number.POSITIVE_INFINITY): Promise<LogEvent[]> {
  const consumer = await orderedConsumer(nc, query);
  const stored = (await consumer.info(true)).num_pending;
  const events: LogEvent[] = [];
  if (stored === 0) return events;
  const messages = await consumer.consume();
  let seen = 0;
  try {
    for await (const msg of messages) {
      seen += 1;
      for (const event of eventsOf(msg, query)) events.push(event);
      if (events.length > limit) events.splice(0, events.length - limit);
      // What was stored when the read began has all arrived: later records are left to `followLogs`.
      if (seen >= stored || msg.info.pending === 0) break;
    }
  } finally {
    await messages.close();
  }
  return events;
}

/**
 * The lines stored since the query's time, then each new invocation's lines as they arrive, until
 * `signal` aborts (the iteration then ends without an error).
 */
export async function* followLogs(nc: NatsConnection, query: LogQuery, signal: AbortSignal): AsyncGenerator<LogEvent> {
  if (signal.aborted) return;
  const consumer = await orderedConsumer(nc, query);
  const messages = await consumer.consume();
  const stop = (): void => void messages.close();
  signal.addEventListener("abort", stop, { once: true });
  try {
    for await (const msg of messages) {
      if (signal.aborted) break;
      yield* eventsOf(msg, query);
    }
  } finally {
    signal.removeEventListener("abort", stop);
    await messages.close();
  }
}

/**
 * A start time from `since`: a duration back from `now` (`90s`, `10m`, `2h`, `7d`) or an ISO 8601 time.
 * Undefined when it is neither.
 */
export function parseSince(since: string, now = Date.now()): Date | undefined {
  const relative = /^(\d+)(s|m|h|d)$/.exec(since.trim());
  if (relative) {
    const unitMs = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as "s" | "m" | "h" | "d"];
    return new Date(now - Number(relative[1]) * unitMs);
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(since)) return undefined;
  const time = Date.parse(since);
  return Number.isNaN(time) ? undefined : new Date(time);
}

// What a function's event queue holds now (from the stream) and what happened to its events so far
// (counters the scheduler keeps in KV). Read by the API and the CLI (`lambent queue <fn>`).
import { jetstreamManager } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import { Streams, Subjects, decodeInvocation } from "@lambent/protocol";
import { eventCountersKey } from "@lambent/registry";

/** Outcomes counted per function. */
export interface EventCounters {
  /** Events whose function run succeeded. */
  succeeded: number;
  /** Runs after a failed one (function error or timeout). */
  retried: number;
  /** Events sent to the dead-letter target or the on-failure destination after their last retry or age. */
  deadLettered: number;
  /** Events not run again because they were older than MaximumEventAgeInSeconds. */
  droppedForAge: number;
}

export interface QueueStats extends EventCounters {
  functionName: string;
  /** Events waiting or running (retries waiting out their delay included). */
  depth: number;
  /** Age of the oldest event in the queue, in ms (0 when empty). */
  oldestEventAgeMs: number;
}

export const emptyCounters = (): EventCounters => ({ succeeded: 0, retried: 0, deadLettered: 0, droppedForAge: 0 });

const decoder = new TextDecoder();

export function decodeCounters(value: Uint8Array | undefined): EventCounters {
  const counters = emptyCounters();
  if (!value) return counters;
  try {
    const parsed = JSON.parse(decoder.decode(value)) as Record<string, unknown>;
    for (const name of Object.keys(counters) as (keyof EventCounters)[]) {
      if (typeof parsed[name] === "number") counters[name] = parsed[name] as number;
    }
  } catch {
    // A malformed document counts as zero rather than failing the read.
  }
  return counters;
}

/** Reads one function's queue depth, oldest age and counters. */
export async function readQueueStats(nc: NatsConnection, kv: KV, functionName: string, now = Date.now()): Promise<QueueStats> {
  const jsm = await jetstreamManager(nc);
  const subject = Subjects.asyncEvent(functionName);
  const [info, counters] = await Promise.all([
    jsm.streams.info(Streams.events, { subjects_filter: subject }),
    kv.get(eventCountersKey(functionName)).then((entry) => decodeCounters(entry?.operation === "PUT" ? entry.value : undefined)),
  ]);
  const depth = info.state.subjects?.[subject] ?? 0;
  let oldestEventAgeMs = 0;
  if (depth > 0) {
    const first = await jsm.direct.getMessage(Streams.events, { next_by_subj: subject, seq: 0 }).catch(() => null);
    if (first) {
      try {
        const enqueuedAt = decodeInvocation(first.data).header.event?.enqueuedAt ?? first.time.getTime();
        oldestEventAgeMs = Math.max(0, now - enqueuedAt);
      } catch {
        oldestEventAgeMs = Math.max(0, now - first.time.getTime());
      }
    }
  }
  return { functionName, depth, oldestEventAgeMs, ...counters };
}

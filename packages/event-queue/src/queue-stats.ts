// What a function's event queue holds now (from the stream) and what happened to its events so far
// (counters the scheduler keeps in KV). Read by the API and the CLI (`lambent queue <fn>`).
import { jetstreamManager, type JetStreamManager, type StreamState } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import { Streams, Subjects, decodeInvocation } from "@lambent/protocol";
import { eventCountersKey } from "@lambent/registry/functions";

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
  const first = info.state.messages > 0 ? await jsm.direct.getMessage(Streams.events, { next_by_subj: subject, seq: 0 }).catch(() => null) : null;
  const depth = first ? await subjectDepth(jsm, info.state, subject, first.seq) : 0;
  let oldestEventAgeMs = 0;
  if (first) {
    try {
      const enqueuedAt = decodeInvocation(first.data).header.event?.enqueuedAt ?? first.time.getTime();
      oldestEventAgeMs = Math.max(0, now - enqueuedAt);
    } catch {
      oldestEventAgeMs = Math.max(0, now - first.time.getTime());
    }
  }
  return { functionName, depth, oldestEventAgeMs, ...counters };
}

/**
 * Events stored under one subject. The stream's per-subject count is exact, but nats-server 2.9 sometimes
 * leaves it out of the answer on a work queue whose head has been acknowledged away; then the count is
 * the stream's total when this is its only subject, else an upper bound: the sequences from this
 * subject's first event to its last.
 */
async function subjectDepth(jsm: JetStreamManager, state: StreamState, subject: string, firstSeq: number): Promise<number> {
  const counted = state.subjects?.[subject];
  if (counted !== undefined) return counted;
  if (state.num_subjects === 1) return state.messages;
  const last = await jsm.direct.getMessage(Streams.events, { last_by_subj: subject }).catch(() => null);
  return last ? Math.min(state.messages, last.seq - firstSeq + 1) : 1;
}

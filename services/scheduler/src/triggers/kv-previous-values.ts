// What a KV key held just before a change, for a KV trigger's INSERT/MODIFY and OldImage. JetStream does
// not say, and a bucket that keeps one revision per key (the default) has dropped the previous value by
// the time the change is read. So, in this order:
//   1. the last value this runner saw for the key: loaded for every key when the runner starts (the
//      bucket's current values, up to a bound) and updated with every change it reads;
//   2. a key the start-up load did not hold, when the load was complete, had no value then: a change
//      written after the load is the key's first (INSERT);
//   3. otherwise the bucket's own history of the key, when the bucket keeps more than one revision;
//   4. otherwise unknown (reported as INSERT without an OldImage).
// The memory is bounded (LAMBENT_KV_TRIGGER_CACHE_MB per trigger, keys and values with a per-key
// overhead); past it the least recently changed keys are forgotten, rule 2 no longer holds, and misses go
// to rules 3 and 4.
import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import { Streams, Subjects } from "@lambent/protocol";
import type { KeyValueSource } from "@lambent/registry/triggers";
import type { PreviousValue } from "./events/dynamodb-record.js";

/** What remembering one key costs beyond its key and value bytes (map entry, object, revision). */
const ENTRY_OVERHEAD_BYTES = 128;

interface Seen {
  revision: number;
  /** Undefined: deleted or purged. */
  value: Uint8Array | undefined;
}

export interface PreviousValuesOptions {
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** The watched bucket, bound (for its history). */
  kv: KV;
  source: KeyValueSource;
  /** Memory for remembered values. */
  maxBytes: number;
}

export class KvPreviousValues {
  /** In least recently used order: a key moves to the end when touched. */
  private readonly seen = new Map<string, Seen>();
  private bytes = 0;
  /** True while every key that had a value at load time is in `seen`. */
  private complete = false;
  private history = 1;

  constructor(private readonly options: PreviousValuesOptions) {}

  /** Loads the bucket's current value of every key the trigger watches (up to the bounds). */
  async load(): Promise<void> {
    const { js, jsm, source } = this.options;
    const stream = Streams.keyValue(source.bucket);
    const info = await jsm.streams.info(stream);
    this.history = info.config.max_msgs_per_subject > 0 ? info.config.max_msgs_per_subject : 1;
    this.seen.clear();
    this.bytes = 0;
    this.complete = true;
    const consumer = await js.consumers.get(stream, { filter_subjects: Subjects.keyValueKeys(source.bucket, source.keys), deliver_policy: DeliverPolicy.LastPerSubject });
    try {
      let pending = (await consumer.info()).num_pending;
      const prefix = Subjects.keyValuePrefix(source.bucket);
      while (pending > 0) {
        const batch = await consumer.fetch({ max_messages: Math.min(pending, 1000), expires: 5_000 });
        let received = 0;
        for await (const message of batch) {
          received += 1;
          pending = message.info.pending;
          this.remember(message.subject.slice(prefix.length), message.seq, isRemoval(message.headers?.get("KV-Operation")) ? undefined : message.data);
          if (!this.complete) return;
        }
        if (received === 0) break;
      }
    } finally {
      // A consumer left behind goes away by itself once it has been idle for five minutes.
      await consumer.delete().catch(() => false);
    }
  }

  /** The key's value just before `revision`. */
  async before(key: string, revision: number): Promise<PreviousValue> {
    const seen = this.seen.get(key);
    if (seen && seen.revision < revision) return seen.value === undefined ? { kind: "absent" } : { kind: "value", value: seen.value };
    if (!seen && this.complete) return { kind: "absent" };
    if (this.history > 1) return this.fromHistory(key, revision);
    return { kind: "unknown" };
  }

  /** A change this runner read (or loaded): the key's latest known value, unless it already knows a newer one. */
  remember(key: string, revision: number, value: Uint8Array | undefined): void {
    const current = this.seen.get(key);
    if (current && current.revision >= revision) return;
    if (current) {
      this.bytes -= costOf(key, current);
      this.seen.delete(key);
    }
    const seen = { revision, value };
    this.seen.set(key, seen);
    this.bytes += costOf(key, seen);
    while (this.bytes > this.options.maxBytes && this.seen.size > 0) {
      const [oldestKey, oldest] = this.seen.entries().next().value as [string, Seen];
      this.seen.delete(oldestKey);
      this.bytes -= costOf(oldestKey, oldest);
      this.complete = false;
    }
  }

  /** The latest retained revision of the key before `revision`, from the bucket's own history. */
  private async fromHistory(key: string, revision: number): Promise<PreviousValue> {
    let before: { revision: number; value: Uint8Array | undefined } | undefined;
    let retained = 0;
    for await (const entry of await this.options.kv.history({ key })) {
      retained += 1;
      if (entry.revision < revision && (!before || entry.revision > before.revision)) {
        before = { revision: entry.revision, value: entry.operation === "PUT" ? entry.value : undefined };
      }
    }
    if (before) return before.value === undefined ? { kind: "absent" } : { kind: "value", value: before.value };
    // Fewer revisions than the bucket keeps: none was dropped, so there was none before.
    return retained < this.history ? { kind: "absent" } : { kind: "unknown" };
  }
}

export function isRemoval(operation: string | undefined): boolean {
  return operation === "DEL" || operation === "PURGE";
}

function costOf(key: string, seen: Seen): number {
  return key.length * 2 + (seen.value?.length ?? 0) + ENTRY_OVERHEAD_BYTES;
}

// Metered usage per hour in the `lambent_usage` KV bucket: `<yyyymmdd>.<hh>.<name>.<version token>` (UTC)
// holds the same counters as the running totals (usage-record.ts), for the calls that finished in that hour.
// Workers add to a key with compare-and-set, so any number of them count into one hour; the bucket's max
// age (LAMBENT_USAGE_RETENTION_DAYS) drops an hour that long after its last write. The date leads the key so a
// period is read with one key filter per day.
import type { NatsConnection } from "@nats-io/nats-core";
import { Kvm, type KV } from "@nats-io/kv";
import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Buckets, Streams, Subjects } from "@lambent/protocol";
import { versionFromKeyToken, versionKeyToken } from "./function-name.js";
import { decodeUsage, type UsageCounters } from "./usage-record.js";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
const NANOS_PER_DAY = DAY_MS * 1_000_000;

/** The start (epoch ms) of the UTC hour `time` falls in. */
export const hourStart = (time: number): number => Math.floor(time / HOUR_MS) * HOUR_MS;

/** The start (epoch ms) of the UTC day `time` falls in. */
export const dayStart = (time: number): number => Math.floor(time / DAY_MS) * DAY_MS;

function dayToken(time: number): string {
  return new Date(time).toISOString().slice(0, 10).replaceAll("-", "");
}

/** The last hour's `<yyyymmdd>.<hh>` prefix: workers key every call by it, and it changes once an hour. */
let lastHour = { start: Number.NaN, prefix: "" };

export function usageHourKey(functionName: string, version: string, time: number): string {
  const start = hourStart(time);
  if (start !== lastHour.start) lastHour = { start, prefix: `${dayToken(time)}.${String(new Date(time).getUTCHours()).padStart(2, "0")}` };
  return `${lastHour.prefix}.${functionName}.${versionKeyToken(version)}`;
}

/** Every hour key of the UTC day `time` falls in. */
export const usageDayFilter = (time: number): string => `${dayToken(time)}.>`;

export function parseUsageHourKey(key: string): { hour: number; functionName: string; version: string } | undefined {
  const parts = key.split(".");
  if (parts.length !== 4 || !/^\d{8}$/.test(parts[0]!) || !/^\d{2}$/.test(parts[1]!)) return undefined;
  const day = parts[0]!;
  const hour = Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8)), Number(parts[1]));
  if (!Number.isFinite(hour)) return undefined;
  return { hour, functionName: parts[2]!, version: versionFromKeyToken(parts[3]!) };
}

/**
 * Opens the usage bucket, creating it when missing (max age `retentionDays`). With `applyRetention` (the
 * frontends, whose credentials may update streams; workers' may not) an existing bucket's max age is brought
 * in line too. Idempotent; every worker and frontend calls it at start.
 */
export async function openUsageBucket(nc: NatsConnection, options: { retentionDays: number; replicas: number; applyRetention: boolean }): Promise<KV> {
  const { retentionDays, replicas } = options;
  const maxAge = retentionDays * NANOS_PER_DAY;
  const kvm = new Kvm(nc);
  const kv = await kvm.create(Buckets.usage, { history: 1, storage: "file", replicas, ttl: retentionDays * DAY_MS });
  if (!options.applyRetention) return kv;
  const jsm = await jetstreamManager(nc);
  const stream = Streams.keyValue(Buckets.usage);
  const info = await jsm.streams.info(stream);
  if (info.config.max_age !== maxAge) await jsm.streams.update(stream, { ...info.config, max_age: maxAge });
  return kv;
}

/**
 * Every hour document of the UTC day `time` falls in, read with one ordered consumer (the last value per
 * key, values included), rather than a key listing and a get per key. A missing bucket reads as nothing.
 */
export async function readUsageDay(nc: NatsConnection, time: number): Promise<{ hour: number; functionName: string; version: string; counters: UsageCounters }[]> {
  const prefix = Subjects.keyValuePrefix(Buckets.usage);
  let consumer;
  try {
    consumer = await jetstream(nc).consumers.get(Streams.keyValue(Buckets.usage), {
      filter_subjects: `${prefix}${usageDayFilter(time)}`,
      deliver_policy: DeliverPolicy.LastPerSubject,
    });
  } catch (error) {
    if (/stream not found/i.test(String(error))) return [];
    throw error;
  }
  const stored = (await consumer.info(true)).num_pending;
  const read: { hour: number; functionName: string; version: string; counters: UsageCounters }[] = [];
  if (stored === 0) return read;
  const messages = await consumer.consume();
  let seen = 0;
  try {
    for await (const msg of messages) {
      seen += 1;
      const key = parseUsageHourKey(msg.subject.slice(prefix.length));
      // A deleted or purged key (an operator's doing; workers only add) reads as absent.
      const operation = msg.headers?.get("KV-Operation");
      if (key && !operation) read.push({ ...key, counters: decodeUsage(msg.data) });
      if (seen >= stored || msg.info.pending === 0) break;
    }
  } finally {
    await messages.close();
  }
  return read;
}

// Functions' metrics history on JetStream (`LAMBENT_METRICS`, subjects `lambent.metrics.<function>`,
// kept METRICS_RETENTION_HOURS): writers add up each minute in memory and publish what changed every few
// seconds with core NATS (nothing is written per call), and readers sum a function's records per minute:
// its totals, or the version series of calls that named an alias or version (CloudWatch's `Resource` and
// `ExecutedVersion` dimensions) when a reader asks for those.
import { DiscardPolicy, RetentionPolicy, StorageType, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { Streams, Subjects } from "@lambent/protocol";
import { MINUTE_MS, addMinute, decodeMinutes, durationBucketOf, emptyMinute, emptySeriesMinute, encodeMinutes, minuteOf, recordMatches, type MetricsDimensions, type MinuteMetrics } from "./metric-minutes.js";

export const METRICS_RETENTION_HOURS = 6;
/** A bound on the stream whatever the traffic: past it the oldest minutes go first. */
const METRICS_MAX_BYTES = 256 * 1024 * 1024;
export const METRICS_FLUSH_INTERVAL_MS = 5_000;
/** The qualifier of a call that named none: such calls count in the function's totals only, as CloudWatch's. */
const UNQUALIFIED = "$LATEST";
/**
 * Version series a writer keeps between two flushes, per function and in all: a function's versions and
 * aliases are few, so these bound a writer's memory and records, not real traffic. A call past them counts
 * in its function's totals only, and the flush reports how many did.
 */
export const MAX_SERIES_PER_FUNCTION = 32;
export const MAX_SERIES = 4_096;

/** Creates the stream when missing (idempotent; every writer calls it at start). */
export async function ensureMetricsStream(nc: NatsConnection, replicas: number): Promise<void> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(Streams.metrics);
    return;
  } catch {
    // Missing: created below.
  }
  try {
    await jsm.streams.add({
      name: Streams.metrics,
      subjects: [Subjects.functionMetricsAll],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: METRICS_RETENTION_HOURS * 3_600 * 1_000_000_000,
      max_bytes: METRICS_MAX_BYTES,
      num_replicas: replicas,
    });
  } catch (error) {
    // Another service created it meanwhile.
    if (!/already in use|already exists/i.test(String(error))) throw error;
  }
}

/** A function's version series between two flushes: by qualifier, then executed version, the minutes of each. */
interface FunctionSeries {
  count: number;
  byQualifier: Map<string, Map<string, MinuteMetrics[]>>;
}

/**
 * A writer's minutes not yet published. Each call costs a map lookup and a few additions (a call naming an
 * alias or version, three more lookups for its series); `flush` (every METRICS_FLUSH_INTERVAL_MS once
 * started) publishes one message per function with its changed minutes, totals and series.
 */
export class MetricsRecorder {
  private pending = new Map<string, Map<number, MinuteMetrics>>();
  private series = new Map<string, FunctionSeries>();
  private seriesCount = 0;
  private dropped = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly onError: (error: unknown) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * A call that ran: its duration and whether it ended in a function error; with the qualifier it named
   * and the version it ran on, its version series counts it too (not for an unqualified call).
   */
  ran(functionName: string, durationMs: number, failed: boolean, qualifier?: string, executedVersion?: string): void {
    const bucket = durationBucketOf(durationMs);
    const start = minuteOf(this.now());
    const minute = this.minute(functionName, start);
    minute.invocations += 1;
    if (failed) minute.errors += 1;
    minute.durationBuckets[bucket]! += 1;
    const series = this.seriesMinute(functionName, qualifier, executedVersion, start);
    if (series === undefined) return;
    series.invocations += 1;
    if (failed) series.errors += 1;
    series.durationBuckets[bucket]! += 1;
  }

  /** A call admission turned away; its series too when the qualifier and the version it resolved to are given. */
  throttled(functionName: string, qualifier?: string, version?: string): void {
    const start = minuteOf(this.now());
    this.minute(functionName, start).throttles += 1;
    const series = this.seriesMinute(functionName, qualifier, version, start);
    if (series !== undefined) series.throttles += 1;
  }

  /** A sample of the slots the function holds now; the minute keeps the highest. */
  concurrency(functionName: string, slots: number): void {
    if (slots <= 0 && !this.pending.get(functionName)?.has(minuteOf(this.now()))) return;
    const minute = this.minute(functionName, minuteOf(this.now()));
    minute.concurrency = Math.max(minute.concurrency, slots);
  }

  start(): void {
    this.timer ??= setInterval(() => this.flush(), METRICS_FLUSH_INTERVAL_MS);
    this.timer.unref?.();
  }

  /** Stops the timer and publishes what is pending. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
  }

  /** Publishes every pending minute, one message per function; never throws (a lost flush is reported). */
  flush(): void {
    const pending = this.pending;
    const series = this.series;
    const dropped = this.dropped;
    this.pending = new Map();
    this.series = new Map();
    this.seriesCount = 0;
    this.dropped = 0;
    for (const [functionName, minutes] of pending) {
      const records = [...minutes.values()];
      for (const versions of series.get(functionName)?.byQualifier.values() ?? []) for (const seriesMinutes of versions.values()) records.push(...seriesMinutes);
      try {
        this.nc.publish(Subjects.functionMetrics(functionName), encodeMinutes(records));
      } catch (error) {
        this.onError(error);
      }
    }
    if (dropped > 0) this.onError(new Error(`${dropped} calls counted in their functions' totals only: past ${MAX_SERIES_PER_FUNCTION} version series for a function or ${MAX_SERIES} in all`));
  }

  /** The version series' current minute of a call that named `qualifier`; undefined for an unqualified call, or past the caps. */
  private seriesMinute(functionName: string, qualifier: string | undefined, executedVersion: string | undefined, start: number): MinuteMetrics | undefined {
    if (qualifier === undefined || executedVersion === undefined || qualifier === UNQUALIFIED) return undefined;
    let ofFunction = this.series.get(functionName);
    let versions = ofFunction?.byQualifier.get(qualifier);
    let minutes = versions?.get(executedVersion);
    if (minutes === undefined) {
      if (this.seriesCount >= MAX_SERIES || (ofFunction?.count ?? 0) >= MAX_SERIES_PER_FUNCTION) {
        this.dropped += 1;
        return undefined;
      }
      if (ofFunction === undefined) this.series.set(functionName, (ofFunction = { count: 0, byQualifier: new Map() }));
      if (versions === undefined) ofFunction.byQualifier.set(qualifier, (versions = new Map()));
      versions.set(executedVersion, (minutes = []));
      ofFunction.count += 1;
      this.seriesCount += 1;
    }
    const last = minutes[minutes.length - 1];
    if (last !== undefined && last.minute === start) return last;
    const minute = emptySeriesMinute(functionName, qualifier, executedVersion, start);
    minutes.push(minute);
    return minute;
  }

  private minute(functionName: string, start: number): MinuteMetrics {
    let minutes = this.pending.get(functionName);
    if (!minutes) this.pending.set(functionName, (minutes = new Map()));
    let minute = minutes.get(start);
    if (!minute) minutes.set(start, (minute = emptyMinute(functionName, start)));
    return minute;
  }
}

/** Past this many stored records in the range, several functions are read one consumer each instead. */
export const SHARED_READ_MAX_RECORDS = 2_000;

/**
 * Several functions' minutes at once (readMetricsHistory for each): the console's list asks for a page of
 * rows in one call. When the whole history holds few records in the range (most functions idle), one
 * consumer over every function's subject reads them all and keeps those asked for; otherwise each
 * function is read by its own consumer, side by side (a consumer filtered to several subjects needs
 * nats-server 2.10, and Lambent runs on 2.9).
 */
export async function readMetricsHistories(
  nc: NatsConnection,
  functionNames: readonly string[],
  since: Date,
  until = new Date(),
  sharedReadMaxRecords = SHARED_READ_MAX_RECORDS,
): Promise<Map<string, MinuteMetrics[]>> {
  const unique = [...new Set(functionNames)];
  const shared = unique.length > 1 ? await readMinutes(nc, Subjects.functionMetricsAll, unique, since, until, sharedReadMaxRecords) : undefined;
  if (shared) return shared;
  const histories = await Promise.all(unique.map((functionName) => readMetricsHistory(nc, functionName, since, until)));
  return new Map(unique.map((functionName, index) => [functionName, histories[index]!]));
}

/**
 * A function's minutes from `since` up to `until`, one per minute with zeros where nothing was recorded,
 * each the sum of every writer's records: its totals, or with `dimensions` the sum of its version series
 * that match them (every executed version of an alias, one version of it, one version whatever named it). A stream that does not exist yet reads as all zeros.
 */
export async function readMetricsHistory(nc: NatsConnection, functionName: string, since: Date, until = new Date(), dimensions?: MetricsDimensions): Promise<MinuteMetrics[]> {
  return (await readMinutes(nc, Subjects.functionMetrics(functionName), [functionName], since, until, Number.POSITIVE_INFINITY, dimensions))!.get(functionName)!;
}

/** The minutes of `functionNames` among the records on `subject`; undefined when more than `maxRecords` are stored in the range. */
async function readMinutes(
  nc: NatsConnection,
  subject: string,
  functionNames: readonly string[],
  since: Date,
  until: Date,
  maxRecords: number,
  dimensions?: MetricsDimensions,
): Promise<Map<string, MinuteMetrics[]> | undefined> {
  const first = minuteOf(since.getTime());
  const last = minuteOf(until.getTime());
  const histories = new Map<string, MinuteMetrics[]>();
  for (const functionName of functionNames) {
    const minutes: MinuteMetrics[] = [];
    for (let minute = first; minute <= last; minute += MINUTE_MS) minutes.push(emptyMinute(functionName, minute));
    histories.set(functionName, minutes);
  }
  let consumer;
  try {
    // A minute's records are published during or just after it, so none is stored before its start.
    consumer = await jetstream(nc).consumers.get(Streams.metrics, { filter_subjects: subject, opt_start_time: new Date(first).toISOString() });
  } catch (error) {
    if (/stream not found/i.test(String(error))) return histories;
    throw error;
  }
  const stored = (await consumer.info(true)).num_pending;
  if (stored === 0) return histories;
  if (stored > maxRecords) return undefined;
  const messages = await consumer.consume();
  let seen = 0;
  try {
    for await (const msg of messages) {
      seen += 1;
      for (const record of decodeMinutes(msg.data)) {
        const minutes = histories.get(record.functionName);
        if (!minutes || record.minute < first || record.minute > last || !recordMatches(record, dimensions)) continue;
        addMinute(minutes[(record.minute - first) / MINUTE_MS]!, record);
      }
      if (seen >= stored || msg.info.pending === 0) break;
    }
  } finally {
    await messages.close();
  }
  return histories;
}

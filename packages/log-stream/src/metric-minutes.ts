// A function's metrics for one minute, as one writer saw them (a worker's runs, the leading scheduler's
// throttles and concurrency) and as a reader sums them: counts, durations in fixed buckets, and the
// highest concurrency sampled. Pure data and arithmetic; the stream is metrics-stream.ts.

export const MINUTE_MS = 60_000;

/**
 * Upper bounds of the duration buckets, in milliseconds; one more bucket counts what is above the last.
 * Fixed, so records from every writer add up bucket by bucket.
 */
export const DURATION_BOUNDS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 300_000, 900_000] as const;

export interface MinuteMetrics {
  functionName: string;
  /**
   * Present on a record of one version series (CloudWatch's `Resource` and `ExecutedVersion` dimensions):
   * the calls that named `qualifier` (an alias or a version) and ran on `executedVersion`. A record without
   * them is the function's total, which counts those calls too.
   */
  qualifier?: string;
  executedVersion?: string;
  /** The minute's start, epoch milliseconds (a multiple of MINUTE_MS). */
  minute: number;
  /** Calls that reached a worker and ran (or failed to start), whatever their outcome. */
  invocations: number;
  /** Of those, the ones that ended in a function error (Unhandled, timeout, init failure). */
  errors: number;
  /** Calls admission turned away with TooManyRequestsException (a queued event each time it is turned back). */
  throttles: number;
  /** How many runs' durations fell in each bucket of DURATION_BOUNDS_MS (one longer: the overflow). */
  durationBuckets: number[];
  /** The most concurrency slots held at once that a sample saw in the minute. */
  concurrency: number;
}

export function minuteOf(timeMs: number): number {
  return Math.floor(timeMs / MINUTE_MS) * MINUTE_MS;
}

export function emptyMinute(functionName: string, minute: number): MinuteMetrics {
  return { functionName, minute, invocations: 0, errors: 0, throttles: 0, durationBuckets: new Array<number>(DURATION_BOUNDS_MS.length + 1).fill(0), concurrency: 0 };
}

/** A version series' empty minute: the calls that named `qualifier` and ran `executedVersion`. */
export function emptySeriesMinute(functionName: string, qualifier: string, executedVersion: string, minute: number): MinuteMetrics {
  return { ...emptyMinute(functionName, minute), qualifier, executedVersion };
}

/** Which records a reader sums: the function's totals (no filter), or its version series that match. */
export interface MetricsDimensions {
  /** CloudWatch's `Resource` without the function: the alias or version the calls named. */
  qualifier?: string;
  /** CloudWatch's `ExecutedVersion`: the version the calls ran on. */
  executedVersion?: string;
}

/** Whether a record counts for a read with `dimensions`: a total for a read without any, a matching series otherwise. */
export function recordMatches(record: MinuteMetrics, dimensions: MetricsDimensions | undefined): boolean {
  if (dimensions === undefined || (dimensions.qualifier === undefined && dimensions.executedVersion === undefined)) return record.executedVersion === undefined;
  if (record.executedVersion === undefined) return false;
  return (dimensions.qualifier === undefined || dimensions.qualifier === record.qualifier) && (dimensions.executedVersion === undefined || dimensions.executedVersion === record.executedVersion);
}

export function durationBucketOf(durationMs: number): number {
  const index = DURATION_BOUNDS_MS.findIndex((bound) => durationMs <= bound);
  return index === -1 ? DURATION_BOUNDS_MS.length : index;
}

/**
 * Adds `from` into `into`: counts and buckets sum; concurrency takes the higher, as one writer (the
 * leading scheduler, which counts the cluster's slots) samples it and may flush a minute more than once.
 */
export function addMinute(into: MinuteMetrics, from: MinuteMetrics): void {
  into.invocations += from.invocations;
  into.errors += from.errors;
  into.throttles += from.throttles;
  into.concurrency = Math.max(into.concurrency, from.concurrency);
  for (let i = 0; i < into.durationBuckets.length; i += 1) into.durationBuckets[i]! += from.durationBuckets[i] ?? 0;
}

/**
 * The duration under which a fraction `q` (0–1) of the runs fell, as the upper bound of the bucket that
 * holds it (so an estimate that never understates); undefined with no runs. The overflow bucket answers
 * the last bound.
 */
export function durationPercentile(buckets: readonly number[], q: number): number | undefined {
  const total = buckets.reduce((sum, count) => sum + count, 0);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < buckets.length; i += 1) {
    seen += buckets[i]!;
    if (seen >= rank) return DURATION_BOUNDS_MS[Math.min(i, DURATION_BOUNDS_MS.length - 1)]!;
  }
  return DURATION_BOUNDS_MS[DURATION_BOUNDS_MS.length - 1]!;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeMinutes(records: readonly MinuteMetrics[]): Uint8Array {
  return encoder.encode(JSON.stringify(records));
}

const isCount = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value) && value >= 0;

/** The records of one message; anything malformed in it is skipped, never thrown. */
export function decodeMinutes(data: Uint8Array): MinuteMetrics[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(data));
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const records: MinuteMetrics[] = [];
  for (const item of parsed as unknown[]) {
    if (typeof item !== "object" || item === null) continue;
    const record = item as Record<string, unknown>;
    const buckets = record["durationBuckets"];
    if (
      typeof record["functionName"] !== "string" ||
      !isCount(record["minute"]) ||
      !isCount(record["invocations"]) ||
      !isCount(record["errors"]) ||
      !isCount(record["throttles"]) ||
      !isCount(record["concurrency"]) ||
      !Array.isArray(buckets) ||
      buckets.length !== DURATION_BOUNDS_MS.length + 1 ||
      !buckets.every(isCount)
    ) {
      continue;
    }
    const qualifier = record["qualifier"];
    const executedVersion = record["executedVersion"];
    // A series names both or neither; a half-named one is skipped, never counted as a total.
    if ((qualifier === undefined) !== (executedVersion === undefined) || (qualifier !== undefined && (typeof qualifier !== "string" || typeof executedVersion !== "string"))) continue;
    records.push({
      functionName: record["functionName"],
      ...(typeof qualifier === "string" && typeof executedVersion === "string" ? { qualifier, executedVersion } : {}),
      minute: record["minute"],
      invocations: record["invocations"],
      errors: record["errors"],
      throttles: record["throttles"],
      durationBuckets: buckets,
      concurrency: record["concurrency"],
    });
  }
  return records;
}

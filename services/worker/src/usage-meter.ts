// Usage metering: requests, billed milliseconds and MB·ms per function version, gathered in memory from
// each invocation's billing and added about once a second by BatchedCounters, with compare-and-set, so
// workers never overwrite each other, to two KV documents: the version's running total
// (`usage.<fn>.<version>` in the functions bucket) and the hour's (`<yyyymmdd>.<hh>.<fn>.<version>` in the
// usage bucket; see @lambent/registry). Nothing is written per call.
import type { KV } from "@nats-io/kv";
import { BatchedCounters } from "@lambent/registry/kv";
import { decodeUsage, emptyUsage, usageHourKey, usageKey, type UsageCounters } from "@lambent/registry/usage";
import type { Logger } from "@lambent/telemetry";
import type { InvocationLog, InvocationLogSink } from "./log-buffer.js";

export const USAGE_FLUSH_INTERVAL_MS = 1000;

export class UsageMeter implements InvocationLogSink {
  private readonly totals: BatchedCounters<UsageCounters>;
  private readonly hours: BatchedCounters<UsageCounters>;

  /** `functions` holds the running totals, `usage` the hourly buckets; `now` dates each call (tests move it). */
  constructor(functions: KV, usage: KV, logger: Logger, flushIntervalMs = USAGE_FLUSH_INTERVAL_MS, private readonly now: () => number = Date.now) {
    const counters = (kv: KV): BatchedCounters<UsageCounters> =>
      new BatchedCounters({
        kv,
        empty: emptyUsage,
        decode: decodeUsage,
        intervalMs: flushIntervalMs,
        onWriteFailed: (key, delta, error) => logger.warn("usage not recorded", { key, requests: delta.requests, err: error }),
      });
    this.totals = counters(functions);
    this.hours = counters(usage);
  }

  write(log: InvocationLog): void {
    const billing = log.billing;
    if (!billing) return;
    const count = (delta: UsageCounters): void => {
      delta.requests += 1;
      delta.billedDurationMs += billing.billedDurationMs;
      delta.megabyteMilliseconds += billing.memorySizeMb * billing.billedDurationMs;
    };
    this.totals.add(usageKey(log.functionName, log.version), count);
    this.hours.add(usageHourKey(log.functionName, log.version, this.now()), count);
  }

  /** Adds every pending delta to KV; resolves when written (a failed write is logged and its delta dropped). */
  async flush(): Promise<void> {
    await Promise.all([this.totals.flush(), this.hours.flush()]);
  }
}

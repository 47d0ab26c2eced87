// Usage metering: requests, billed milliseconds and MB·ms per function version, gathered in memory from
// each invocation's billing and added to the version's KV document (`usage.<fn>.<version>`, see
// @lambent/registry) about once a second by BatchedCounters, with compare-and-set, so workers never
// overwrite each other. Nothing is written per call.
import type { KV } from "@nats-io/kv";
import { BatchedCounters } from "@lambent/registry/kv";
import { decodeUsage, emptyUsage, usageKey, type UsageCounters } from "@lambent/registry/usage";
import type { Logger } from "@lambent/telemetry";
import type { InvocationLog, InvocationLogSink } from "./log-buffer.js";

export const USAGE_FLUSH_INTERVAL_MS = 1000;

export class UsageMeter implements InvocationLogSink {
  private readonly counters: BatchedCounters<UsageCounters>;

  constructor(kv: KV, logger: Logger, flushIntervalMs = USAGE_FLUSH_INTERVAL_MS) {
    this.counters = new BatchedCounters({
      kv,
      empty: emptyUsage,
      decode: decodeUsage,
      intervalMs: flushIntervalMs,
      onWriteFailed: (key, delta, error) => logger.warn("usage not recorded", { key, requests: delta.requests, err: error }),
    });
  }

  write(log: InvocationLog): void {
    const billing = log.billing;
    if (!billing) return;
    this.counters.add(usageKey(log.functionName, log.version), (delta) => {
      delta.requests += 1;
      delta.billedDurationMs += billing.billedDurationMs;
      delta.megabyteMilliseconds += billing.memorySizeMb * billing.billedDurationMs;
    });
  }

  /** Adds every pending delta to KV; resolves when written (a failed write is logged and its delta dropped). */
  flush(): Promise<void> {
    return this.counters.flush();
  }
}

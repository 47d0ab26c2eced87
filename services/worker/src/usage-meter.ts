// Usage metering: requests, billed milliseconds and MB·ms per function version, gathered in memory from
// each invocation's billing and added to the version's KV document (`usage.<fn>.<version>`, see
// @lambent/registry) about once a second with compare-and-set, so workers never overwrite each other.
// Nothing is written per call.
import type { KV } from "@nats-io/kv";
import { addUsage, decodeUsage, emptyUsage, updateByRevision, usageKey, type UsageCounters } from "@lambent/registry";
import type { Logger } from "@lambent/telemetry";
import type { InvocationLog, InvocationLogSink } from "./log-buffer.js";

export const USAGE_FLUSH_INTERVAL_MS = 1000;

export class UsageMeter implements InvocationLogSink {
  private pending = new Map<string, UsageCounters>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly kv: KV,
    private readonly logger: Logger,
    private readonly flushIntervalMs = USAGE_FLUSH_INTERVAL_MS,
  ) {}

  write(log: InvocationLog): void {
    const billing = log.billing;
    if (!billing) return;
    const key = usageKey(log.functionName, log.version);
    let delta = this.pending.get(key);
    if (!delta) {
      delta = emptyUsage();
      this.pending.set(key, delta);
    }
    delta.requests += 1;
    delta.billedDurationMs += billing.billedDurationMs;
    delta.megabyteMilliseconds += billing.memorySizeMb * billing.billedDurationMs;
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Adds every pending delta to KV; resolves when written (a failed write is logged and its delta dropped). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.flushing.then(async () => {
      for (const [key, delta] of batch) {
        try {
          await this.add(key, delta);
        } catch (error) {
          this.logger.warn("usage not recorded", { key, requests: delta.requests, err: error });
        }
      }
    });
    return this.flushing;
  }

  private async add(key: string, delta: UsageCounters): Promise<void> {
    await updateByRevision(this.kv, key, { decode: (_key, value) => decodeUsage(value) }, (stored) => {
      const total = stored ?? emptyUsage();
      addUsage(total, delta);
      return total;
    });
  }
}

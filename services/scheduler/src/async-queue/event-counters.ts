// Per-function counts of what happened to events, gathered in memory and added to their KV documents
// once a second (BatchedCounters: compare-and-set, so a takeover never loses or doubles a flush that landed).
import type { KV } from "@nats-io/kv";
import { decodeCounters, emptyCounters, type EventCounters } from "@lambent/event-queue";
import { BatchedCounters } from "@lambent/registry/kv";
import { eventCountersKey } from "@lambent/registry/functions";
import type { Logger } from "@lambent/telemetry";

const FLUSH_INTERVAL_MS = 1000;

export class EventCounterBook {
  private readonly counters: BatchedCounters<EventCounters>;

  constructor(kv: KV, logger: Logger) {
    this.counters = new BatchedCounters({
      kv,
      empty: emptyCounters,
      decode: decodeCounters,
      intervalMs: FLUSH_INTERVAL_MS,
      onWriteFailed: (key, _delta, error) => logger.warn("event counters not written", { key, err: error }),
    });
  }

  count(functionName: string, outcome: keyof EventCounters): void {
    this.counters.add(eventCountersKey(functionName), (delta) => {
      delta[outcome] += 1;
    });
  }

  /**
   * Counts a rare outcome (a retry, a dead letter, a drop) and writes it before returning, so anyone who
   * sees the outcome's effect (a dead letter arriving) also sees it counted.
   */
  async countNow(functionName: string, outcome: keyof EventCounters): Promise<void> {
    this.count(functionName, outcome);
    await this.flush();
  }

  /** Writes every pending count now. */
  flush(): Promise<void> {
    return this.counters.flush();
  }
}

// Per-function counts of what happened to events, gathered in memory and added to their KV documents
// once a second (compare-and-set, so a takeover never loses or doubles a flush that landed).
import type { KV } from "@nats-io/kv";
import { decodeCounters, emptyCounters, type EventCounters } from "@lambent/event-queue";
import { eventCountersKey, updateByRevision } from "@lambent/registry";
import type { Logger } from "@lambent/telemetry";

const FLUSH_INTERVAL_MS = 1000;

export class EventCounterBook {
  private pending = new Map<string, EventCounters>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly kv: KV,
    private readonly logger: Logger,
  ) {}

  count(functionName: string, outcome: keyof EventCounters): void {
    let counters = this.pending.get(functionName);
    if (!counters) {
      counters = emptyCounters();
      this.pending.set(functionName, counters);
    }
    counters[outcome] += 1;
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
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
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.flushing.then(async () => {
      for (const [functionName, delta] of batch) {
        try {
          await this.add(functionName, delta);
        } catch (error) {
          this.logger.warn("event counters not written", { functionName, err: error });
        }
      }
    });
    return this.flushing;
  }

  private async add(functionName: string, delta: EventCounters): Promise<void> {
    await updateByRevision(this.kv, eventCountersKey(functionName), { decode: (_key, value) => decodeCounters(value) }, (stored) => {
      const current = stored ?? emptyCounters();
      for (const name of Object.keys(delta) as (keyof EventCounters)[]) current[name] += delta[name];
      return current;
    });
  }
}

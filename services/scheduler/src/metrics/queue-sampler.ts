// Samples the event queue of each function that had events lately, while this scheduler leads: depth
// and the oldest event's age, for `lambent_async_queue_depth` and `lambent_async_oldest_event_age_seconds`.
// One stream read per tracked function every few seconds; a function is dropped once its queue is empty
// and it has had no event for a while.
import type { QueueStats } from "@lambent/event-queue";
import type { Logger } from "@lambent/telemetry";

export const QUEUE_SAMPLE_INTERVAL_MS = 5_000;
/** A function with an empty queue stops being sampled this long after its last event. */
const FORGET_AFTER_MS = 60_000;
/** At most this many functions are sampled; past it, newly seen ones wait until others are forgotten. */
const MAX_TRACKED = 1000;

export interface QueueSample {
  depth: number;
  oldestEventAgeMs: number;
}

export interface QueueSamplerOptions {
  isLeading: () => boolean;
  read: (functionName: string) => Promise<Pick<QueueStats, "depth" | "oldestEventAgeMs">>;
  logger: Logger;
  now?: () => number;
  intervalMs?: number;
}

export class QueueSampler {
  /** When each tracked function last had an event. */
  private readonly lastSeen = new Map<string, number>();
  private readonly latest = new Map<string, QueueSample>();
  private timer: NodeJS.Timeout | undefined;
  private sampling = false;

  constructor(private readonly options: QueueSamplerOptions) {}

  /** Notes that `functionName` has events (called as the runner meets one). */
  seen(functionName: string): void {
    if (this.lastSeen.size >= MAX_TRACKED && !this.lastSeen.has(functionName)) return;
    this.lastSeen.set(functionName, this.now());
  }

  /** The latest sample per function (none while not leading). */
  samples(): ReadonlyMap<string, QueueSample> {
    return this.latest;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.sample(), this.options.intervalMs ?? QUEUE_SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round: every tracked function's queue read once (public so tests can run a round). */
  async sample(): Promise<void> {
    if (!this.options.isLeading()) {
      this.latest.clear();
      return;
    }
    if (this.sampling) return;
    this.sampling = true;
    try {
      for (const [functionName, seenAt] of this.lastSeen) {
        try {
          const { depth, oldestEventAgeMs } = await this.options.read(functionName);
          this.latest.set(functionName, { depth, oldestEventAgeMs });
          if (depth === 0 && this.now() - seenAt > FORGET_AFTER_MS) {
            this.lastSeen.delete(functionName);
            this.latest.delete(functionName);
          }
        } catch (error) {
          this.options.logger.debug("event queue not sampled", { functionName, err: error });
        }
      }
    } finally {
      this.sampling = false;
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

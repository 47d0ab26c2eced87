// Counts gathered in memory and added to their KV documents in batches: nothing is written per count; each
// key's pending delta is added by compare-and-set about once an interval, so any number of processes
// count into one document without losing or doubling a flush that landed.
import { updateByRevision, type RevisionedKv } from "./compare-and-set.js";

export interface BatchedCountersOptions<C> {
  kv: RevisionedKv;
  /** All counts zero. */
  empty: () => C;
  /** A stored document; anything malformed in it reads as zero rather than failing the flush. */
  decode: (value: Uint8Array) => C;
  /** How long counts wait after the first of a batch before they are written. */
  intervalMs: number;
  /** A key's delta could not be written: it is dropped, and this says so. */
  onWriteFailed: (key: string, delta: C, error: unknown) => void;
}

/** Named counts per KV key; `C` is a document of numbers, such as UsageCounters. */
export class BatchedCounters<C extends Record<keyof C, number>> {
  private pending = new Map<string, C>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly options: BatchedCountersOptions<C>) {}

  /** `count` adds to the delta pending for `key`; the first count of a batch sets the flush timer. */
  add(key: string, count: (delta: C) => void): void {
    let delta = this.pending.get(key);
    if (!delta) {
      delta = this.options.empty();
      this.pending.set(key, delta);
    }
    count(delta);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.options.intervalMs);
      // The owner flushes when it stops; a pending batch alone does not keep the process up.
      this.timer.unref();
    }
  }

  /** Adds every pending delta to KV; resolves when written (a failed write is reported and its delta dropped). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.flushing.then(async () => {
      for (const [key, delta] of batch) {
        try {
          await this.write(key, delta);
        } catch (error) {
          this.options.onWriteFailed(key, delta, error);
        }
      }
    });
    return this.flushing;
  }

  private async write(key: string, delta: C): Promise<void> {
    const { empty, decode } = this.options;
    await updateByRevision(this.options.kv, key, { decode: (_key, value) => decode(value) }, (stored) => {
      const total = stored ?? empty();
      for (const name of Object.keys(delta) as (keyof C)[]) (total as Record<keyof C, number>)[name] += delta[name];
      return total;
    });
  }
}

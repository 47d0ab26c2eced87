// KV writes that tell an observer what they wrote and at which revision. A frontend's registry view
// observes its own stores, so it reads its own writes at once instead of after its watch catches up.

import type { KV, KvEntry } from "@nats-io/kv";
import type { RevisionedKv } from "./compare-and-set.js";

export interface WriteObserver {
  /** `key` now holds `value` (undefined: deleted) as of KV `revision`. */
  written(key: string, value: Uint8Array | undefined, revision: number): void;
}

const encoder = new TextEncoder();

/** Reads go straight to KV; creates, updates, deletes and purges are told to the observer. */
export class ObservedWrites implements RevisionedKv {
  constructor(
    private readonly kv: KV,
    private readonly observer: WriteObserver | undefined,
  ) {}

  get(key: string): Promise<KvEntry | null> {
    return this.kv.get(key);
  }

  /** Fails with "wrong last sequence" when the key exists. */
  async create(key: string, value: string | Uint8Array): Promise<number> {
    const bytes = typeof value === "string" ? encoder.encode(value) : value;
    const revision = await this.kv.create(key, bytes);
    this.observer?.written(key, bytes, revision);
    return revision;
  }

  /** Compare-and-set: fails with "wrong last sequence" unless the key is still at `previousRevision`. */
  async update(key: string, value: string | Uint8Array, previousRevision: number): Promise<number> {
    const bytes = typeof value === "string" ? encoder.encode(value) : value;
    const revision = await this.kv.update(key, bytes, previousRevision);
    this.observer?.written(key, bytes, revision);
    return revision;
  }

  async delete(key: string): Promise<void> {
    await this.kv.delete(key);
    await this.observeRemoval(key);
  }

  async purge(key: string): Promise<void> {
    await this.kv.purge(key);
    await this.observeRemoval(key);
  }

  /** KV's delete and purge do not return the marker's revision: read it back, only when someone listens. */
  private async observeRemoval(key: string): Promise<void> {
    if (!this.observer) return;
    const marker = await this.kv.get(key);
    if (marker) this.observer.written(key, undefined, marker.revision);
  }
}

/** One observer that tells each of several (a frontend's registry view and its function names) of every write. */
export function observeAll(...observers: WriteObserver[]): WriteObserver {
  return {
    written(key, value, revision) {
      for (const observer of observers) observer.written(key, value, revision);
    },
  };
}

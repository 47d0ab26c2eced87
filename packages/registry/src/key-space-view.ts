// A watch-fed copy of one KV key space (`route.>`, `trigger.>`, `esm.>`) for the resources a service
// enumerates: the frontend serves every route, the leading scheduler runs every trigger and mapping. The
// whole space is loaded before `start` resolves, then kept current by a watch; every entry keeps its KV
// revision, so an update older than what the copy holds (a late watch delivery after a fresh read) is
// ignored. Listeners hear each change once, with the value before and after.
import type { KV, KvWatchEntry } from "@nats-io/kv";
import type { QueuedIterator } from "@nats-io/nats-core";
import type { WriteObserver } from "./observed-writes.js";

export type KeySpaceListener<T> = (key: string, value: T | undefined, previous: T | undefined) => void;

export interface KeySpaceViewOptions<T> {
  /** A KV key filter, e.g. `trigger.>`. */
  filter: string;
  /** Parses a stored value; a throw marks the key unreadable, and it is left out (and `onMalformed` told). */
  decode(key: string, value: Uint8Array): T;
  onMalformed?(key: string, error: unknown): void;
}

interface Revisioned<T> {
  value: T | undefined;
  revision: number;
}

export class KeySpaceView<T> implements WriteObserver {
  private readonly entries = new Map<string, Revisioned<T>>();
  private readonly listeners: KeySpaceListener<T>[] = [];
  private watcher: QueuedIterator<KvWatchEntry> | undefined;

  constructor(
    private readonly kv: KV,
    private readonly options: KeySpaceViewOptions<T>,
  ) {}

  /** Watches first, then reads every key, so no change between the two is missed. */
  async start(): Promise<void> {
    this.watcher = await this.kv.watch({ key: this.options.filter });
    void this.follow(this.watcher);
    const keys: string[] = [];
    for await (const key of await this.kv.keys(this.options.filter)) keys.push(key);
    await Promise.all(
      keys.map(async (key) => {
        const entry = await this.kv.get(key);
        if (entry) this.written(key, entry.operation === "PUT" ? entry.value : undefined, entry.revision);
      }),
    );
  }

  stop(): void {
    this.watcher?.stop();
    this.watcher = undefined;
  }

  get(key: string): T | undefined {
    return this.entries.get(key)?.value;
  }

  /** Every present entry, by key. */
  *values(): IterableIterator<[string, T]> {
    for (const [key, entry] of this.entries) if (entry.value !== undefined) yield [key, entry.value];
  }

  /** Called after every change; a listener added before `start` also hears each entry as it loads. */
  onChange(listener: KeySpaceListener<T>): void {
    this.listeners.push(listener);
  }

  /** A write this process made, or an entry read or watched: kept unless the copy is already as new. */
  written(key: string, value: Uint8Array | undefined, revision: number): void {
    const current = this.entries.get(key);
    if (current && current.revision >= revision) return;
    let decoded: T | undefined;
    if (value !== undefined) {
      try {
        decoded = this.options.decode(key, value);
      } catch (error) {
        this.options.onMalformed?.(key, error);
      }
    }
    this.entries.set(key, { value: decoded, revision });
    if (current?.value === undefined && decoded === undefined) return;
    for (const listener of this.listeners) listener(key, decoded, current?.value);
  }

  private async follow(watcher: QueuedIterator<KvWatchEntry>): Promise<void> {
    for await (const entry of watcher) this.written(entry.key, entry.operation === "PUT" ? entry.value : undefined, entry.revision);
  }
}

// A watch-fed copy of one KV key space (`route.>`, `trigger.>`, `esm.>`) for the resources a service
// enumerates: the frontend serves every route, the leading scheduler runs every trigger and mapping. The
// whole space is loaded before `start` resolves, then kept current by a watch; every entry keeps its KV
// revision, so an update older than what the copy holds (a late watch delivery after a fresh read) is
// ignored. Listeners hear each change once, with the value before and after. A view of keys only (the
// names a listing pages through) watches the messages' headers and never reads a value.
import type { KV, KvWatchEntry } from "@nats-io/kv";
import type { QueuedIterator } from "@nats-io/nats-core";
import type { WriteObserver } from "./observed-writes.js";
import { listKeys } from "./kv-keys.js";

export type KeySpaceListener<T> = (key: string, value: T | undefined, previous: T | undefined) => void;

export interface KeySpaceViewOptions<T> {
  /** A KV key filter, e.g. `trigger.>`. */
  filter: string;
  /** Parses a stored value; a throw marks the key unreadable, and it is left out (and `onMalformed` told). */
  decode(key: string, value: Uint8Array): T;
  onMalformed?(key: string, error: unknown): void;
  /** Only which keys hold a value matters: `decode` is given an empty value, and no value is read or sent. */
  keysOnly?: boolean;
}

const NO_VALUE = new Uint8Array(0);

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
    const keysOnly = this.options.keysOnly === true;
    this.watcher = await this.kv.watch({ key: this.options.filter, headers_only: keysOnly });
    void this.follow(this.watcher);
    const keys: string[] = [];
    keys.push(...(await listKeys(this.kv, this.options.filter)));
    // A listed key holds a value; at revision 0 it gives way to anything the watch brings, which ends at
    // each key's latest message.
    if (keysOnly) {
      for (const key of keys) this.written(key, NO_VALUE, 0);
      return;
    }
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
        decoded = this.options.decode(key, this.options.keysOnly === true ? NO_VALUE : value);
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

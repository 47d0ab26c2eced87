// A byte-capped LRU of immutable, content-addressed objects (bundles, unzipped packages): an entry never
// goes stale, so it stays until the cap evicts the least recently used one. Concurrent misses for the
// same name share one load. A hit answers synchronously, so the warm path awaits nothing.

export interface ContentCacheOptions<V> {
  /** Loads an object by name; undefined when the store does not have it. */
  load(name: string): Promise<V | undefined>;
  /** The size an entry counts for against the cap. */
  sizeOf(value: V): number;
  maxBytes: number;
}

export class ContentCache<V> {
  private readonly entries = new Map<string, V>();
  private readonly loading = new Map<string, Promise<V | undefined>>();
  private bytes = 0;

  constructor(private readonly options: ContentCacheOptions<V>) {}

  get(name: string): V | Promise<V | undefined> {
    const hit = this.entries.get(name);
    if (hit !== undefined) {
      // Re-inserting moves the entry to the most recently used end.
      this.entries.delete(name);
      this.entries.set(name, hit);
      return hit;
    }
    let pending = this.loading.get(name);
    if (!pending) {
      pending = this.load(name).finally(() => this.loading.delete(name));
      this.loading.set(name, pending);
    }
    return pending;
  }

  get size(): number {
    return this.entries.size;
  }

  private async load(name: string): Promise<V | undefined> {
    const value = await this.options.load(name);
    if (value === undefined) return undefined;
    this.entries.set(name, value);
    this.bytes += this.options.sizeOf(value);
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.options.maxBytes || this.entries.size <= 1) break;
      this.entries.delete(oldest);
      this.bytes -= this.options.sizeOf(entry);
    }
    return value;
  }
}

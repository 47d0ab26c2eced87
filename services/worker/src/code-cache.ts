// Bundle text by object name. Names are content-addressed (`bundle/<sha256>`), so an entry never goes
// stale: it is kept until the byte cap evicts the least recently used one. Concurrent misses for the
// same bundle share one fetch.
import type ivm from "isolated-vm";

export interface BundleSource {
  getBundle(objectName: string): Promise<string | undefined>;
}

export interface CachedBundle {
  objectName: string;
  code: string;
  /** V8's code cache for this text, filled after the first compile so later isolates parse faster. */
  compileCache?: ivm.ExternalCopy<ArrayBuffer>;
}

export const DEFAULT_CODE_CACHE_BYTES = 512 * 1024 * 1024;

export class CodeCache {
  private readonly entries = new Map<string, CachedBundle>();
  private readonly fetching = new Map<string, Promise<CachedBundle | undefined>>();
  private bytes = 0;

  constructor(
    private readonly source: BundleSource,
    private readonly maxBytes: number = DEFAULT_CODE_CACHE_BYTES,
  ) {}

  /** The bundle, or undefined when the code bucket does not have it. */
  get(objectName: string): CachedBundle | Promise<CachedBundle | undefined> {
    const hit = this.entries.get(objectName);
    if (hit) {
      this.entries.delete(objectName);
      this.entries.set(objectName, hit);
      return hit;
    }
    let pending = this.fetching.get(objectName);
    if (!pending) {
      pending = this.fetch(objectName);
      this.fetching.set(objectName, pending);
    }
    return pending;
  }

  get size(): number {
    return this.entries.size;
  }

  private async fetch(objectName: string): Promise<CachedBundle | undefined> {
    try {
      const code = await this.source.getBundle(objectName);
      if (code === undefined) return undefined;
      const entry: CachedBundle = { objectName, code };
      this.entries.set(objectName, entry);
      this.bytes += code.length;
      this.evict();
      return entry;
    } finally {
      this.fetching.delete(objectName);
    }
  }

  private evict(): void {
    for (const [name, entry] of this.entries) {
      if (this.bytes <= this.maxBytes || this.entries.size <= 1) return;
      this.entries.delete(name);
      this.bytes -= entry.code.length;
    }
  }
}

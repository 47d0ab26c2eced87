// Bundle text by object name. Names are content-addressed (`bundle/<sha256>`), so an entry never goes
// stale: it is kept until the byte cap evicts the least recently used one. Concurrent misses for the
// same bundle share one fetch. Each bundle carries the worker's SandboxHost, so the environment that runs
// it reaches the host's services (packages, fetch policy) through the code it was given.
import type ivm from "isolated-vm";
import type { SandboxHost } from "./host/sandbox-host.js";
import type { PackageSource } from "./host/package-files.js";
import type { SourceMapSource } from "./trace-maps.js";

/** Built bundles, their source maps and deployment packages by object name (a CodeStore). */
export interface BundleSource extends PackageSource, SourceMapSource {
  getBundle(objectName: string): Promise<string | undefined>;
}

/** Matches the bundler's built-in imports of `fs` and `fs/promises`, which need the package's files. */
const READS_FILES = /__lambentRequire\("(?:node:)?fs(?:\/promises)?"\)/;

export interface CachedBundle {
  objectName: string;
  code: string;
  /** V8's code cache for this text, filled after the first compile so later isolates parse faster. */
  compileCache?: ivm.ExternalCopy<ArrayBuffer>;
  /** Whether the code imports `fs`: only then does a cold start wait for the package's files. */
  readsFiles: boolean;
  host: SandboxHost;
}

export const DEFAULT_CODE_CACHE_BYTES = 512 * 1024 * 1024;

export class CodeCache {
  private readonly entries = new Map<string, CachedBundle>();
  private readonly fetching = new Map<string, Promise<CachedBundle | undefined>>();
  private bytes = 0;

  constructor(
    private readonly source: BundleSource,
    private readonly host: SandboxHost,
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
      const entry: CachedBundle = { objectName, code, readsFiles: READS_FILES.test(code), host: this.host };
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

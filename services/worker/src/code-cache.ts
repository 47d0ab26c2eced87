// Bundle text by object name (content-addressed `bundle/<sha256>`, so cached until the byte cap evicts
// it). Each bundle carries the worker's SandboxHost, so the environment that runs it reaches the host's
// services (packages, fetch policy) through the code it was given.
import type ivm from "isolated-vm";
import type { SandboxHost } from "./host/sandbox-host.js";
import type { PackageSource } from "./host/package-files.js";
import type { SourceMapSource } from "./trace-maps.js";
import { ContentCache } from "./content-cache.js";

/** Built bundles, their source maps and deployment packages by object name (a CodeStore). */
export interface BundleSource extends PackageSource, SourceMapSource {
  getBundle(objectName: string): Promise<string | undefined>;
}

/**
 * Matches the bundler's built-in imports of `fs` and `fs/promises`, and its computed requires (resolved
 * from the package's files when they run), which need the package's files.
 */
const READS_FILES = /__lambentRequire\("(?:node:)?fs(?:\/promises)?"\)|__lambentRequireFrom\(/;

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
  private readonly cache: ContentCache<CachedBundle>;

  constructor(source: BundleSource, host: SandboxHost, maxBytes: number = DEFAULT_CODE_CACHE_BYTES) {
    this.cache = new ContentCache<CachedBundle>({
      load: async (objectName) => {
        const code = await source.getBundle(objectName);
        return code === undefined ? undefined : { objectName, code, readsFiles: READS_FILES.test(code), host };
      },
      sizeOf: (bundle) => bundle.code.length,
      maxBytes,
    });
  }

  /** The bundle, or undefined when the code bucket does not have it. */
  get(objectName: string): CachedBundle | Promise<CachedBundle | undefined> {
    return this.cache.get(objectName);
  }

  get size(): number {
    return this.cache.size;
  }
}

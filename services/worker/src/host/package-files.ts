// Deployment packages indexed once per sandbox process and kept by object name (content-addressed, so an
// entry never goes stale) until a byte cap evicts the least recently used. They back the read-only
// /var/task every environment of a version sees. Concurrent misses for one package share one fetch. A
// file is inflated the first time any environment reads it, not when the package is indexed.
import { posix } from "node:path";
import { unzipSync } from "fflate";
import { ContentCache } from "../content-cache.js";
import { readZipIndex } from "./zip-index.js";

export interface PackageSource {
  getPackage(objectName: string): Promise<Uint8Array | undefined>;
}

/** A package's files by path under the task root (a Map will do). */
export interface PackageFiles {
  get(path: string): Uint8Array | undefined;
  has(path: string): boolean;
}

/** A package's files by path under the task root, and each directory's entries (in name order). */
export interface PackageTree {
  files: PackageFiles;
  directories: Map<string, Set<string>>;
  /** What the package holds unzipped, for the cache's byte cap. */
  bytes: number;
}

/** Files inflated on first read and kept. */
class LazyFiles implements PackageFiles {
  private readonly inflated = new Map<string, Uint8Array>();

  constructor(private readonly entries: Map<string, () => Uint8Array>) {}

  get(path: string): Uint8Array | undefined {
    const done = this.inflated.get(path);
    if (done) return done;
    const read = this.entries.get(path);
    if (!read) return undefined;
    const data = read();
    this.inflated.set(path, data);
    return data;
  }

  has(path: string): boolean {
    return this.entries.has(path);
  }
}

export const DEFAULT_PACKAGE_CACHE_BYTES = 256 * 1024 * 1024;

export function packageTree(zip: Uint8Array): PackageTree {
  const index = readZipIndex(zip);
  // A layout the index does not read (ZIP64, unusual compression) is unzipped whole, as before.
  const entries = index
    ? index.map((entry) => ({ name: entry.name, size: entry.size, read: entry.read }))
    : Object.entries(unzipSync(zip)).map(([name, data]) => ({ name, size: data.length, read: () => data }));
  const files = new Map<string, () => Uint8Array>();
  const directories = new Map<string, Set<string>>([["", new Set()]]);
  let bytes = 0;
  // Makes a directory and links it into its parent, up the tree until a link is there already (a zip
  // need not list directories, and a deep file's ancestors may be new at every level).
  const addDirectory = (path: string): void => {
    let child = path;
    while (child !== "") {
      if (!directories.has(child)) directories.set(child, new Set());
      const parent = posix.dirname(child) === "." ? "" : posix.dirname(child);
      const siblings = directories.get(parent) ?? new Set<string>();
      if (siblings.has(posix.basename(child))) return;
      siblings.add(posix.basename(child));
      directories.set(parent, siblings);
      child = parent;
    }
  };
  for (const { name, size, read } of entries) {
    const path = posix.normalize(name.replace(/\\/g, "/")).replace(/^(\.\/)+|\/+$/g, "");
    if (path === "" || path === "." || path.startsWith("..") || path.startsWith("/")) continue;
    if (name.endsWith("/")) {
      addDirectory(path);
      continue;
    }
    const parent = posix.dirname(path) === "." ? "" : posix.dirname(path);
    addDirectory(parent);
    directories.get(parent)?.add(posix.basename(path));
    files.set(path, read);
    bytes += size;
  }
  // Listed in name order, as Lambda's file system lists a package.
  for (const [path, names] of directories) directories.set(path, new Set([...names].sort()));
  return { files: new LazyFiles(files), directories, bytes: bytes + zip.length };
}

/** Layers merged as Lambda unpacks them under /opt, in order: a later layer's file replaces an earlier one's. */
export function mergeTrees(trees: readonly PackageTree[]): PackageTree {
  const directories = new Map<string, Set<string>>();
  for (const tree of trees) {
    for (const [path, names] of tree.directories) {
      const merged = directories.get(path) ?? new Set<string>();
      for (const name of names) merged.add(name);
      directories.set(path, merged);
    }
  }
  for (const [path, names] of directories) directories.set(path, new Set([...names].sort()));
  const bytes = trees.reduce((sum, tree) => sum + tree.bytes, 0);
  return { files: new LayeredFiles(trees.map((tree) => tree.files)), directories, bytes };
}

/** The files of several layers seen as one, the last layer's file first; each stays inflated on first read. */
class LayeredFiles implements PackageFiles {
  constructor(private readonly layers: readonly PackageFiles[]) {}

  get(path: string): Uint8Array | undefined {
    for (let index = this.layers.length - 1; index >= 0; index--) {
      const layer = this.layers[index]!;
      if (layer.has(path)) return layer.get(path);
    }
    return undefined;
  }

  has(path: string): boolean {
    return this.layers.some((layer) => layer.has(path));
  }
}

export class PackageCache {
  private readonly cache: ContentCache<PackageTree>;

  constructor(source: PackageSource, maxBytes: number = DEFAULT_PACKAGE_CACHE_BYTES) {
    this.cache = new ContentCache<PackageTree>({
      load: async (objectName) => {
        const zip = await source.getPackage(objectName);
        return zip ? packageTree(zip) : undefined;
      },
      sizeOf: (tree) => tree.bytes,
      maxBytes,
    });
  }

  /** The unzipped package, or undefined when the code bucket does not have it. */
  get(objectName: string): PackageTree | Promise<PackageTree | undefined> {
    return this.cache.get(objectName);
  }

  /** A function's layers (their zips' object names, in order) merged into the tree /opt shows. */
  async layers(objectNames: readonly string[]): Promise<PackageTree> {
    const trees = await Promise.all(objectNames.map((name) => this.cache.get(name)));
    return mergeTrees(trees.filter((tree): tree is PackageTree => tree !== undefined));
  }
}

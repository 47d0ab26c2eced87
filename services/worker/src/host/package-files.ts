// Deployment packages unzipped once per worker and kept by object name (content-addressed, so an entry
// never goes stale) until a byte cap evicts the least recently used. They back the read-only /var/task
// every environment of a version sees. Concurrent misses for one package share one fetch.
import { posix } from "node:path";
import { unzipSync } from "fflate";
import { ContentCache } from "../content-cache.js";

export interface PackageSource {
  getPackage(objectName: string): Promise<Uint8Array | undefined>;
}

/** A package's files by path under the task root, and each directory's entries (in name order). */
export interface PackageTree {
  files: Map<string, Uint8Array>;
  directories: Map<string, Set<string>>;
  bytes: number;
}

export const DEFAULT_PACKAGE_CACHE_BYTES = 256 * 1024 * 1024;

export function packageTree(zip: Uint8Array): PackageTree {
  const entries = unzipSync(zip);
  const files = new Map<string, Uint8Array>();
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
  for (const [name, data] of Object.entries(entries)) {
    const path = posix.normalize(name.replace(/\\/g, "/")).replace(/^(\.\/)+|\/+$/g, "");
    if (path === "" || path === "." || path.startsWith("..") || path.startsWith("/")) continue;
    if (name.endsWith("/")) {
      addDirectory(path);
      continue;
    }
    const parent = posix.dirname(path) === "." ? "" : posix.dirname(path);
    addDirectory(parent);
    directories.get(parent)?.add(posix.basename(path));
    files.set(path, data);
    bytes += data.length;
  }
  // Listed in name order, as Lambda's file system lists a package.
  for (const [path, names] of directories) directories.set(path, new Set([...names].sort()));
  return { files, directories, bytes };
}

/** Layers merged as Lambda unpacks them under /opt, in order: a later layer's file replaces an earlier one's. */
export function mergeTrees(trees: readonly PackageTree[]): PackageTree {
  const files = new Map<string, Uint8Array>();
  const directories = new Map<string, Set<string>>();
  for (const tree of trees) {
    for (const [path, data] of tree.files) files.set(path, data);
    for (const [path, names] of tree.directories) {
      const merged = directories.get(path) ?? new Set<string>();
      for (const name of names) merged.add(name);
      directories.set(path, merged);
    }
  }
  let bytes = 0;
  for (const data of files.values()) bytes += data.length;
  for (const [path, names] of directories) directories.set(path, new Set([...names].sort()));
  return { files, directories, bytes };
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

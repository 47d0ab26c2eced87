// Native addons a bundle needs though no require names their `.node` file in the code: a package the bundle
// includes ships one, or installs one as its own dependency and loads it by a name built when it runs
// (sharp 0.34: `require(`@img/sharp-${platform}/sharp.node`)`). Such a package deploys and then fails at its
// first call, so it is refused at deploy instead, naming the package.
import { readFileSync } from "node:fs";
import { join, posix } from "node:path";
import type { Metafile } from "esbuild";

/** Lambent's answer to any native addon, at deploy. */
export const NATIVE_ADDON_REASON = "Lambent runs JavaScript and WebAssembly, not native addons";

interface PackageJson {
  name?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** The package folder a package path lies in (`node_modules/@img/sharp-linux-x64`), or "" for the function's own files. */
export function packageFolderOf(path: string): string {
  const parts = path.split("/");
  const at = parts.lastIndexOf("node_modules");
  if (at === -1 || at + 1 >= parts.length - 1) return "";
  const length = parts[at + 1]!.startsWith("@") ? 3 : 2;
  return parts.slice(0, at + length).join("/");
}

/**
 * Each native addon the bundle needs, as `<package>: native addon (<file>)`. A package counts as needed when
 * the handler reaches it through imports that its importer does not declare optional (an optional peer
 * dependency or an optional dependency, as ws declares bufferutil and pg declares pg-native: the importer
 * works without it). A needed package's addons are its own `.node` files and those of the packages it
 * depends on but does not import by a written name: it may load them by a computed one.
 * @param root the package's folder on disk (its files are there while it is built)
 * @param nodeFiles every `.node` file of the package and its layers, by package path
 */
export function neededNativeAddons(root: string, metafile: Metafile, nodeFiles: readonly string[]): string[] {
  if (nodeFiles.length === 0) return [];
  const manifests = new Map<string, PackageJson>();
  const manifest = (folder: string): PackageJson => {
    let found = manifests.get(folder);
    if (!found) {
      try {
        found = JSON.parse(readFileSync(join(root, folder, "package.json"), "utf8")) as PackageJson;
      } catch {
        // A folder without a readable package.json declares nothing.
        found = {};
      }
      manifests.set(folder, found);
    }
    return found;
  };
  const nameOf = (folder: string): string => manifest(folder).name ?? folder.slice(folder.lastIndexOf("node_modules/") + "node_modules/".length);
  const optionalFor = (importer: string, imported: string): boolean => {
    if (importer === "") return false;
    const declared = manifest(importer);
    const name = nameOf(imported);
    return declared.peerDependenciesMeta?.[name]?.optional === true || declared.optionalDependencies?.[name] !== undefined;
  };

  // The entry's imports are recorded under `<stdin>`, in the function's own folder "".
  const edges = new Map<string, Set<string>>();
  for (const [input, { imports }] of Object.entries(metafile.inputs)) {
    if (input.includes(":")) continue;
    const from = packageFolderOf(input);
    for (const imported of imports) {
      if (imported.external || imported.path.includes(":")) continue;
      const to = packageFolderOf(imported.path);
      if (to === from) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)!.add(to);
    }
  }
  const needed = new Set<string>([""]);
  const queue = [""];
  for (let folder = queue.shift(); folder !== undefined; folder = queue.shift()) {
    for (const to of edges.get(folder) ?? []) {
      if (needed.has(to) || optionalFor(folder, to)) continue;
      needed.add(to);
      queue.push(to);
    }
  }

  const owners = new Map<string, string[]>();
  for (const file of nodeFiles) {
    const owner = packageFolderOf(file);
    if (owner === "") continue;
    owners.set(owner, [...(owners.get(owner) ?? []), file]);
  }
  const found: string[] = [];
  for (const folder of needed) {
    if (folder === "") continue;
    for (const file of owners.get(folder) ?? []) found.push(`${nameOf(folder)}: native addon (${file})`);
    const declared = manifest(folder);
    for (const dependency of Object.keys({ ...declared.dependencies, ...declared.optionalDependencies })) {
      const installed = installedFolder(root, folder, dependency);
      // One it imports by a written name was judged by its import above (an optional one is left alone).
      if (installed === undefined || installed === folder || edges.get(folder)?.has(installed)) continue;
      for (const file of owners.get(installed) ?? []) found.push(`${nameOf(folder)}: native addon (${file})`);
    }
  }
  return [...new Set(found)];
}

/** Where Node finds package `name` from `folder`: its own node_modules, then each one above it. */
function installedFolder(root: string, folder: string, name: string): string | undefined {
  for (let directory = folder; ; directory = posix.dirname(directory)) {
    if (posix.basename(directory) !== "node_modules") {
      const candidate = directory === "." || directory === "" ? `node_modules/${name}` : `${directory}/node_modules/${name}`;
      try {
        readFileSync(join(root, candidate, "package.json"));
        return candidate;
      } catch {
        // not installed here: look one folder up
      }
    }
    if (directory === "." || directory === "" || directory === "/") return undefined;
  }
}

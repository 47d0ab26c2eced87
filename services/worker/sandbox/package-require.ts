// The require of one package file, for names computed at run time (the bundler points such uses here:
// packages/bundler/src/dynamic-require.ts). A name resolves from the file's folder as Node resolves it
// (relative paths, node_modules folders up to the root, then the layers' /opt/nodejs paths; `main`,
// `index.js`, the `.js`, `.json` and `.cjs` extensions). A file the deploy bundled is answered with the
// bundle's own instance (moment's locale files require the moment the function already holds); any other
// file of the package is read from /var/task, JSON parsed, JavaScript run as a CommonJS module, once.
import { hasBuiltin, lambentRequire } from "./modules.js";

const TASK_ROOT = "/var/task";
const LAYER_MODULE_PATHS = ["/opt/nodejs/node20/node_modules", "/opt/nodejs/node_modules"];
const EXTENSIONS = [".js", ".json", ".cjs"];

type BundledModules = () => Record<string, () => unknown>;

interface PackageModule {
  id: string;
  filename: string;
  exports: unknown;
  loaded: boolean;
  children: unknown[];
  paths: string[];
  require?: RequireFunction;
}

interface RequireFunction {
  (name: unknown): unknown;
  resolve: ((name: unknown) => string) & { paths: (name: unknown) => string[] | null };
  cache: Record<string, PackageModule>;
  main: undefined;
}

interface FsView {
  statSync(path: string, options: { throwIfNoEntry: false }): { isFile(): boolean; isDirectory(): boolean } | undefined;
  readFileSync(path: string, encoding: "utf8"): string;
}
interface PathView {
  dirname(path: string): string;
  resolve(...paths: string[]): string;
  join(...paths: string[]): string;
  relative(from: string, to: string): string;
}

const cache: Record<string, PackageModule> = Object.create(null) as Record<string, PackageModule>;
const requires = new Map<string, RequireFunction>();

const fs = (): FsView => lambentRequire("fs") as FsView;
const path = (): PathView => lambentRequire("path") as PathView;

function isFile(file: string): boolean {
  return fs().statSync(file, { throwIfNoEntry: false })?.isFile() === true;
}

function asFile(base: string): string | undefined {
  if (isFile(base)) return base;
  for (const extension of EXTENSIONS) if (isFile(base + extension)) return base + extension;
  return undefined;
}

function asDirectory(base: string): string | undefined {
  const manifest = path().join(base, "package.json");
  if (isFile(manifest)) {
    let main: unknown;
    try {
      main = (JSON.parse(fs().readFileSync(manifest, "utf8")) as { main?: unknown }).main;
    } catch {
      // A package.json that is not JSON names no main; Node then looks for index.js too.
      main = undefined;
    }
    if (typeof main === "string" && main !== "") {
      const target = path().resolve(base, main);
      const found = asFile(target) ?? asIndex(target);
      if (found) return found;
    }
  }
  return asIndex(base);
}

function asIndex(base: string): string | undefined {
  for (const extension of EXTENSIONS) if (isFile(path().join(base, `index${extension}`))) return path().join(base, `index${extension}`);
  return undefined;
}

/** Node's lookup folders for a bare name: each node_modules from the folder up to the root, then the layers'. */
function moduleFolders(from: string): string[] {
  const folders: string[] = [];
  for (let directory = from; ; directory = path().dirname(directory)) {
    if (!directory.endsWith("/node_modules")) folders.push(path().join(directory, "node_modules"));
    if (directory === "/") break;
  }
  return [...folders, ...LAYER_MODULE_PATHS];
}

function notFound(name: string, from: string): Error {
  const error = new Error(`Cannot find module '${name}'\nRequire stack:\n- ${from}`) as Error & { code?: string; requireStack?: string[] };
  error.code = "MODULE_NOT_FOUND";
  error.requireStack = [from];
  return error;
}

function resolveName(name: string, fromFile: string): string {
  if (hasBuiltin(name)) return name;
  const from = path().dirname(fromFile);
  if (name.startsWith("./") || name.startsWith("../") || name.startsWith("/") || name === "." || name === "..") {
    const base = path().resolve(from, name);
    const found = asFile(base) ?? asDirectory(base);
    if (found) return found;
    throw notFound(name, fromFile);
  }
  for (const folder of moduleFolders(from)) {
    const base = path().join(folder, name);
    const found = asFile(base) ?? asDirectory(base);
    if (found) return found;
  }
  throw notFound(name, fromFile);
}

function load(filename: string, bundled: BundledModules): unknown {
  const known = cache[filename];
  if (known) return known.exports;
  // The bundle names its files by their path from the package root, layers' as ../../opt/….
  const loader = bundled()[path().relative(TASK_ROOT, filename)];
  const module: PackageModule = { id: filename, filename, exports: {}, loaded: false, children: [], paths: moduleFolders(path().dirname(filename)) };
  if (loader) {
    module.exports = loader();
    module.loaded = true;
    cache[filename] = module;
    return module.exports;
  }
  const source = fs().readFileSync(filename, "utf8");
  cache[filename] = module;
  try {
    if (filename.endsWith(".json")) {
      module.exports = JSON.parse(source);
    } else {
      module.require = requireFrom(filename, bundled);
      const body = `${source.startsWith("#!") ? `//${source}` : source}\n//# sourceURL=${filename}`;
      const wrapper = new Function("exports", "require", "module", "__filename", "__dirname", body) as (...args: unknown[]) => void;
      wrapper.call(module.exports, module.exports, module.require, module, filename, path().dirname(filename));
    }
  } catch (error) {
    delete cache[filename];
    throw error;
  }
  module.loaded = true;
  return module.exports;
}

/** `packageFile` is the file's path from the package root, as the bundler names it. */
export function requireFrom(packageFile: string, bundled: BundledModules): RequireFunction {
  const fromFile = packageFile.startsWith("/") ? packageFile : path().resolve(TASK_ROOT, packageFile);
  const existing = requires.get(fromFile);
  if (existing) return existing;
  const resolve = (name: unknown): string => resolveName(String(name), fromFile);
  const require = ((name: unknown): unknown => {
    const resolved = resolve(name);
    return hasBuiltin(resolved) ? lambentRequire(resolved) : load(resolved, bundled);
  }) as RequireFunction;
  require.resolve = Object.assign(resolve, { paths: (name: unknown) => (hasBuiltin(String(name)) ? null : moduleFolders(path().dirname(fromFile))) });
  require.cache = cache;
  require.main = undefined;
  requires.set(fromFile, require);
  return require;
}

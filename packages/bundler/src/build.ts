// Bundles a package's handler module and everything it imports into one ES module with no imports:
//   <bundled code> export { userModule }
//   //# debugId=<id of its source map>
// where userModule is the handler file's namespace (CommonJS exports appear on it and on `default`).
// Node built-ins resolve to `globalThis.__lambentRequire(name)`, which the isolate's runtime provides.
// TypeScript (.ts, .mts, .cts) compiles on the way. The source map, kept apart from the code so isolates
// never hold it, names files by their path in the package.
import { createHash } from "node:crypto";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { build, type Message } from "esbuild";
import { invalidParameter } from "@lambent/errors";
import { bundledModulesTable } from "./dynamic-require.js";
import { HANDLER_EXTENSIONS, parseHandler } from "./handler.js";
import { NATIVE_ADDON_REASON, neededNativeAddons } from "./native-addons.js";
import { isolateBuiltins, nativeAddons, packageLocations, packagePath } from "./plugins.js";
import { nameRuntimeFiles, runtimeSdk } from "./runtime-sdk.js";
import type { PackageFiles } from "./unpack.js";

export interface BuiltBundle {
  /** The ES module text the worker compiles. */
  code: string;
  /** Source map v3 of `code` (JSON text); `sources` are paths inside the package, e.g. `src/app.ts`. */
  sourceMap: string;
  /** The handler's source file inside the package, e.g. `index.mjs`. */
  handlerFile: string;
}

export function findHandlerFile(files: PackageFiles, handler: string): string {
  const { modulePath } = parseHandler(handler);
  for (const extension of HANDLER_EXTENSIONS) {
    if (files.has(modulePath + extension)) return modulePath + extension;
  }
  throw invalidParameter(
    `Handler '${handler}': file ${modulePath}.js (or ${HANDLER_EXTENSIONS.slice(1).join(", ")}) not found in the deployment package`,
  );
}

/**
 * Layers (a function's `Layers`, in order) are laid out as Lambda unpacks them under /opt, a later layer's
 * files over an earlier one's, with `/opt/nodejs/node20/node_modules` and `/opt/nodejs/node_modules` on the
 * module path after the package's own `node_modules`, as Lambda's NODE_PATH puts them.
 */
export async function buildBundle(files: PackageFiles, handler: string, layers: readonly PackageFiles[] = []): Promise<BuiltBundle> {
  const handlerFile = findHandlerFile(files, handler);
  // `<tmp>/var/task` and `<tmp>/opt`: a layer file's path from the package root is `../../opt/…`, which
  // the source map and `__dirname` resolve against /var/task to where the function sees it.
  const top = await mkdtemp(join(tmpdir(), "lambent-build-"));
  const root = join(top, "var", "task");
  const opt = join(top, "opt");
  try {
    await writePackage(root, files);
    for (const layer of layers) await writePackage(opt, layer);
    const result = await build({
      stdin: {
        contents: `import * as userModule from ${JSON.stringify("./" + handlerFile)};\nexport { userModule };\n`,
        resolveDir: root,
        sourcefile: "lambent-entry.js",
        loader: "js",
      },
      absWorkingDir: root,
      outfile: join(root, BUNDLE_FILE),
      bundle: true,
      write: false,
      metafile: true,
      sourcemap: "external",
      sourcesContent: false,
      format: "esm",
      platform: "node",
      target: "es2022",
      logLevel: "silent",
      legalComments: "none",
      // Scope hoisting renames clashing names (`handler2`); keeping `.name` keeps the user's function and
      // class names in stack traces, error types and code that reads `constructor.name`.
      keepNames: true,
      nodePaths: layers.length > 0 ? [join(opt, "nodejs", "node20", "node_modules"), join(opt, "nodejs", "node_modules")] : [],
      plugins: [isolateBuiltins, runtimeSdk, nativeAddons(root), packageLocations(root)],
    }).catch((error: unknown) => {
      throw buildFailure(error, root);
    });
    const nodeFiles = [
      ...[...files.keys()].filter((path) => path.endsWith(".node")),
      ...layers.flatMap((layer) => [...layer.keys()].filter((path) => path.endsWith(".node")).map((path) => packagePath(root, join(opt, path)))),
    ];
    const addons = neededNativeAddons(root, result.metafile, nodeFiles);
    if (addons.length > 0) {
      const more = addons.length > 1 ? ` (and ${addons.length - 1} more)` : "";
      throw invalidParameter(`Could not build the deployment package: ${addons[0]}; ${NATIVE_ADDON_REASON}${more}`);
    }
    const code = result.outputFiles.find((file) => file.path.endsWith(".js"));
    const map = result.outputFiles.find((file) => file.path.endsWith(".js.map"));
    if (!code || !map) throw invalidParameter("Could not build the deployment package: no output");
    // Appended, so the source map's lines stay as they are.
    const bundled = code.text + bundledModulesTable(code.text);
    return { ...linkSourceMap(nameRuntimeFiles(bundled, root), map.text, root), handlerFile };
  } finally {
    await rm(top, { recursive: true, force: true });
  }
}

async function writePackage(root: string, files: PackageFiles): Promise<void> {
  await mkdir(root, { recursive: true });
  const directories = new Set<string>();
  for (const path of files.keys()) directories.add(dirname(join(root, path)));
  for (const directory of directories) await mkdir(directory, { recursive: true });
  await Promise.all([...files].map(([path, bytes]) => writeFile(join(root, path), bytes)));
}

/** The bundle's name while it is built; the map's `sources` are relative to it, i.e. to the package root. */
const BUNDLE_FILE = "lambent-bundle.js";

/**
 * Ties the code to its map with a debug id (the TC39 source map proposal's `//# debugId=`) taken from the
 * map's hash. Code and map are stored content-addressed, and equal code can come from differently laid-out
 * sources; with the id in the code, one bundle's hash names exactly one map.
 */
function linkSourceMap(code: string, mapText: string, root: string): { code: string; sourceMap: string } {
  const map = JSON.parse(mapText) as { file?: string; sources: string[]; debugId?: string };
  delete map.file;
  map.sources = map.sources.map((source) => packagePath(root, resolve(root, source)));
  const hex = createHash("sha256").update(JSON.stringify(map)).digest("hex");
  const debugId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  map.debugId = debugId;
  return { code: `${code.endsWith("\n") ? code : `${code}\n`}//# debugId=${debugId}\n`, sourceMap: JSON.stringify(map) };
}

function buildFailure(error: unknown, root: string): Error {
  const messages = (error as { errors?: Message[] }).errors ?? [];
  const first = messages?.[0];
  if (!first) return invalidParameter(`Could not build the deployment package: ${error instanceof Error ? error.message : String(error)}`);
  const where = first.location ? `${packagePath(root, resolve(root, first.location.file))}:${first.location.line}:${first.location.column + 1}: ` : "";
  const more = messages.length > 1 ? ` (and ${messages.length - 1} more error${messages.length > 2 ? "s" : ""})` : "";
  return invalidParameter(`Could not build the deployment package: ${where}${first.text}${more}`);
}

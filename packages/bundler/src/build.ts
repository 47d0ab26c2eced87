// Bundles a package's handler module and everything it imports into one ES module with no imports:
//   <bundled code> export { userModule }
// where userModule is the handler file's namespace (CommonJS exports appear on it and on `default`).
// Node built-ins resolve to `globalThis.__lambentRequire(name)`, which the isolate's runtime provides.
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { build, type Message, type Plugin } from "esbuild";
import { invalidParameter } from "@lambent/errors";
import { HANDLER_EXTENSIONS, parseHandler } from "./handler.js";
import type { PackageFiles } from "./unpack.js";

/** Node built-ins the isolate runtime offers through `__lambentRequire`; anything else fails the build. */
export const ISOLATE_BUILTINS: readonly string[] = [];

export interface BuiltBundle {
  /** The ES module text the worker compiles. */
  code: string;
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

export async function buildBundle(files: PackageFiles, handler: string): Promise<BuiltBundle> {
  const handlerFile = findHandlerFile(files, handler);
  const root = await mkdtemp(join(tmpdir(), "lambent-build-"));
  try {
    await writePackage(root, files);
    const result = await build({
      stdin: {
        contents: `import * as userModule from ${JSON.stringify("./" + handlerFile)};\nexport { userModule };\n`,
        resolveDir: root,
        sourcefile: "lambent-entry.js",
        loader: "js",
      },
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      target: "es2022",
      logLevel: "silent",
      legalComments: "none",
      plugins: [isolateBuiltins],
    }).catch((error: unknown) => {
      throw buildFailure(error);
    });
    const output = result.outputFiles[0];
    if (!output) throw invalidParameter("Could not build the deployment package: no output");
    return { code: output.text, handlerFile };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function writePackage(root: string, files: PackageFiles): Promise<void> {
  const directories = new Set<string>();
  for (const path of files.keys()) directories.add(dirname(join(root, path)));
  for (const directory of directories) await mkdir(directory, { recursive: true });
  await Promise.all([...files].map(([path, bytes]) => writeFile(join(root, path), bytes)));
}

const BUILTIN_NAMES = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

const isolateBuiltins: Plugin = {
  name: "lambent-isolate-builtins",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
      if (!BUILTIN_NAMES.has(args.path)) return undefined;
      const name = args.path.replace(/^node:/, "");
      if (!ISOLATE_BUILTINS.includes(name)) {
        return {
          errors: [{ text: `module '${args.path}' is a Node.js built-in that the isolate runtime does not offer` }],
        };
      }
      return { path: name, namespace: "lambent-builtin" };
    });
    pluginBuild.onLoad({ filter: /.*/, namespace: "lambent-builtin" }, (args) => ({
      contents: `module.exports = globalThis.__lambentRequire(${JSON.stringify(args.path)});`,
      loader: "js",
    }));
  },
};

function buildFailure(error: unknown): Error {
  const messages = (error as { errors?: Message[] }).errors;
  const first = messages?.[0];
  if (!first) return invalidParameter(`Could not build the deployment package: ${String(error)}`);
  const where = first.location ? `${first.location.file}:${first.location.line}:${first.location.column}: ` : "";
  return invalidParameter(`Could not build the deployment package: ${where}${first.text}`);
}

// The esbuild plugins that adapt a Lambda package to the isolate: built-ins (Node's and Lambent's own
// `lambent:` modules) through the runtime's `__lambentRequire`, native addons required by a written name refused (native-addons.ts finds the others), and each source file's own location under /var/task
// (and its computed requires, through the runtime's require for that file: dynamic-require.ts).
import { readFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { basename, join, posix, resolve } from "node:path";
import { transform, type Loader, type Message, type PartialMessage, type Plugin } from "esbuild";
import { ISOLATE_BUILTINS, LAMBENT_MODULES } from "./isolate-builtins.js";
import { NATIVE_ADDON_REASON } from "./native-addons.js";
import { withRuntimeRequire } from "./dynamic-require.js";
import { runtimeModulePath } from "./runtime-sdk.js";

/** Where Lambda puts the package, and so where the function's code believes it lives. */
export const TASK_ROOT = "/var/task";

/**
 * A file's path, with forward slashes, relative to the package's root (/var/task): the runtime's own
 * modules (its AWS SDK) are under ../runtime/node_modules, where Lambda keeps them.
 */
export function packagePath(root: string, absolutePath: string): string {
  return runtimeModulePath(root, absolutePath);
}

const BUILTIN_NAMES = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

export const isolateBuiltins: Plugin = {
  name: "lambent-isolate-builtins",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[a-z0-9_:/]+$/ }, (args) => {
      if (LAMBENT_MODULES.includes(args.path)) return { path: args.path, namespace: "lambent-builtin" };
      if (!BUILTIN_NAMES.has(args.path)) return undefined;
      const name = args.path.replace(/^node:/, "");
      if (ISOLATE_BUILTINS.includes(name)) return { path: name, namespace: "lambent-builtin" };
      // A static import cannot be caught, so it fails the deploy. A `require` or `import()` may sit in a
      // try/catch (packages probe for optional built-ins that way): it deploys, and throws where it runs
      // with Node's error for a module that is not there.
      if (args.kind === "import-statement") {
        return { errors: [{ text: `module '${args.path}' is a Node.js built-in that the isolate runtime does not offer` }] };
      }
      return { path: args.path, namespace: "lambent-missing-builtin" };
    });
    pluginBuild.onLoad({ filter: /.*/, namespace: "lambent-builtin" }, (args) => ({
      contents: `module.exports = globalThis.__lambentRequire(${JSON.stringify(args.path)});`,
      loader: "js",
    }));
    pluginBuild.onLoad({ filter: /.*/, namespace: "lambent-missing-builtin" }, (args) => ({
      contents: `const error = new Error(${JSON.stringify(`Cannot find module '${args.path}': a Node.js built-in that the isolate runtime does not offer`)});\nerror.code = "MODULE_NOT_FOUND";\nthrow error;`,
      loader: "js",
    }));
  },
};

const nativeAddonError = (path: string) => ({
  errors: [{ text: `Cannot use native addon ${path}: ${NATIVE_ADDON_REASON}` }],
});

/** A `.node` file is machine code for the host's Node.js; an isolate cannot load it, so deploy fails. */
export function nativeAddons(root: string): Plugin {
  return {
    name: "lambent-native-addons",
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /\.node$/ }, (args) => {
        // A bare name ending in `.node` may be a package; esbuild resolves it and onLoad catches real addons.
        if (!args.path.startsWith(".") && !args.path.startsWith("/")) return undefined;
        return nativeAddonError(packagePath(root, resolve(args.resolveDir, args.path)));
      });
      pluginBuild.onLoad({ filter: /\.node$/ }, (args) => nativeAddonError(packagePath(root, args.path)));
    },
  };
}

const SOURCE_FILE = /\.(?:[cm]?[jt]s|jsx|tsx)$/;
const MENTIONS_LOCATION = /\b__dirname\b|\b__filename\b|\bimport\.meta\b/;

function transformErrors(error: unknown): PartialMessage[] {
  const errors = (error as { errors?: Message[] }).errors;
  return errors && errors.length > 0 ? errors : [{ text: error instanceof Error ? error.message : String(error) }];
}

function loaderFor(path: string): Loader {
  if (path.endsWith(".tsx")) return "tsx";
  if (path.endsWith(".jsx")) return "jsx";
  return /\.[cm]?ts$/.test(path) ? "ts" : "js";
}

/**
 * In one bundle every file would share the bundle's location, so each file that asks for its own
 * (`__dirname`, `__filename`, `import.meta.url|dirname|filename`) has the answer defined in it: where it
 * sits under /var/task. `define` replaces only free names, so a file's own `const __dirname = …` wins.
 * The file's inline source map carries the user's lines through to the bundle's map.
 */
export function packageLocations(root: string): Plugin {
  // A file compiled on its own misses the settings esbuild reads from tsconfig.json when it bundles
  // (class fields, decorators, JSX), so it is given the package's own.
  let tsconfig: Promise<string | undefined> | undefined;
  const packageTsconfig = (): Promise<string | undefined> =>
    (tsconfig ??= readFile(join(root, "tsconfig.json"), "utf8").catch(() => undefined));
  return {
    name: "lambent-package-locations",
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: SOURCE_FILE, namespace: "file" }, async (args) => {
        const loader = loaderFor(args.path);
        const file = packagePath(root, args.path);
        const read = await readFile(args.path, "utf8");
        const source = (loader === "js" && withRuntimeRequire(read, file)) || read;
        if (!MENTIONS_LOCATION.test(source)) return { contents: source, loader };
        const filename = posix.join(TASK_ROOT, file);
        const dirname = posix.dirname(filename);
        const tsconfigRaw = loader === "ts" || loader === "tsx" ? await packageTsconfig() : undefined;
        const result = await transform(source, {
          loader,
          ...(tsconfigRaw === undefined ? {} : { tsconfigRaw }),
          sourcefile: basename(args.path),
          sourcemap: "inline",
          logLevel: "silent",
          define: {
            __dirname: JSON.stringify(dirname),
            __filename: JSON.stringify(filename),
            "import.meta.url": JSON.stringify(`file://${filename}`),
            "import.meta.dirname": JSON.stringify(dirname),
            "import.meta.filename": JSON.stringify(filename),
          },
        }).catch((error: unknown) => ({ failure: transformErrors(error) }));
        if ("failure" in result) {
          // Syntax errors name the file as the user knows it, not by its bare name.
          return { errors: result.failure.map((message) => ({ ...message, location: message.location && { ...message.location, file } })) };
        }
        return { contents: result.code, loader: "js" };
      });
    },
  };
}

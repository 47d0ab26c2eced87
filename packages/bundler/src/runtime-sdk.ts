// The AWS SDK for JavaScript v3 as Lambda's Node.js runtimes provide it: a package that does not bundle
// its own `@aws-sdk/*` module gets the runtime's, installed beside Lambent (this package's dependencies),
// and a package that does bundle one keeps its own. Only what the function imports is bundled, so a
// function pays at cold start for the clients it uses and no others. Files from the runtime are named as
// Lambda names them, under /var/runtime/node_modules, in source maps, stack traces and `__dirname`, so
// nothing of the machine that built the bundle shows.
import { createRequire } from "node:module";
import { dirname, join, posix, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "esbuild";

/** Where the runtime's own modules sit, seen from /var/task: Lambda keeps them in /var/runtime. */
const RUNTIME_FROM_TASK = "../runtime/node_modules";

/** Clients the runtime provides; each resolves, with its dependencies, from the runtime's node_modules. */
export const RUNTIME_SDK_CLIENTS: readonly string[] = [
  "@aws-sdk/client-codedeploy",
  "@aws-sdk/client-dynamodb",
  "@aws-sdk/client-eventbridge",
  "@aws-sdk/client-kinesis",
  "@aws-sdk/client-lambda",
  "@aws-sdk/client-s3",
  "@aws-sdk/client-secrets-manager",
  "@aws-sdk/client-sns",
  "@aws-sdk/client-sqs",
  "@aws-sdk/client-ssm",
  "@aws-sdk/client-sts",
  "@aws-sdk/lib-dynamodb",
];

const here = dirname(fileURLToPath(import.meta.url));
const requireHere = createRequire(import.meta.url);

/** The node_modules directories the runtime's SDK was installed into (npm may split it between two). */
const runtimeModuleRoots: readonly string[] = [
  ...new Set(
    RUNTIME_SDK_CLIENTS.flatMap((name) => {
      try {
        const manifest = requireHere.resolve(`${name}/package.json`);
        return [join(manifest, "..", "..", "..") + sep];
      } catch {
        return [];
      }
    }),
  ),
].sort((a, b) => b.length - a.length);

/**
 * A file's path as the function sees it, relative to /var/task: the package's own files as they are in
 * it, the runtime's under ../runtime/node_modules.
 */
export function runtimeModulePath(root: string, absolutePath: string): string {
  const runtimeRoot = runtimeModuleRoots.find((prefix) => absolutePath.startsWith(prefix));
  if (runtimeRoot !== undefined) return posix.join(RUNTIME_FROM_TASK, absolutePath.slice(runtimeRoot.length).split(sep).join("/"));
  return relative(root, absolutePath).split(sep).join("/");
}

const FROM_RUNTIME = Symbol("resolved for the runtime SDK");

export const runtimeSdk: Plugin = {
  name: "lambent-runtime-sdk",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@aws-sdk\// }, async (args) => {
      if (args.pluginData === FROM_RUNTIME) return undefined;
      const asked = { kind: args.kind, importer: args.importer, pluginData: FROM_RUNTIME };
      const own = await pluginBuild.resolve(args.path, { ...asked, resolveDir: args.resolveDir });
      if (own.errors.length === 0) return { path: own.path, namespace: own.namespace, external: own.external, sideEffects: own.sideEffects };
      const runtime = await pluginBuild.resolve(args.path, { ...asked, resolveDir: here });
      if (runtime.errors.length > 0) return { errors: own.errors };
      return { path: runtime.path, namespace: runtime.namespace, sideEffects: runtime.sideEffects };
    });
  },
};

/**
 * esbuild names each module in the bundle by its path from the package root (a `// <path>` heading, the
 * keys of its lazy module wrappers): the runtime's modules get the names the function sees.
 */
export function nameRuntimeFiles(code: string, root: string): string {
  let named = code;
  for (const runtimeRoot of runtimeModuleRoots) {
    const fromTask = `${relative(root, runtimeRoot).split(sep).join("/")}/`;
    named = named.split(fromTask).join(`${RUNTIME_FROM_TASK}/`);
  }
  return named;
}

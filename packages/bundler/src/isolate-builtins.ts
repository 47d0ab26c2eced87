// The Node.js built-in modules the isolate runtime offers (services/worker/sandbox/modules.ts provides
// them through `globalThis.__lambentRequire`), each also reachable with the `node:` prefix. A package that
// imports any other built-in fails at deploy.
export const ISOLATE_BUILTINS: readonly string[] = [
  "assert",
  "assert/strict",
  "buffer",
  "crypto",
  "events",
  "fs",
  "fs/promises",
  "os",
  "path",
  "path/posix",
  "process",
  "querystring",
  "stream",
  "stream/promises",
  "string_decoder",
  "timers",
  "timers/promises",
  "url",
  "util",
  "zlib",
];

/**
 * Lambent's own modules, offered to function code beside Node's built-ins. The `lambent:` scheme cannot
 * be an npm package's name, so none clashes with a dependency the package bundles.
 */
export const LAMBENT_MODULES: readonly string[] = ["lambent:functions"];

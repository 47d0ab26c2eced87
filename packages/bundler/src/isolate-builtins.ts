// The Node.js built-in modules the isolate runtime offers (services/worker/sandbox/modules.ts provides
// them through `globalThis.__lambentRequire`), each also reachable with the `node:` prefix. A package that
// imports any other built-in with a static `import` fails at deploy; a `require` or `import()`
// of one deploys and fails where it runs, so a package that tries it inside try/catch still works.
export const ISOLATE_BUILTINS: readonly string[] = [
  "assert",
  "assert/strict",
  "async_hooks",
  "buffer",
  "child_process",
  "cluster",
  "console",
  "constants",
  "crypto",
  "dgram",
  "diagnostics_channel",
  "dns",
  "dns/promises",
  "domain",
  "events",
  "fs",
  "fs/promises",
  "http",
  "http2",
  "https",
  "module",
  "net",
  "os",
  "path",
  "path/posix",
  "perf_hooks",
  "process",
  "punycode",
  "querystring",
  "readline",
  "stream",
  "stream/promises",
  "stream/web",
  "string_decoder",
  "timers",
  "timers/promises",
  "tls",
  "tty",
  "url",
  "util",
  "util/types",
  "v8",
  "worker_threads",
  "zlib",
];

/**
 * Lambent's own modules, offered to function code beside Node's built-ins. The `lambent:` scheme cannot
 * be an npm package's name, so none clashes with a dependency the package bundles.
 */
export const LAMBENT_MODULES: readonly string[] = ["lambent:functions"];

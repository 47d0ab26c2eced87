// Bundles the isolate runtime (sandbox/) into one classic script the worker runs in every new isolate.
// The pure-JS packages it carries (buffer, events, readable-stream, …) are built in here; the names they
// import from Node (`process/`, `abort-controller`) resolve to the sandbox's own shims, and `tr46` to a
// small IDNA stand-in. Whitespace and syntax are minified, identifiers not: functions and classes keep
// their own names (`constructor.name`, error types) without esbuild's keepNames, whose `__name` wrapper
// would run for every closure made on every call.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const shims = fileURLToPath(new URL("../sandbox/node/shims.ts", import.meta.url));
const idna = fileURLToPath(new URL("../sandbox/node/idna.ts", import.meta.url));

await build({
  absWorkingDir: root,
  entryPoints: ["sandbox/index.ts"],
  outfile: "dist/sandbox.js",
  bundle: true,
  format: "iife",
  target: "es2022",
  platform: "browser",
  legalComments: "none",
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: false,
  logLevel: "warning",
  plugins: [
    {
      name: "sandbox-shims",
      setup(pluginBuild) {
        pluginBuild.onResolve({ filter: /^(?:process\/?|abort-controller)$/ }, () => ({ path: shims }));
        pluginBuild.onResolve({ filter: /^tr46$/ }, () => ({ path: idna }));
      },
    },
  ],
});

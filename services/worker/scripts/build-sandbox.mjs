// Bundles the isolate runtime (sandbox/) into one classic script the worker runs in every new isolate.
// The pure-JS packages it carries (buffer, events, readable-stream, …) are built in here; the names they
// import from Node (`process/`, `abort-controller`) resolve to the sandbox's own shims, and `tr46` to a
// small IDNA stand-in. Whitespace and syntax are minified, identifiers not: functions and classes keep
// their own names (`constructor.name`, error types) without esbuild's keepNames, whose `__name` wrapper
// would run for every closure made on every call.
// The file is written whole under a temporary name and renamed into place: test processes build it while
// others read it, and a reader must never see a half-written runtime.
import { build } from "esbuild";
import { rename, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const shims = fileURLToPath(new URL("../sandbox/node/shims.ts", import.meta.url));
const idna = fileURLToPath(new URL("../sandbox/node/idna.ts", import.meta.url));

const outfile = fileURLToPath(new URL("../dist/sandbox.js", import.meta.url));

const result = await build({
  absWorkingDir: root,
  entryPoints: ["sandbox/index.ts"],
  outfile,
  write: false,
  bundle: true,
  format: "iife",
  target: "es2022",
  platform: "browser",
  legalComments: "none",
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: false,
  logLevel: "warning",
  // The Python runtime module is written into the interpreter's file system as text.
  loader: { ".py": "text" },
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

const [output] = result.outputFiles;
const temporary = `${outfile}.${process.pid}.tmp`;
await writeFile(temporary, output.contents);
await rename(temporary, outfile);

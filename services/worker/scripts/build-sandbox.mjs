// Bundles the isolate runtime (sandbox/) into one classic script the worker runs in every new isolate.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

await build({
  absWorkingDir: root,
  entryPoints: ["sandbox/index.ts"],
  outfile: "dist/sandbox.js",
  bundle: true,
  format: "iife",
  target: "es2022",
  platform: "neutral",
  legalComments: "none",
  logLevel: "warning",
});

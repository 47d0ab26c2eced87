// Bundles the console (src/main.tsx with Preact, and src/console.css) into dist/: the script and the
// stylesheet under content-hashed names in dist/assets/, so a frontend may let browsers keep them for a
// year, and dist/index.html naming them (and preloading the chunks the script imports at once), which a
// frontend serves for every client route. Everything is written to a fresh folder first and renamed into
// place, so a frontend never reads half a build.
import { build } from "esbuild";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = fileURLToPath(new URL("../dist", import.meta.url));
const staging = `${dist}.${process.pid}.tmp`;

await rm(staging, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ["src/main.tsx", "src/console.css"],
  outdir: `${staging}/assets`,
  entryNames: "[name]-[hash]",
  // Code split: the code editor is its own chunk, fetched when a Code tab opens.
  splitting: true,
  chunkNames: "[name]-[hash]",
  bundle: true,
  format: "esm",
  target: "es2020",
  platform: "browser",
  jsx: "automatic",
  jsxImportSource: "preact",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
});

const outputs = Object.entries(result.metafile.outputs);
const nameOf = (entry) => basename(outputs.find(([, output]) => output.entryPoint === entry)[0]);
const template = await readFile(new URL("../src/index.html", import.meta.url), "utf8");
// The chunks the script imports at once are fetched beside it, not after it has been read.
const mainOutput = outputs.find(([, output]) => output.entryPoint === "src/main.tsx")[1];
const preloads = mainOutput.imports
  .filter((imported) => imported.kind === "import-statement")
  .map((imported) => `<link rel="modulepreload" href="/console/assets/${basename(imported.path)}" />`)
  .join("\n    ");
const html = template
  .replace("%SCRIPT%", `/console/assets/${nameOf("src/main.tsx")}`)
  .replace("%STYLESHEET%", `/console/assets/${nameOf("src/console.css")}`)
  .replace("%MODULE_PRELOADS%", preloads);
await mkdir(staging, { recursive: true });
await writeFile(`${staging}/index.html`, html);

const previous = `${dist}.${process.pid}.old`;
await rename(dist, previous).catch((error) => {
  if (error.code !== "ENOENT") throw error;
});
await rename(staging, dist);
await rm(previous, { recursive: true, force: true });

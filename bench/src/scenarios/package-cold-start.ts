// The first call of a function that bundles a real dependency (handlebars, with its own dependencies),
// right after it is deployed: end to end, Init Duration inside the worker, and the deploy itself. Each
// function is new, so nothing of it is cached anywhere before its deploy.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { strToU8, zipSync } from "fflate";
import { summarize, type LatencySummary } from "../stats.js";
import { deployFunction, invokeWithReport, type LambentTarget } from "../targets/lambent.js";

export interface PackageColdStartResult {
  dependency: string;
  functions: number;
  zipBytes: number;
  deploy: LatencySummary;
  firstCall: LatencySummary;
  init: LatencySummary;
  secondCall: LatencySummary;
}

const HANDLER = `import Handlebars from "handlebars";
const page = Handlebars.compile("<h1>Hello {{name}}</h1><ul>{{#each items}}<li>{{this}}</li>{{/each}}</ul>");
export const handler = async (event) => ({ html: page({ name: event.name ?? "world", items: [1, 2, 3] }) });
`;

/** handlebars and what it requires, as they sit in this repository's node_modules. */
const PACKAGES = ["handlebars", "neo-async", "source-map", "wordwrap", "minimist"];

function packageZip(): Uint8Array {
  const require = createRequire(import.meta.url);
  const files: Record<string, Uint8Array> = { "index.mjs": strToU8(HANDLER) };
  for (const name of PACKAGES) {
    const root = dirname(require.resolve(`${name}/package.json`));
    const walk = (directory: string): void => {
      for (const entry of readdirSync(directory)) {
        const path = join(directory, entry);
        if (statSync(path).isDirectory()) {
          if (entry !== "node_modules") walk(path);
        } else files[`node_modules/${name}/${relative(root, path)}`] = readFileSync(path);
      }
    };
    walk(root);
  }
  return zipSync(files);
}

export async function packageColdStart(lambent: LambentTarget, count: number): Promise<PackageColdStartResult> {
  const zip = packageZip();
  const run = Date.now().toString(36);
  const deploy: number[] = [];
  const first: number[] = [];
  const init: number[] = [];
  const second: number[] = [];
  for (let index = 0; index < count; index++) {
    const name = `cold-handlebars-${run}-${index}`;
    const started = performance.now();
    await deployFunction(lambent.httpUrl, name, zip);
    deploy.push(performance.now() - started);
    const call = await invokeWithReport(lambent.httpUrl, name, '{"name":"bench"}');
    if (call.status !== 200) throw new Error(`first call of ${name} answered ${call.status}`);
    first.push(call.totalMs);
    if (call.initDurationMs !== undefined) init.push(call.initDurationMs);
    second.push((await invokeWithReport(lambent.httpUrl, name, '{"name":"bench"}')).totalMs);
  }
  return { dependency: "handlebars", functions: count, zipBytes: zip.length, deploy: summarize(deploy), firstCall: summarize(first), init: summarize(init), secondCall: summarize(second) };
}

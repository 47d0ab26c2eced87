// The first call of a function with a real dependency, right after it is deployed: end to end, Init
// Duration inside the worker, and the deploy itself. Either handlebars (with its own dependencies), which
// the package bundles, or the AWS SDK's S3Client, which the package leaves to the runtime. Each function
// is new, so nothing of it is cached anywhere before its deploy.
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

export interface ColdPackage {
  dependency: string;
  handler: string;
  /** What the package carries in node_modules, as it sits in this repository's node_modules. */
  packages: string[];
}

export const HANDLEBARS: ColdPackage = {
  dependency: "handlebars",
  handler: `import Handlebars from "handlebars";
const page = Handlebars.compile("<h1>Hello {{name}}</h1><ul>{{#each items}}<li>{{this}}</li>{{/each}}</ul>");
export const handler = async (event) => ({ html: page({ name: event.name ?? "world", items: [1, 2, 3] }) });
`,
  packages: ["handlebars", "neo-async", "source-map", "wordwrap", "minimist"],
};

/** The runtime provides the SDK: the package is the handler alone. */
export const AWS_SDK_S3: ColdPackage = {
  dependency: "the runtime's @aws-sdk/client-s3",
  handler: `import { S3Client } from "@aws-sdk/client-s3";
const s3 = new S3Client({});
export const handler = async (event) => ({ region: await s3.config.region(), name: event.name });
`,
  packages: [],
};

function packageZip(cold: ColdPackage): Uint8Array {
  const require = createRequire(import.meta.url);
  const files: Record<string, Uint8Array> = { "index.mjs": strToU8(cold.handler) };
  for (const name of cold.packages) {
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

export async function packageColdStart(lambent: LambentTarget, count: number, cold: ColdPackage = HANDLEBARS): Promise<PackageColdStartResult> {
  const zip = packageZip(cold);
  const run = Date.now().toString(36);
  const deploy: number[] = [];
  const first: number[] = [];
  const init: number[] = [];
  const second: number[] = [];
  for (let index = 0; index < count; index++) {
    const name = `cold-${cold.packages.length > 0 ? "package" : "sdk"}-${run}-${index}`;
    const started = performance.now();
    await deployFunction(lambent.httpUrl, name, zip);
    deploy.push(performance.now() - started);
    const call = await invokeWithReport(lambent.httpUrl, name, '{"name":"bench"}');
    if (call.status !== 200) throw new Error(`first call of ${name} answered ${call.status}`);
    first.push(call.totalMs);
    if (call.initDurationMs !== undefined) init.push(call.initDurationMs);
    second.push((await invokeWithReport(lambent.httpUrl, name, '{"name":"bench"}')).totalMs);
  }
  return { dependency: cold.dependency, functions: count, zipBytes: zip.length, deploy: summarize(deploy), firstCall: summarize(first), init: summarize(init), secondCall: summarize(second) };
}

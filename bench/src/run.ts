// `npm run bench [-- --quick] [-- --out DIR]`: every scenario in one run on this machine, written to
// bench/results/ as JSON and Markdown; a full run also refreshes the table in docs/performance.md.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { machineFacts, toMarkdown, type BenchResults } from "./report.js";
import { httpLoadGenerator } from "./load/http-load.js";
import { asyncEvents } from "./scenarios/async-events.js";
import { coldStart } from "./scenarios/cold-start.js";
import { density } from "./scenarios/density.js";
import { functionCalls } from "./scenarios/function-calls.js";
import { expressWorkflows } from "./scenarios/express-workflows.js";
import { schedulerHop } from "./scenarios/scheduler-hop.js";
import { syncInvoke } from "./scenarios/sync-invoke.js";
import { tracingOverhead } from "./scenarios/tracing-overhead.js";
import { startBareNode, startWorkerd, type RunningTarget } from "./targets/baselines.js";
import { HELLO_FOLDER, deployFunction, startLambent, zipFolder } from "./targets/lambent.js";

const { values } = parseArgs({
  options: { quick: { type: "boolean", default: false }, out: { type: "string" }, "no-workerd": { type: "boolean", default: false } },
});
const quick = values.quick!;
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const outDir = values.out ?? join(repoRoot, "bench", "results");

const plan = quick
  ? { concurrencies: [1, 10, 50], durationSeconds: 1, warmupSeconds: 1, rounds: 1, coldFunctions: 3, densitySteps: [20], hopMs: 500 }
  : { concurrencies: [1, 10, 50], durationSeconds: 10, warmupSeconds: 3, rounds: 3, coldFunctions: 20, densitySteps: [100, 1000], hopMs: 5000 };

const log = (message: string): void => console.error(`[bench] ${message}`);
const startedAt = new Date().toISOString();
const stops: (() => Promise<void>)[] = [];

try {
  log(`mode ${quick ? "quick" : "full"}; starting targets`);
  const bare = await startBareNode();
  stops.push(() => bare.stop());
  let workerd: RunningTarget | undefined;
  if (!values["no-workerd"]) {
    workerd = await startWorkerd();
    stops.push(() => workerd!.stop());
  }
  const lambent = await startLambent({ LAMBENT_WORKER_MAX_ENVIRONMENTS: "5000" });
  stops.push(() => lambent.stop());
  const hello = await deployFunction(lambent.httpUrl, "bench-hello", zipFolder(HELLO_FOLDER));

  log("sync invoke");
  const syncRows = await syncInvoke({ bare, workerd, lambent, functionName: hello.name }, plan);
  log("tracing overhead");
  const tracing = await tracingOverhead(lambent, hello.name, { concurrency: 10, durationSeconds: plan.durationSeconds, warmupSeconds: plan.warmupSeconds, rounds: plan.rounds });
  log("functions calling functions");
  const calls = await functionCalls(lambent, hello.name, { concurrencies: [1, 10], durationSeconds: plan.durationSeconds, warmupSeconds: plan.warmupSeconds, rounds: plan.rounds });
  log("express workflows");
  const workflows = await expressWorkflows(lambent, hello.name, { concurrencies: quick ? [10] : [1, 10, 50], durationSeconds: plan.durationSeconds, warmupSeconds: plan.warmupSeconds, rounds: plan.rounds });
  log("scheduler hop");
  const hop = await schedulerHop(lambent, hello, [1, 50], plan.hopMs);
  log("cold start");
  const cold = await coldStart(lambent, plan.coldFunctions);
  log("density");
  const dense = await density(lambent, plan.densitySteps);
  // Last: a backlog of events grows the worker's memory, which would skew the density baseline.
  log("async events");
  const asyncFunction = await deployFunction(lambent.httpUrl, "bench-async", zipFolder(HELLO_FOLDER));
  const events = await asyncEvents(lambent, asyncFunction.name, { durationSeconds: plan.durationSeconds, rounds: plan.rounds });

  const results: BenchResults = {
    startedAt,
    mode: quick ? "quick" : "full",
    machine: machineFacts(),
    httpLoadGenerator,
    settings: plan,
    syncInvoke: syncRows,
    schedulerHop: hop,
    coldStart: cold,
    density: dense,
    async: events,
    tracing,
    functionCalls: calls,
    expressWorkflows: workflows,
  };
  const markdown = toMarkdown(results);
  await mkdir(outDir, { recursive: true });
  const stem = `${startedAt.replace(/[:.]/g, "-")}-${results.machine.commit}-${results.mode}`;
  await writeFile(join(outDir, `${stem}.json`), JSON.stringify(results, null, 2) + "\n");
  await writeFile(join(outDir, `${stem}.md`), markdown);
  await writeFile(join(outDir, `latest-${results.mode}.md`), markdown);
  if (!quick && values.out === undefined) await refreshPerformanceDoc(join(repoRoot, "docs", "performance.md"), markdown);
  console.log(markdown);
  log(`results in ${join(outDir, stem)}.{json,md}`);
} finally {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
}

/** Replaces the table between the bench markers in docs/performance.md. */
async function refreshPerformanceDoc(path: string, markdown: string): Promise<void> {
  const doc = await readFile(path, "utf8").catch(() => "");
  const start = "<!-- bench:start -->";
  const end = "<!-- bench:end -->";
  if (!doc.includes(start) || !doc.includes(end)) return;
  const updated = doc.slice(0, doc.indexOf(start) + start.length) + "\n" + markdown + doc.slice(doc.indexOf(end));
  await writeFile(path, updated);
}

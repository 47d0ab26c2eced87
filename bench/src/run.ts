// `npm run bench [-- --quick] [-- --out DIR] [-- --only sync,cold]`: every scenario in one run on this machine, written to
// bench/results/ as JSON and Markdown; a full run also refreshes the table in docs/performance.md.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { machineFacts, toMarkdown } from "./report.js";
import type { BenchResults } from "./results.js";
import { grpcLoadGenerator } from "./load/grpc-load.js";
import { httpLoadGenerator } from "./load/http-load.js";
import { cpuSnapshot, loadAverages, machineLoadBetween } from "./machine-load.js";
import { asyncEvents } from "./scenarios/async-events.js";
import { coldStart } from "./scenarios/cold-start.js";
import { density } from "./scenarios/density.js";
import { functionCalls } from "./scenarios/function-calls.js";
import { expressWorkflows } from "./scenarios/express-workflows.js";
import { AWS_SDK_S3, packageColdStart } from "./scenarios/package-cold-start.js";
import { separateNodes } from "./scenarios/separate-nodes.js";
import { schedulerHop } from "./scenarios/scheduler-hop.js";
import { syncInvoke } from "./scenarios/sync-invoke.js";
import { tracingOverhead } from "./scenarios/tracing-overhead.js";
import { startBareNode, startWorkerd, type RunningTarget } from "./targets/baselines.js";
import { HELLO_FOLDER, deployFunction, startLambent, zipFolder } from "./targets/lambent.js";

const SCENARIOS = ["sync", "separate-nodes", "tracing", "calls", "workflows", "hop", "cold", "package-cold", "sdk-cold", "density", "async"] as const;
type Scenario = (typeof SCENARIOS)[number];

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    out: { type: "string" },
    "no-workerd": { type: "boolean", default: false },
    /** A comma-separated subset of SCENARIOS; a partial run never refreshes docs/performance.md. */
    only: { type: "string" },
  },
});
const quick = values.quick!;
const only = values.only?.split(",").map((name) => name.trim());
for (const name of only ?? []) if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`unknown scenario ${name}; known: ${SCENARIOS.join(", ")}`);
const runs = (scenario: Scenario): boolean => only === undefined || only.includes(scenario);
const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const outDir = values.out ?? join(repoRoot, "bench", "results");

const plan = quick
  ? { concurrencies: [1, 10, 50], durationSeconds: 1, warmupSeconds: 1, rounds: 1, coldFunctions: 3, packageColdFunctions: 1, densitySteps: [20], hopMs: 500 }
  : { concurrencies: [1, 10, 50], durationSeconds: 10, warmupSeconds: 3, rounds: 3, coldFunctions: 20, packageColdFunctions: 5, densitySteps: [100, 1000], hopMs: 5000 };
const load = { durationSeconds: plan.durationSeconds, warmupSeconds: plan.warmupSeconds, rounds: plan.rounds };

const log = (message: string): void => console.error(`[bench] ${message}`);
const startedAt = new Date().toISOString();
const stops: (() => Promise<void>)[] = [];
const loadAtStart = loadAverages();
const cpuAtStart = cpuSnapshot();

try {
  log(`mode ${quick ? "quick" : "full"}; starting targets`);
  const lambent = await startLambent({ LAMBENT_WORKER_MAX_ENVIRONMENTS: "5000" });
  stops.push(() => lambent.stop());
  const hello = await deployFunction(lambent.httpUrl, "bench-hello", zipFolder(HELLO_FOLDER));
  const results: BenchResults = {
    startedAt,
    mode: quick ? "quick" : "full",
    machine: machineFacts(),
    httpLoadGenerator,
    grpcLoadGenerator,
    settings: { ...plan, only: only ?? "all", cpuPinning: "none" },
  };

  if (runs("sync")) {
    const bare = await startBareNode();
    stops.push(() => bare.stop());
    let workerd: RunningTarget | undefined;
    if (!values["no-workerd"]) {
      workerd = await startWorkerd();
      stops.push(() => workerd!.stop());
    }
    log("sync invoke");
    results.syncInvoke = await syncInvoke({ bare, workerd, lambent, functionName: hello.name }, { concurrencies: plan.concurrencies, ...load });
    await workerd?.stop();
    await bare.stop();
  }
  if (runs("separate-nodes")) {
    log("services as separate nodes");
    results.separateNodes = await separateNodes({ concurrencies: [1, 50], ...load });
  }
  if (runs("tracing")) {
    log("tracing overhead");
    results.tracing = await tracingOverhead({ concurrency: 10, ...load });
  }
  if (runs("calls")) {
    log("functions calling functions");
    results.functionCalls = await functionCalls(lambent, hello.name, { concurrencies: [1, 10], ...load });
  }
  if (runs("workflows")) {
    log("express workflows");
    results.expressWorkflows = await expressWorkflows(lambent, hello.name, { concurrencies: quick ? [10] : [1, 10, 50], ...load });
  }
  if (runs("hop")) {
    log("scheduler hop");
    results.schedulerHop = await schedulerHop(lambent, hello, [1, 50], plan.hopMs);
  }
  if (runs("cold")) {
    log("cold start");
    results.coldStart = await coldStart(lambent, plan.coldFunctions);
  }
  if (runs("package-cold")) {
    log("cold start of a function bundling handlebars");
    results.packageColdStart = await packageColdStart(lambent, plan.packageColdFunctions);
  }
  if (runs("sdk-cold")) {
    log("cold start of a function using the runtime's AWS SDK");
    results.sdkColdStart = await packageColdStart(lambent, plan.packageColdFunctions, AWS_SDK_S3);
  }
  if (runs("density")) {
    log("density");
    results.density = await density(lambent, plan.densitySteps);
  }
  // Last: a backlog of events grows the worker's memory, which would skew the density baseline.
  if (runs("async")) {
    log("async events");
    const asyncFunction = await deployFunction(lambent.httpUrl, "bench-async", zipFolder(HELLO_FOLDER));
    results.async = await asyncEvents(lambent, asyncFunction.name, { durationSeconds: plan.durationSeconds, rounds: plan.rounds });
  }

  results.machineLoad = { atStart: loadAtStart, atEnd: loadAverages(), duringRun: machineLoadBetween(cpuAtStart, cpuSnapshot()) };
  const markdown = toMarkdown(results);
  await mkdir(outDir, { recursive: true });
  const stem = `${startedAt.replace(/[:.]/g, "-")}-${results.machine.commit}-${results.mode}${only ? "-partial" : ""}`;
  await writeFile(join(outDir, `${stem}.json`), JSON.stringify(results, null, 2) + "\n");
  await writeFile(join(outDir, `${stem}.md`), markdown);
  if (!only) await writeFile(join(outDir, `latest-${results.mode}.md`), markdown);
  if (!quick && !only && values.out === undefined) await refreshPerformanceDoc(join(repoRoot, "docs", "performance.md"), markdown);
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

// Benchmark results as JSON and as Markdown tables, with the machine and commit they came from.
import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import type { AsyncEventsResult } from "./scenarios/async-events.js";
import type { ColdStartResult } from "./scenarios/cold-start.js";
import type { DensityResult } from "./scenarios/density.js";
import type { SchedulerHopResult } from "./scenarios/scheduler-hop.js";
import type { SyncInvokeRow } from "./scenarios/sync-invoke.js";
import { tracingSection } from "./scenarios/tracing-report.js";
import { functionCallsSection } from "./scenarios/function-calls.js";
import { expressWorkflowsSection } from "./scenarios/express-workflows.js";
import type { LatencySummary, Spread } from "./stats.js";
import type { PackageColdStartResult } from "./scenarios/package-cold-start.js";
import type { SeparateNodesRow } from "./scenarios/separate-nodes.js";
import type { BenchResults, RunLoad } from "./results.js";
import { targetsSection } from "./targets-report.js";

export function machineFacts(): BenchResults["machine"] {
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    // Not a git checkout: the commit stays unknown.
  }
  const cpuList = cpus();
  return {
    cores: cpuList.length,
    cpu: cpuList[0]?.model ?? "unknown",
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    commit,
  };
}

const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : "–");
const range = (spread: Spread, format: (value: number) => string): string =>
  `${format(spread.median)} (${format(spread.min)}–${format(spread.max)})`;
const rps = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "–");
const latency = (summary: LatencySummary): string => `${ms(summary.p50)} / ${ms(summary.p99)} / ${ms(summary.max)}`;
/** Other work's cores during the rows' rounds (absent in results from before it was measured). */
const cores = (spread: Spread | undefined): string => (spread && Number.isFinite(spread.median) ? spread.median.toFixed(2) : "–");

export function toMarkdown(results: BenchResults): string {
  const { machine } = results;
  const lines: string[] = [
    `Run ${results.startedAt} (${results.mode}) on ${machine.cores} cores (${machine.cpu}), ${machine.memoryGb} GiB, Node ${machine.node}, commit ${machine.commit}. HTTP load: ${results.httpLoadGenerator}; gRPC load: ${results.grpcLoadGenerator ?? "a Node client process"}. No CPU pinning.`,
  ];
  if (results.machineLoad) lines.push("", ...machineLoadLines(results.machineLoad));
  const sections = [
    targetsSection(results),
    results.syncInvoke && syncInvokeSection(results.syncInvoke),
    results.separateNodes && separateNodesSection(results.separateNodes),
    results.schedulerHop && schedulerHopSection(results.schedulerHop),
    results.coldStart && coldStartSection(results.coldStart),
    results.packageColdStart && packageColdStartSection(results.packageColdStart),
    results.sdkColdStart && packageColdStartSection(results.sdkColdStart),
    results.density && densitySection(results.density),
    results.async && asyncSection(results.async),
    results.tracing && tracingSection(results.tracing),
    results.functionCalls && functionCallsSection(results.functionCalls),
    results.expressWorkflows && expressWorkflowsSection(results.expressWorkflows),
  ];
  for (const section of sections) if (section && section.length) lines.push("", ...section);
  return lines.join("\n") + "\n";
}

function machineLoadLines(load: RunLoad): string[] {
  const during = load.duringRun;
  const top = during.topOthers.map((other) => `${other.name} ${other.cores.toFixed(2)}`).join(", ");
  return [
    `Machine load: load average ${load.atStart.oneMinute.toFixed(2)} (1 min) at the start, ${load.atEnd.oneMinute.toFixed(2)} at the end, on ${load.atStart.cores} cores. ` +
      `During the run the machine was ${during.busyCores.toFixed(2)} cores busy on average, ${during.otherCores.toFixed(2)} of them outside the benchmark's processes` +
      (top ? ` (most: ${top})` : "") +
      ". The `other cores` column gives the same for each load row (median of rounds).",
  ];
}

function syncInvokeSection(rows: SyncInvokeRow[]): string[] {
  const lines = [
    "### Sync invoke, hello world (one node, `npm start` shape)",
    "",
    "Median of rounds, (min–max) across rounds. Latency in ms.",
    "",
    "| target | clients | req/s | p50 | p90 | p99 | max | errors | other cores | vs bare Node | vs workerd |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const row of rows) {
    const same = (target: string) => rows.find((other) => other.target === target && other.concurrency === row.concurrency);
    const ratio = (target: string): string => {
      const base = same(target);
      return base ? `${(row.result.requestsPerSecond.median / base.result.requestsPerSecond.median).toFixed(2)}×` : "–";
    };
    const r = row.result;
    lines.push(
      `| ${row.target} | ${row.concurrency} | ${range(r.requestsPerSecond, rps)} | ${ms(r.p50.median)} | ${ms(r.p90.median)} | ${ms(r.p99.median)} | ${ms(r.max.median)} | ${r.errors.median} | ${cores(r.otherCores)} | ${ratio("bare-node")} | ${ratio("workerd")} |`,
    );
  }
  const find = (target: string, concurrency: number) => rows.find((row) => row.target === target && row.concurrency === concurrency);
  const bare1 = find("bare-node", 1);
  const lambent1 = find("lambent-http", 1);
  const bare50 = find("bare-node", 50);
  const lambent50 = find("lambent-http", 50);
  if (bare1 && lambent1) lines.push("", `Warm sync overhead over the bare server at 1 client: p50 +${ms(lambent1.result.p50.median - bare1.result.p50.median)} ms.`);
  if (bare50 && lambent50) lines.push(`At 50 clients: p99 ${ms(lambent50.result.p99.median)} ms (bare ${ms(bare50.result.p99.median)} ms).`);
  return lines;
}

function separateNodesSection(rows: SeparateNodesRow[]): string[] {
  return [
    "### Services as separate nodes on one NATS (frontend, scheduler and worker with different node ids; hello world over HTTP)",
    "",
    "| clients | req/s | p50 | p90 | p99 | max | errors | other cores |",
    "|---|---|---|---|---|---|---|---|",
    ...rows.map((row) => {
      const r = row.result;
      return `| ${row.concurrency} | ${range(r.requestsPerSecond, rps)} | ${ms(r.p50.median)} | ${ms(r.p90.median)} | ${ms(r.p99.median)} | ${ms(r.max.median)} | ${r.errors.median} | ${cores(r.otherCores)} |`;
    }),
  ];
}

function schedulerHopSection(hops: SchedulerHopResult[]): string[] {
  return [
    "### Scheduler hop (NATS request/reply from one client process)",
    "",
    "| clients | direct to worker req/s | via scheduler req/s | direct p50 | via scheduler p50 | added p50 |",
    "|---|---|---|---|---|---|",
    ...hops.map((hop) => `| ${hop.concurrency} | ${rps(hop.direct.requestsPerSecond)} | ${rps(hop.viaScheduler.requestsPerSecond)} | ${ms(hop.direct.p50)} | ${ms(hop.viaScheduler.p50)} | ${ms(hop.addedP50Ms)} |`),
  ];
}

function coldStartSection(cold: ColdStartResult): string[] {
  return [
    `### Cold start (${cold.functions} fresh functions each; p50 / p99 / max ms)`,
    "",
    "| function | first call end to end | Init Duration in the worker | warm call end to end | Max Memory Used MB (p50 / p99 / max) |",
    "|---|---|---|---|---|",
    `| small | ${latency(cold.small.endToEnd)} | ${latency(cold.small.init)} | ${latency(cold.small.warmEndToEnd)} | ${cold.small.maxMemoryUsedMb ? latency(cold.small.maxMemoryUsedMb) : "–"} |`,
    `| ~${Math.round(cold.large.bundleBytes / 1024)} KB bundle | ${latency(cold.large.endToEnd)} | ${latency(cold.large.init)} | – | – |`,
    ...(cold.python
      ? [`| small, python3.12, back to back | ${latency(cold.python.endToEnd)} | ${latency(cold.python.init)} | ${latency(cold.python.warmEndToEnd)} | ${latency(cold.python.maxMemoryUsedMb)} |`]
      : []),
    ...(cold.pythonSpaced
      ? [`| small, python3.12, 3 s apart (spare ready) | ${latency(cold.pythonSpaced.endToEnd)} | ${latency(cold.pythonSpaced.init)} | ${latency(cold.pythonSpaced.warmEndToEnd)} | ${latency(cold.pythonSpaced.maxMemoryUsedMb)} |`]
      : []),
  ];
}

function packageColdStartSection(cold: PackageColdStartResult): string[] {
  return [
    `### First call after deploy, a function using ${cold.dependency} (${cold.functions} fresh functions, ${Math.round(cold.zipBytes / 1024)} KB zip; p50 / p99 / max ms)`,
    "",
    "| deploy (CreateFunction) | first call end to end | Init Duration in the worker | second call end to end |",
    "|---|---|---|---|",
    `| ${latency(cold.deploy)} | ${latency(cold.firstCall)} | ${latency(cold.init)} | ${latency(cold.secondCall)} |`,
  ];
}

function densitySection(rows: DensityResult[]): string[] {
  return [
    "### Density (one worker)",
    "",
    "| warm environments | worker and sandbox processes, RSS MB | per environment MB |",
    "|---|---|---|",
    ...rows.map((row) => `| ${row.warmEnvironments} | ${row.workerRssMb.toFixed(0)} | ${row.perEnvironmentMb.toFixed(2)} |`),
  ];
}

function asyncSection(result: AsyncEventsResult): string[] {
  const accepted = result.accepted;
  return [
    "### Async events (a no-op function)",
    "",
    "| clients | accepted req/s (durable, 202) | accept p50 / p99 ms | errors | queued | drained events/s |",
    "|---|---|---|---|---|---|",
    `| ${result.concurrency} | ${rps(accepted.requestsPerSecond.median)} | ${ms(accepted.p50.median)} / ${ms(accepted.p99.median)} | ${accepted.errors.median} | ${result.queued.toLocaleString("en-US")} | ${rps(result.drainedPerSecond)} |`,
  ];
}

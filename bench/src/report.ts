// Benchmark results as JSON and as Markdown tables, with the machine and commit they came from.
import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import type { AsyncEventsResult } from "./scenarios/async-events.js";
import type { ColdStartResult } from "./scenarios/cold-start.js";
import type { DensityResult } from "./scenarios/density.js";
import type { SchedulerHopResult } from "./scenarios/scheduler-hop.js";
import type { SyncInvokeRow } from "./scenarios/sync-invoke.js";
import type { TracingOverheadResult } from "./scenarios/tracing-overhead.js";
import { tracingSection } from "./scenarios/tracing-report.js";
import { functionCallsSection, type FunctionCallsRow } from "./scenarios/function-calls.js";
import { expressWorkflowsSection, type ExpressWorkflowRow } from "./scenarios/express-workflows.js";
import type { LatencySummary, Spread } from "./stats.js";

export interface BenchResults {
  startedAt: string;
  mode: "quick" | "full";
  machine: { cores: number; cpu: string; memoryGb: number; node: string; platform: string; commit: string };
  /** The HTTP load generator used (wrk where installed, else autocannon). */
  httpLoadGenerator: string;
  settings: Record<string, unknown>;
  syncInvoke: SyncInvokeRow[];
  schedulerHop: SchedulerHopResult[];
  coldStart: ColdStartResult;
  density: DensityResult[];
  async: AsyncEventsResult;
  tracing: TracingOverheadResult;
  /** Absent in results written before the scenario existed. */
  functionCalls?: FunctionCallsRow[];
  expressWorkflows?: ExpressWorkflowRow[];
}

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

export function toMarkdown(results: BenchResults): string {
  const lines: string[] = [];
  const { machine } = results;
  lines.push(
    `Run ${results.startedAt} (${results.mode}) on ${machine.cores} cores (${machine.cpu}), ${machine.memoryGb} GiB, Node ${machine.node}, commit ${machine.commit}. HTTP load: ${results.httpLoadGenerator}; gRPC load: a Node client process.`,
    "",
    "### Sync invoke, hello world",
    "",
    "Median of rounds, (min–max) across rounds. Latency in ms.",
    "",
    "| target | clients | req/s | p50 | p90 | p99 | max | errors | vs bare Node | vs workerd |",
    "|---|---|---|---|---|---|---|---|---|---|",
  );
  for (const row of results.syncInvoke) {
    const same = (target: string) => results.syncInvoke.find((other) => other.target === target && other.concurrency === row.concurrency);
    const ratio = (target: string): string => {
      const base = same(target);
      return base ? `${(row.result.requestsPerSecond.median / base.result.requestsPerSecond.median).toFixed(2)}×` : "–";
    };
    const r = row.result;
    lines.push(
      `| ${row.target} | ${row.concurrency} | ${range(r.requestsPerSecond, rps)} | ${ms(r.p50.median)} | ${ms(r.p90.median)} | ${ms(r.p99.median)} | ${ms(r.max.median)} | ${r.errors.median} | ${ratio("bare-node")} | ${ratio("workerd")} |`,
    );
  }
  const bare1 = results.syncInvoke.find((row) => row.target === "bare-node" && row.concurrency === 1);
  const lambent1 = results.syncInvoke.find((row) => row.target === "lambent-http" && row.concurrency === 1);
  const bare50 = results.syncInvoke.find((row) => row.target === "bare-node" && row.concurrency === 50);
  const lambent50 = results.syncInvoke.find((row) => row.target === "lambent-http" && row.concurrency === 50);
  if (bare1 && lambent1) {
    lines.push("", `Warm sync overhead over the bare server at 1 client: p50 +${ms(lambent1.result.p50.median - bare1.result.p50.median)} ms.`);
  }
  if (bare50 && lambent50) {
    lines.push(`At 50 clients: p99 ${ms(lambent50.result.p99.median)} ms (bare ${ms(bare50.result.p99.median)} ms).`);
  }
  lines.push("", "### Scheduler hop (NATS request/reply from one client process)", "", "| clients | direct to worker req/s | via scheduler req/s | direct p50 | via scheduler p50 | added p50 |", "|---|---|---|---|---|---|");
  for (const hop of results.schedulerHop) {
    lines.push(`| ${hop.concurrency} | ${rps(hop.direct.requestsPerSecond)} | ${rps(hop.viaScheduler.requestsPerSecond)} | ${ms(hop.direct.p50)} | ${ms(hop.viaScheduler.p50)} | ${ms(hop.addedP50Ms)} |`);
  }
  const cold = results.coldStart;
  lines.push(
    "",
    `### Cold start (${cold.functions} fresh functions each; p50 / p99 / max ms)`,
    "",
    "| function | first call end to end | Init Duration in the worker | warm call end to end |",
    "|---|---|---|---|",
    `| small | ${latency(cold.small.endToEnd)} | ${latency(cold.small.init)} | ${latency(cold.small.warmEndToEnd)} |`,
    `| ~${Math.round(cold.large.bundleBytes / 1024)} KB bundle | ${latency(cold.large.endToEnd)} | ${latency(cold.large.init)} | – |`,
    "",
    "### Density (one worker)",
    "",
    "| warm environments | worker RSS MB | per environment MB |",
    "|---|---|---|",
    ...results.density.map((row) => `| ${row.warmEnvironments} | ${row.workerRssMb.toFixed(0)} | ${row.perEnvironmentMb.toFixed(2)} |`),
    "",
    "### Async events (a no-op function)",
    "",
    "| clients | accepted req/s (durable, 202) | accept p50 / p99 ms | errors | queued | drained events/s |",
    "|---|---|---|---|---|---|",
    asyncRow(results.async),
    "",
    ...tracingSection(results.tracing),
    ...(results.functionCalls ? ["", ...functionCallsSection(results.functionCalls)] : []),
    ...(results.expressWorkflows ? ["", ...expressWorkflowsSection(results.expressWorkflows)] : []),
  );
  return lines.join("\n") + "\n";
}

function asyncRow(result: AsyncEventsResult): string {
  const accepted = result.accepted;
  return `| ${result.concurrency} | ${Math.round(accepted.requestsPerSecond.median).toLocaleString("en-US")} | ${accepted.p50.median.toFixed(2)} / ${accepted.p99.median.toFixed(2)} | ${accepted.errors.median} | ${result.queued.toLocaleString("en-US")} | ${Math.round(result.drainedPerSecond).toLocaleString("en-US")} |`;
}

// The performance targets (issue 16's list) held against one run's numbers: each says what was measured
// and whether it is met. Targets whose scenario did not run are left out.
import type { BenchResults } from "./results.js";

interface Target {
  name: string;
  goal: string;
  /** The measured value as text, and whether it meets the goal; undefined when not measured. */
  check(results: BenchResults): { measured: string; met: boolean } | undefined;
}

const rpsAt = (results: BenchResults, target: string, concurrency: number): number | undefined =>
  results.syncInvoke?.find((row) => row.target === target && row.concurrency === concurrency)?.result.requestsPerSecond.median;
const syncRow = (results: BenchResults, target: string, concurrency: number) =>
  results.syncInvoke?.find((row) => row.target === target && row.concurrency === concurrency)?.result;
const ratio = (value: number | undefined, base: number | undefined): number | undefined =>
  value !== undefined && base !== undefined && base > 0 ? value / base : undefined;

const TARGETS: Target[] = [
  {
    name: "one node, req/s at 50 clients",
    goal: "≥ 1.0× workerd",
    check: (r) => {
      const x = ratio(rpsAt(r, "lambent-http", 50), rpsAt(r, "workerd", 50));
      return x === undefined ? undefined : { measured: `${x.toFixed(2)}× workerd`, met: x >= 1 };
    },
  },
  {
    name: "one node, p99 at 50 clients",
    goal: "≤ 10 ms",
    check: (r) => {
      const p99 = syncRow(r, "lambent-http", 50)?.p99.median;
      return p99 === undefined ? undefined : { measured: `${p99.toFixed(2)} ms`, met: p99 <= 10 };
    },
  },
  {
    name: "one node, p50 at 1 client above bare Node",
    goal: "≤ 0.3 ms",
    check: (r) => {
      const lambent = syncRow(r, "lambent-http", 1)?.p50.median;
      const bare = syncRow(r, "bare-node", 1)?.p50.median;
      if (lambent === undefined || bare === undefined) return undefined;
      return { measured: `+${(lambent - bare).toFixed(2)} ms`, met: lambent - bare <= 0.3 };
    },
  },
  {
    name: "separate nodes, req/s at 50 clients",
    goal: "≥ 0.6× workerd",
    check: (r) => {
      const x = ratio(r.separateNodes?.find((row) => row.concurrency === 50)?.result.requestsPerSecond.median, rpsAt(r, "workerd", 50));
      return x === undefined ? undefined : { measured: `${x.toFixed(2)}× workerd`, met: x >= 0.6 };
    },
  },
  {
    name: "separate nodes, p99 at 50 clients",
    goal: "≤ 20 ms",
    check: (r) => {
      const p99 = r.separateNodes?.find((row) => row.concurrency === 50)?.result.p99.median;
      return p99 === undefined ? undefined : { measured: `${p99.toFixed(2)} ms`, met: p99 <= 20 };
    },
  },
  {
    name: "gRPC Invoke at 50 clients",
    goal: "within 20% of HTTP",
    check: (r) => {
      const x = ratio(rpsAt(r, "lambent-grpc", 50), rpsAt(r, "lambent-http", 50));
      return x === undefined ? undefined : { measured: `${x.toFixed(2)}× HTTP`, met: x >= 0.8 };
    },
  },
  {
    name: "Init Duration p50, small function",
    goal: "≤ 5 ms",
    check: (r) => (r.coldStart ? { measured: `${r.coldStart.small.init.p50.toFixed(2)} ms`, met: r.coldStart.small.init.p50 <= 5 } : undefined),
  },
  {
    name: "Init Duration p50, ~1 MB bundle",
    goal: "≤ 20 ms",
    check: (r) => (r.coldStart ? { measured: `${r.coldStart.large.init.p50.toFixed(2)} ms`, met: r.coldStart.large.init.p50 <= 20 } : undefined),
  },
  {
    name: "first call after deploy, handlebars, p50 end to end",
    goal: "≤ 50 ms",
    check: (r) => (r.packageColdStart ? { measured: `${r.packageColdStart.firstCall.p50.toFixed(2)} ms`, met: r.packageColdStart.firstCall.p50 <= 50 } : undefined),
  },
  {
    name: "async drain through a no-op function",
    goal: "≥ 10,000 events/s",
    check: (r) => (r.async ? { measured: `${Math.round(r.async.drainedPerSecond).toLocaleString("en-US")} events/s`, met: r.async.drainedPerSecond >= 10_000 } : undefined),
  },
  {
    name: "function-to-function call, added p50 at 1 client",
    goal: "≤ 0.3 ms",
    check: (r) => {
      const row = r.functionCalls?.find((call) => call.concurrency === 1);
      return row ? { measured: `+${row.addedP50Ms.toFixed(2)} ms`, met: row.addedP50Ms <= 0.3 } : undefined;
    },
  },
  {
    name: "tracing at 100% sampling, throughput cost",
    goal: "≤ 15%",
    check: (r) => {
      if (!r.tracing) return undefined;
      const cpu = r.tracing.cpuCostPercent === undefined ? "" : ` (CPU per call +${r.tracing.cpuCostPercent.toFixed(0)}%)`;
      return { measured: `${r.tracing.throughputCostPercent.toFixed(1)}%${cpu}`, met: r.tracing.throughputCostPercent <= 15 };
    },
  },
];

export function targetsSection(results: BenchResults): string[] {
  const rows = TARGETS.flatMap((target) => {
    const outcome = target.check(results);
    return outcome ? [`| ${target.name} | ${target.goal} | ${outcome.measured} | ${outcome.met ? "met" : "not met"} |`] : [];
  });
  if (rows.length === 0) return [];
  return ["### Targets", "", "| target | goal | measured | |", "|---|---|---|---|", ...rows];
}

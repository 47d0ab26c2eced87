// The tracing-overhead scenario as Markdown lines for the benchmark report.
import { TRACED_SERVICES, type TracingOverheadResult } from "./tracing-overhead.js";

export function tracingSection(result: TracingOverheadResult): string[] {
  const row = (label: string, load: TracingOverheadResult["off"]): string =>
    `| ${label} | ${Math.round(load.requestsPerSecond.median).toLocaleString("en-US")} | ${load.p50.median.toFixed(2)} | ${load.p99.median.toFixed(2)} | ${load.errors.median} |`;
  return [
    `### Tracing overhead (sync invoke over HTTP, ${result.concurrency} clients)`,
    "",
    "| tracing | req/s | p50 ms | p99 ms | errors |",
    "|---|---|---|---|---|",
    row("off (no OTLP endpoint)", result.off),
    row("100% sampled, OTLP/HTTP to a discarding sink", result.sampledAll),
    "",
    `Throughput cost of tracing every call: ${result.throughputCostPercent.toFixed(1)}% (${result.exportRequests} OTLP exports received).`,
    ...cpuLines(result),
  ];
}

/** CPU per call by service, untraced against traced: steadier than the rate on a shared machine. */
function cpuLines(result: TracingOverheadResult): string[] {
  const { offCpu, sampledAllCpu } = result;
  if (!offCpu || !sampledAllCpu) return [];
  const cell = (value: { median: number; min: number; max: number }): string => `${Math.round(value.median)} (${Math.round(value.min)}–${Math.round(value.max)})`;
  return [
    "",
    "| CPU per call, µs (median, min–max over rounds) | untraced | 100% sampled |",
    "|---|---|---|",
    ...TRACED_SERVICES.map((service) => `| ${service === "worker" ? "worker and its sandbox processes" : service} | ${cell(offCpu[service])} | ${cell(sampledAllCpu[service])} |`),
    "",
    `CPU per call added by tracing, all services together: ${(result.cpuCostPercent ?? 0).toFixed(1)}%.`,
  ];
}

// The tracing-overhead scenario as Markdown lines for the benchmark report.
import type { TracingOverheadResult } from "./tracing-overhead.js";

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
  ];
}

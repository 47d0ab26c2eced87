// Functions calling functions: warm sync invokes over HTTP of the hello function directly, and of a caller
// function that invokes it synchronously through `lambent:functions` (client → frontend → scheduler →
// caller's worker → scheduler → callee's worker → back). The difference is what one call from a function
// to another costs.
import { fileURLToPath } from "node:url";
import { httpLoad } from "../load/http-load.js";
import type { LoadResult } from "../stats.js";
import { deployFunction, zipFolder, type LambentTarget } from "../targets/lambent.js";

const CALLER_FOLDER = fileURLToPath(new URL("../../fixtures/caller", import.meta.url));
const PAYLOAD = { name: "bench" };

export interface FunctionCallsRow {
  concurrency: number;
  direct: LoadResult;
  viaCall: LoadResult;
  /** Latency a function-to-function call adds, at the median and the 99th percentile, in ms. */
  addedP50Ms: number;
  addedP99Ms: number;
}

export interface FunctionCallsOptions {
  concurrencies: number[];
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
}

export async function functionCalls(lambent: LambentTarget, calleeName: string, options: FunctionCallsOptions): Promise<FunctionCallsRow[]> {
  const caller = await deployFunction(lambent.httpUrl, "bench-caller", zipFolder(CALLER_FOLDER));
  const url = (name: string): string => `${lambent.httpUrl}/2015-03-31/functions/${name}/invocations`;
  const rows: FunctionCallsRow[] = [];
  for (const concurrency of options.concurrencies) {
    const load = { connections: concurrency, durationSeconds: options.durationSeconds, warmupSeconds: options.warmupSeconds };
    const direct = await httpLoad({ ...load, url: url(calleeName), body: JSON.stringify(PAYLOAD) }, options.rounds);
    const viaCall = await httpLoad({ ...load, url: url(caller.name), body: JSON.stringify({ callee: calleeName, payload: PAYLOAD }) }, options.rounds);
    rows.push({ concurrency, direct, viaCall, addedP50Ms: viaCall.p50.median - direct.p50.median, addedP99Ms: viaCall.p99.median - direct.p99.median });
  }
  return rows;
}

/** The scenario as Markdown lines for the benchmark report. */
export function functionCallsSection(rows: FunctionCallsRow[]): string[] {
  const rps = (load: LoadResult): string => Math.round(load.requestsPerSecond.median).toLocaleString("en-US");
  return [
    "### Functions calling functions (sync over HTTP: the callee directly, and a caller that invokes it through lambent:functions)",
    "",
    "| clients | direct req/s | via a call req/s | direct p50 / p99 ms | via a call p50 / p99 ms | added p50 / p99 ms | errors |",
    "|---|---|---|---|---|---|---|",
    ...rows.map(
      (row) =>
        `| ${row.concurrency} | ${rps(row.direct)} | ${rps(row.viaCall)} | ${row.direct.p50.median.toFixed(2)} / ${row.direct.p99.median.toFixed(2)} | ${row.viaCall.p50.median.toFixed(2)} / ${row.viaCall.p99.median.toFixed(2)} | ${row.addedP50Ms.toFixed(2)} / ${row.addedP99Ms.toFixed(2)} | ${row.direct.errors.median + row.viaCall.errors.median} |`,
    ),
  ];
}

// HTTP load in a separate process — wrk where installed (microsecond latencies), else autocannon — for a
// bounded number of rounds, each with the machine's load during it.
import { join } from "node:path";
import { BENCH_DIST, runJsonProcess } from "../processes.js";
import { combineRounds, measuredRound, type GeneratorRound, type LoadResult, type LoadRound } from "../stats.js";
import type { HttpLoadOptions } from "./http-load-options.js";
import { wrkAvailable, wrkRound } from "./wrk.js";

export const httpLoadGenerator: "wrk" | "autocannon" = wrkAvailable() ? "wrk" : "autocannon";

export async function httpLoad(options: HttpLoadOptions, rounds: number): Promise<LoadResult> {
  const results: LoadRound[] = [];
  for (let round = 0; round < rounds; round++) results.push(await httpRound(round === 0 ? options : { ...options, warmupSeconds: 0 }));
  return combineRounds(results);
}

/** One measured round, after `warmupSeconds` of load that is not measured. */
export async function httpRound(options: HttpLoadOptions): Promise<LoadRound> {
  if (httpLoadGenerator === "wrk") {
    if (options.warmupSeconds > 0) await wrkRound(options, options.warmupSeconds);
    return measuredRound(() => wrkRound(options, options.durationSeconds));
  }
  return measuredRound(() =>
    runJsonProcess<GeneratorRound>(join(BENCH_DIST, "load", "http-load-process.js"), options, (options.durationSeconds + options.warmupSeconds + 30) * 1000),
  );
}

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
  if (httpLoadGenerator === "wrk") {
    if (options.warmupSeconds > 0) await wrkRound(options, options.warmupSeconds);
    for (let round = 0; round < rounds; round++) results.push(await measuredRound(() => wrkRound(options, options.durationSeconds)));
    return combineRounds(results);
  }
  for (let round = 0; round < rounds; round++) {
    const first = round === 0;
    results.push(
      await measuredRound(() =>
        runJsonProcess<GeneratorRound>(
          join(BENCH_DIST, "load", "http-load-process.js"),
          { ...options, warmupSeconds: first ? options.warmupSeconds : 0 },
          (options.durationSeconds + options.warmupSeconds + 30) * 1000,
        ),
      ),
    );
  }
  return combineRounds(results);
}

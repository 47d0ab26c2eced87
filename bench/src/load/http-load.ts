// HTTP load in a separate process (autocannon), a bounded number of rounds.
import { join } from "node:path";
import { BENCH_DIST, runJsonProcess } from "../processes.js";
import { combineRounds, type LoadResult, type LoadRound } from "../stats.js";

export interface HttpLoadOptions {
  url: string;
  body: string;
  headers?: Record<string, string>;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

export async function httpLoad(options: HttpLoadOptions, rounds: number): Promise<LoadResult> {
  const results: LoadRound[] = [];
  for (let round = 0; round < rounds; round++) {
    const first = round === 0;
    results.push(
      await runJsonProcess<LoadRound>(
        join(BENCH_DIST, "load", "http-load-process.js"),
        { ...options, warmupSeconds: first ? options.warmupSeconds : 0 },
        (options.durationSeconds + options.warmupSeconds + 30) * 1000,
      ),
    );
  }
  return combineRounds(results);
}

// Percentiles of latency samples, and medians (with min and max) across rounds.
import { withMachineLoad } from "./machine-load.js";


export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN };
}

/** What a load generator measures in one round. */
export interface GeneratorRound extends LatencySummary {
  requestsPerSecond: number;
  errors: number;
}

/** One measured round of a load run, with how many cores other work kept busy meanwhile. */
export interface LoadRound extends GeneratorRound {
  otherCores: number;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export type LoadResult = { [K in keyof LoadRound]: Spread };

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: percentile(sorted, 0.5), min: sorted[0] ?? Number.NaN, max: sorted.at(-1) ?? Number.NaN };
}

/** Runs one load generator round and adds the machine's load during it. */
export async function measuredRound(run: () => Promise<GeneratorRound>): Promise<LoadRound> {
  const { value, load } = await withMachineLoad(run);
  return { ...value, otherCores: load.otherCores };
}

export function combineRounds(rounds: readonly LoadRound[]): LoadResult {
  const keys: (keyof LoadRound)[] = ["requestsPerSecond", "p50", "p90", "p99", "max", "errors", "otherCores"];
  return Object.fromEntries(keys.map((key) => [key, spread(rounds.map((round) => round[key]))])) as LoadResult;
}

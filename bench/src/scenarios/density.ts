// Density: memory per warm idle environment on one worker, with N distinct functions warm.
import { readFileSync } from "node:fs";
import { strToU8, zipSync } from "fflate";
import { deployFunction, invokeWithReport, type LambentTarget } from "../targets/lambent.js";

export interface DensityResult {
  warmEnvironments: number;
  workerRssMb: number;
  /** RSS growth per environment over the worker's RSS before these were warmed. */
  perEnvironmentMb: number;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

export async function density(lambent: LambentTarget, steps: number[]): Promise<DensityResult[]> {
  const pid = lambent.cluster.workers[0]!.process.pid!;
  const run = Date.now().toString(36);
  const baseline = rssMb(pid);
  const results: DensityResult[] = [];
  let deployed = 0;
  for (const target of steps) {
    const batch: string[] = [];
    for (; deployed < target; deployed++) {
      const name = `dense-${run}-${deployed}`;
      const zip = zipSync({ "index.mjs": strToU8(`let calls = 0; export const handler = async () => ({ fn: ${deployed}, calls: ++calls });`) });
      await deployFunction(lambent.httpUrl, name, zip);
      batch.push(name);
    }
    // Warm each new function once, a few at a time.
    for (let index = 0; index < batch.length; index += 8) {
      await Promise.all(batch.slice(index, index + 8).map((name) => invokeWithReport(lambent.httpUrl, name)));
    }
    const rss = rssMb(pid);
    results.push({ warmEnvironments: target, workerRssMb: rss, perEnvironmentMb: (rss - baseline) / target });
  }
  return results;
}

// Density: memory per warm idle environment on one worker, with N distinct functions warm. Environments
// live in the worker's sandbox processes, so the worker's RSS is counted with its child processes'.
import { readFileSync } from "node:fs";
import { strToU8, zipSync } from "fflate";
import { childrenOf } from "../machine-load.js";
import { deployFunction, invokeWithReport, type LambentTarget } from "../targets/lambent.js";

export interface DensityResult {
  warmEnvironments: number;
  /** RSS of the worker and every process under it (its sandbox processes). */
  workerRssMb: number;
  /** RSS growth per environment over the worker's RSS before these were warmed. */
  perEnvironmentMb: number;
}

/** A /proc file's text, or "" when its process or thread has ended since it was listed. */
function procText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(procText(`/proc/${pid}/status`));
  return match ? Number(match[1]) / 1024 : 0;
}

function treeRssMb(pid: number): number {
  return childrenOf(pid).reduce((total, child) => total + treeRssMb(child), rssMb(pid));
}

export async function density(lambent: LambentTarget, steps: number[]): Promise<DensityResult[]> {
  const pid = lambent.cluster.workers[0]!.process.pid!;
  const run = Date.now().toString(36);
  const baseline = treeRssMb(pid);
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
    const rss = treeRssMb(pid);
    results.push({ warmEnvironments: target, workerRssMb: rss, perEnvironmentMb: (rss - baseline) / target });
  }
  return results;
}

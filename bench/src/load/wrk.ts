// HTTP load with wrk (when installed): microsecond latency percentiles and little client overhead.
import { execFile, execFileSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { GeneratorRound } from "../stats.js";
import type { HttpLoadOptions } from "./http-load-options.js";

const run = promisify(execFile);

export function wrkAvailable(): boolean {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
    return true;
  } catch (error) {
    // wrk prints its version and exits 1; only a missing binary throws ENOENT.
    return (error as NodeJS.ErrnoException).code !== "ENOENT";
  }
}

export async function wrkRound(options: HttpLoadOptions, durationSeconds: number): Promise<GeneratorRound> {
  const directory = await mkdtemp(join(tmpdir(), "lambent-wrk-"));
  try {
    const script = join(directory, "post.lua");
    const headers = Object.entries({ "Content-Type": "application/json", ...options.headers })
      .map(([name, value]) => `wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}`)
      .join("\n");
    await writeFile(script, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(options.body)}\n${headers}\n`);
    const threads = Math.min(2, options.connections);
    const { stdout } = await run(
      "wrk",
      ["-t", String(threads), "-c", String(options.connections), "-d", `${durationSeconds}s`, "--latency", "-s", script, options.url],
      { timeout: (durationSeconds + 30) * 1000 },
    );
    return parseWrk(stdout);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function toMs(value: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim());
  return match ? Number(match[1]) * UNIT_MS[match[2]!]! : Number.NaN;
}

export function parseWrk(output: string): GeneratorRound {
  const percentile = (label: string): number => {
    const match = new RegExp(`^\\s*${label}%\\s+(\\S+)`, "m").exec(output);
    return match ? toMs(match[1]!) : Number.NaN;
  };
  const latencyLine = /^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(output);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const socketErrors = socket ? socket.slice(1).reduce((sum, count) => sum + Number(count), 0) : 0;
  return {
    requestsPerSecond: rps ? Number(rps[1]) : 0,
    p50: percentile("50"),
    p90: percentile("90"),
    p99: percentile("99"),
    max: latencyLine ? toMs(latencyLine[3]!) : Number.NaN,
    errors: (non2xx ? Number(non2xx[1]) : 0) + socketErrors,
  };
}

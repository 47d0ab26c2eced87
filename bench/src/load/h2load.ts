// gRPC load with h2load (nghttp2's native HTTP/2 load generator, when installed): one unary Invoke
// message sent over and over, so the generator is not what limits the rate. h2load sees HTTP statuses,
// not gRPC's status trailers, so a call through @grpc/grpc-js checks the request succeeds before a run.
import { execFile, execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { summarize, type GeneratorRound } from "../stats.js";

const run = promisify(execFile);

export function h2loadAvailable(): boolean {
  try {
    execFileSync("h2load", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export interface H2LoadOptions {
  /** http://host:port/package.Service/Method */
  url: string;
  /** The gRPC message, already framed (a 0 byte, a 4-byte length, the protobuf). */
  framedMessage: Uint8Array;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

export async function h2loadRound(options: H2LoadOptions): Promise<GeneratorRound> {
  const directory = await mkdtemp(join(tmpdir(), "lambent-h2load-"));
  try {
    const body = join(directory, "message.bin");
    const log = join(directory, "requests.log");
    await writeFile(body, options.framedMessage);
    const args = ["-c", String(options.connections), "-m", "1", "-t", "1", "-D", String(options.durationSeconds), "-d", body, "-H", "content-type: application/grpc", "-H", "te: trailers", "--log-file", log];
    if (options.warmupSeconds > 0) args.push("--warm-up-time", String(options.warmupSeconds));
    const { stdout } = await run("h2load", [...args, options.url], { timeout: (options.durationSeconds + options.warmupSeconds + 30) * 1000 });
    return parseH2load(stdout, await readFile(log, "utf8"));
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** h2load prints rates and counts; latency percentiles come from its per-request log (µs in column 3). */
export function parseH2load(output: string, requestLog: string): GeneratorRound {
  const rate = /finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(output);
  const counts = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(output);
  const latencies = requestLog
    .split("\n")
    .filter(Boolean)
    .map((line) => Number(line.split("\t")[2]) / 1000);
  return {
    requestsPerSecond: rate ? Number(rate[1]) : 0,
    errors: counts ? Number(counts[2]) + Number(counts[3]) + Number(counts[4]) : Number.NaN,
    ...summarize(latencies),
  };
}

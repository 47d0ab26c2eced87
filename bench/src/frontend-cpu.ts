// `node bench/dist/frontend-cpu.js [requests] [clients] [rounds]`: CPU the frontend process spends per warm
// Invoke over HTTP and over gRPC, read from /proc (user + system time across a fixed number of requests).
// The same native generator (h2load, HTTP/1.1 for the Lambda HTTP API, HTTP/2 for gRPC) drives both, so
// the frontend's own cost per request is compared, whatever else the machine is doing.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { InvokeRequest, LogType, InvocationType } from "@lambent/proto";
import { processCpuSeconds } from "./machine-load.js";
import { HELLO_FOLDER, deployFunction, startLambent, zipFolder } from "./targets/lambent.js";

const run = promisify(execFile);
const [requests = 20_000, clients = 50, rounds = 3] = process.argv.slice(2).map(Number);
const PAYLOAD = JSON.stringify({ name: "bench" });

interface Measure {
  transport: "http" | "grpc";
  requestsPerSecond: number;
  failed: number;
  cpuMicrosPerRequest: number;
}

async function h2load(args: string[], url: string): Promise<{ requestsPerSecond: number; failed: number }> {
  const { stdout } = await run("h2load", [...args, url], { timeout: 300_000 });
  const rate = /finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(stdout);
  const counts = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(stdout);
  return { requestsPerSecond: rate ? Number(rate[1]) : 0, failed: counts ? Number(counts[2]) + Number(counts[3]) + Number(counts[4]) : Number.NaN };
}

async function measure(transport: Measure["transport"], pid: number, args: string[], url: string): Promise<Measure> {
  await h2load([...args.map((arg) => (arg === String(requests) ? String(Math.min(2000, requests)) : arg))], url);
  const before = processCpuSeconds(pid);
  const result = await h2load(args, url);
  const used = processCpuSeconds(pid) - before;
  return { transport, ...result, cpuMicrosPerRequest: Math.round((used / requests) * 1e6) };
}

const lambent = await startLambent();
const directory = await mkdtemp(join(tmpdir(), "lambent-frontend-cpu-"));
try {
  const hello = await deployFunction(lambent.httpUrl, "frontend-cpu-hello", zipFolder(HELLO_FOLDER));
  const pid = lambent.cluster.frontends[0]!.process.pid!;
  const httpBody = join(directory, "payload.json");
  await writeFile(httpBody, PAYLOAD);
  const message = InvokeRequest.encode({
    functionName: hello.name,
    qualifier: "",
    payload: Buffer.from(PAYLOAD),
    invocationType: InvocationType.REQUEST_RESPONSE,
    logType: LogType.NONE,
    clientContext: "",
  }).finish();
  const framed = Buffer.alloc(5 + message.length);
  framed.writeUInt32BE(message.length, 1);
  framed.set(message, 5);
  const grpcBody = join(directory, "message.bin");
  await writeFile(grpcBody, framed);
  const common = ["-n", String(requests), "-c", String(clients), "-m", "1", "-t", "1"];
  const results: Measure[] = [];
  for (let round = 0; round < rounds; round += 1) {
    results.push(await measure("http", pid, [...common, "--h1", "-d", httpBody], `${lambent.httpUrl}/2015-03-31/functions/${hello.name}/invocations`));
    results.push(
      await measure("grpc", pid, [...common, "-d", grpcBody, "-H", "content-type: application/grpc", "-H", "te: trailers"], `http://${lambent.grpcAddress}/lambent.v1.Lambda/Invoke`),
    );
  }
  process.stdout.write(`${JSON.stringify({ requests, clients, results }, null, 1)}\n`);
} finally {
  await rm(directory, { recursive: true, force: true });
  await lambent.stop();
}

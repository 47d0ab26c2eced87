// A fresh Lambent cluster for the benchmark (its own nats-server and data), and deploying functions to it.
import { mkdtemp, rm } from "node:fs/promises";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { zipSync } from "fflate";
import { startLocalCluster, waitUntilHealthy, type LocalCluster } from "@lambent/local-cluster";

export interface LambentTarget {
  cluster: LocalCluster;
  httpUrl: string;
  grpcAddress: string;
  stop(): Promise<void>;
}

export async function startLambent(env: Record<string, string> = {}): Promise<LambentTarget> {
  const dataDir = await mkdtemp(join(tmpdir(), "lambent-bench-"));
  const cluster = await startLocalCluster({ dataDir, env: { LAMBENT_LOG_LEVEL: "warn", ...env } });
  const endpoint = cluster.endpoints[0]!;
  await waitUntilHealthy(endpoint.httpUrl);
  return {
    cluster,
    httpUrl: endpoint.httpUrl,
    grpcAddress: endpoint.grpcAddress,
    stop: async () => {
      await cluster.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The multi-node shape on one machine: scheduler, worker and frontend each with its own LAMBENT_NODE_ID,
 * so nothing takes the same-node shortcut and every call crosses NATS.
 */
export async function startLambentSeparateNodes(env: Record<string, string> = {}): Promise<LambentTarget> {
  const dataDir = await mkdtemp(join(tmpdir(), "lambent-bench-"));
  const cluster = await startLocalCluster({ dataDir, frontends: 0, workers: 0, env: { LAMBENT_LOG_LEVEL: "warn", LAMBENT_NODE_ID: "bench-node-a", ...env } });
  try {
    await cluster.add("worker", { LAMBENT_NODE_ID: "bench-node-b" });
    await cluster.add("frontend", { LAMBENT_NODE_ID: "bench-node-c" });
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  const endpoint = cluster.endpoints[0]!;
  await waitUntilHealthy(endpoint.httpUrl);
  return {
    cluster,
    httpUrl: endpoint.httpUrl,
    grpcAddress: endpoint.grpcAddress,
    stop: async () => {
      await cluster.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function zipFolder(folder: string): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  const walk = (directory: string): void => {
    for (const name of readdirSync(directory)) {
      const path = join(directory, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(folder, path)] = readFileSync(path);
    }
  };
  walk(folder);
  return zipSync(files);
}

export const HELLO_FOLDER = fileURLToPath(new URL("../../fixtures/hello", import.meta.url));

export interface DeployedFunction {
  name: string;
  version: string;
  revisionId: string;
}

export async function deployFunction(httpUrl: string, name: string, zip: Uint8Array, memorySize = 128, runtime: { Runtime: string; Handler: string } = { Runtime: "nodejs20.x", Handler: "index.handler" }): Promise<DeployedFunction> {
  const response = await fetch(`${httpUrl}/2015-03-31/functions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      FunctionName: name,
      ...runtime,
      Role: "arn:aws:iam::000000000000:role/bench",
      MemorySize: memorySize,
      Code: { ZipFile: Buffer.from(zip).toString("base64") },
    }),
  });
  const body = (await response.json()) as { Version: string; RevisionId: string; message?: string };
  if (response.status !== 201) throw new Error(`deploying ${name} failed: ${response.status} ${body.message}`);
  return { name, version: body.Version, revisionId: body.RevisionId };
}

export interface InvokeTiming {
  status: number;
  totalMs: number;
  /** From the REPORT line, when the call was a cold start. */
  initDurationMs: number | undefined;
  durationMs: number | undefined;
  /** REPORT's Max Memory Used: the environment's heap, and for Python its wasm memory. */
  maxMemoryUsedMb: number | undefined;
}

/** One invocation with the log tail, timed end to end. */
export async function invokeWithReport(httpUrl: string, name: string, payload = "{}"): Promise<InvokeTiming> {
  const started = performance.now();
  const response = await fetch(`${httpUrl}/2015-03-31/functions/${name}/invocations`, {
    method: "POST",
    headers: { "x-amz-log-type": "Tail" },
    body: payload,
  });
  await response.arrayBuffer();
  const totalMs = performance.now() - started;
  const log = Buffer.from(response.headers.get("x-amz-log-result") ?? "", "base64").toString();
  const init = /Init Duration: ([\d.]+) ms/.exec(log);
  const duration = /\tDuration: ([\d.]+) ms/.exec(log);
  const memory = /Max Memory Used: (\d+) MB/.exec(log);
  return {
    status: response.status,
    totalMs,
    initDurationMs: init ? Number(init[1]) : undefined,
    durationMs: duration ? Number(duration[1]) : undefined,
    maxMemoryUsedMb: memory ? Number(memory[1]) : undefined,
  };
}

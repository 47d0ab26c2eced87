// Usage metering on a real cluster: requests counted exactly per function version, GB-seconds equal to
// memory × billed duration summed over the calls, cost at the configured prices, the same over HTTP,
// gRPC and the CLI, and a deleted function's usage gone with it.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { DeleteFunctionCommand, InvokeCommand, LambdaClient as AwsLambdaClient, PublishVersionCommand } from "@aws-sdk/client-lambda";
import { Kvm, type KV } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { LambdaClient as GrpcLambdaClient, type GetUsageResponse } from "@lambent/proto";
import { Buckets } from "@lambent/protocol";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";

const CLI = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));
const PRICE_PER_MILLION_REQUESTS = 2;
const PRICE_PER_GB_SECOND = 0.5;

const sleeper = zipFiles({
  "index.js": `exports.handler = async (event) => { await new Promise((r) => setTimeout(r, event.ms)); return "ok"; };`,
});

let cluster: TestCluster;
let lambda: AwsLambdaClient;
let grpcClient: GrpcLambdaClient;
let nc: NatsConnection;
let kv: KV;

beforeAll(async () => {
  cluster = await startTestCluster({
    env: { LAMBENT_PRICE_PER_MILLION_REQUESTS: String(PRICE_PER_MILLION_REQUESTS), LAMBENT_PRICE_PER_GB_SECOND: String(PRICE_PER_GB_SECOND) },
  });
  lambda = new AwsLambdaClient(lambdaClientConfig(cluster.httpUrl));
  grpcClient = new GrpcLambdaClient(cluster.grpcAddress, grpc.credentials.createInsecure());
  nc = await connect({ ...cluster.natsOptions() });
  kv = await new Kvm(nc).open(Buckets.functions);
}, 120_000);

afterAll(async () => {
  grpcClient?.close();
  lambda?.destroy();
  await nc?.close();
  await cluster?.stop();
});

/** Invokes with the log tail and returns the billed milliseconds from the REPORT line. */
async function invokeBilled(name: string, qualifier: string | undefined, ms: number): Promise<number> {
  const answer = await lambda.send(
    new InvokeCommand({ FunctionName: name, Qualifier: qualifier, LogType: "Tail", Payload: new TextEncoder().encode(JSON.stringify({ ms })) }),
  );
  expect(answer.FunctionError).toBeUndefined();
  const log = Buffer.from(answer.LogResult!, "base64").toString("utf8");
  const billed = /Billed Duration: (\d+) ms/.exec(log);
  expect(billed, log).not.toBeNull();
  return Number(billed![1]);
}

/** Resolves once the KV document of the key says `requests` calls (the workers flush about once a second). */
async function awaitMetered(key: string, requests: number): Promise<void> {
  const watcher = await kv.watch({ key });
  try {
    for await (const entry of watcher) {
      if (entry.operation !== "PUT") continue;
      const counted = (JSON.parse(new TextDecoder().decode(entry.value)) as { requests: number }).requests;
      if (counted >= requests) return;
    }
  } finally {
    watcher.stop();
  }
}

function lambent(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, LAMBENT_ENDPOINT: cluster.httpUrl } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

interface Figures {
  Requests: number;
  BilledDurationMs: number;
  GbSeconds: number;
  EstimatedCost: number;
}
interface Report extends Figures {
  Functions: (Figures & { FunctionName: string; Versions: (Figures & { Version: string })[] })[];
  Prices: { PerMillionRequests: number; PerGbSecond: number };
}

const gbSeconds = (memoryMb: number, billed: number[]): number => billed.reduce((sum, ms) => sum + (memoryMb / 1024) * (ms / 1000), 0);
const cost = (requests: number, gbs: number): number => (requests / 1e6) * PRICE_PER_MILLION_REQUESTS + gbs * PRICE_PER_GB_SECOND;

describe("usage metering", () => {
  it("counts requests and GB-seconds per version, with cost at the configured prices, over HTTP, gRPC and the CLI", async () => {
    await createTestFunction(lambda, "metered", sleeper, { MemorySize: 256 });
    await createTestFunction(lambda, "idle", sleeper, { MemorySize: 128 });
    const latest: number[] = [];
    for (let i = 0; i < 5; i++) latest.push(await invokeBilled("metered", undefined, 20));
    await lambda.send(new PublishVersionCommand({ FunctionName: "metered" }));
    const one: number[] = [];
    for (let i = 0; i < 3; i++) one.push(await invokeBilled("metered", "1", 50));
    await awaitMetered("usage.metered.LATEST", 5);
    await awaitMetered("usage.metered.1", 3);

    const response = await fetch(`${cluster.httpUrl}/lambent/2024-01-01/functions/metered/usage`);
    expect(response.status).toBe(200);
    const report = (await response.json()) as Report;
    expect(report.Functions).toHaveLength(1);
    const [fn] = report.Functions;
    expect(fn!.FunctionName).toBe("metered");
    expect(fn!.Versions.map((version) => version.Version)).toEqual(["$LATEST", "1"]);
    const [atLatest, atOne] = fn!.Versions;
    expect(atLatest!.Requests).toBe(5);
    expect(atOne!.Requests).toBe(3);
    expect(atLatest!.BilledDurationMs).toBe(latest.reduce((a, b) => a + b, 0));
    expect(atOne!.BilledDurationMs).toBe(one.reduce((a, b) => a + b, 0));
    expect(atLatest!.GbSeconds).toBeCloseTo(gbSeconds(256, latest), 12);
    expect(atOne!.GbSeconds).toBeCloseTo(gbSeconds(256, one), 12);
    expect(fn!.Requests).toBe(8);
    expect(fn!.GbSeconds).toBeCloseTo(gbSeconds(256, [...latest, ...one]), 12);
    expect(fn!.EstimatedCost).toBeCloseTo(cost(8, gbSeconds(256, [...latest, ...one])), 12);
    expect(report.Prices).toEqual({ PerMillionRequests: PRICE_PER_MILLION_REQUESTS, PerGbSecond: PRICE_PER_GB_SECOND });

    // Every function, the idle one with zeros.
    const all = (await (await fetch(`${cluster.httpUrl}/lambent/2024-01-01/usage`)).json()) as Report;
    expect(all.Functions.map((entry) => entry.FunctionName)).toEqual(["idle", "metered"]);
    expect(all.Functions[0]).toMatchObject({ Requests: 0, GbSeconds: 0, EstimatedCost: 0, Versions: [] });
    expect(all.Requests).toBe(8);
    expect(all.GbSeconds).toBeCloseTo(fn!.GbSeconds, 12);

    const overGrpc = await new Promise<GetUsageResponse>((resolve, reject) =>
      grpcClient.getUsage({ functionName: "metered" }, (error, answer) => (error ? reject(error) : resolve(answer))),
    );
    expect(overGrpc.functions[0]!.versions.map((version) => [version.version, version.usage!.requests])).toEqual([
      ["$LATEST", 5],
      ["1", 3],
    ]);
    expect(overGrpc.total!.gbSeconds).toBeCloseTo(fn!.GbSeconds, 12);
    expect(overGrpc.pricePerGbSecond).toBe(PRICE_PER_GB_SECOND);

    const cli = await lambent("usage", "metered", "--json");
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toEqual(report);
    const table = await lambent("usage");
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^metered\s+\(all\)\s+8\s/m);
  });

  it("forgets a deleted function's usage", async () => {
    await createTestFunction(lambda, "short-lived", sleeper, { MemorySize: 128 });
    await invokeBilled("short-lived", undefined, 1);
    await awaitMetered("usage.short-lived.LATEST", 1);
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "short-lived" }));
    const keys: string[] = [];
    for await (const key of await kv.keys("usage.short-lived.*")) keys.push(key);
    expect(keys).toEqual([]);
    const missing = await fetch(`${cluster.httpUrl}/lambent/2024-01-01/functions/short-lived/usage`);
    expect(missing.status).toBe(404);
  });
});

// Usage metering on a real cluster: requests counted exactly per function version, GB-seconds equal to
// memory × billed duration summed over the calls, cost at the configured prices, the same over HTTP,
// gRPC and the CLI, and a deleted function's usage gone with it; a period's report from the hourly buckets,
// and bad periods refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { DeleteFunctionCommand, InvokeCommand, LambdaClient as AwsLambdaClient, PublishVersionCommand } from "@aws-sdk/client-lambda";
import { Kvm, type KV } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { LambdaClient as GrpcLambdaClient, type GetUsageResponse } from "@lambent/proto";
import { Buckets } from "@lambent/protocol";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { runCli, type CliResult } from "../fixtures/cli.js";

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
let hours: KV;

beforeAll(async () => {
  cluster = await startTestCluster({
    env: { LAMBENT_PRICE_PER_MILLION_REQUESTS: String(PRICE_PER_MILLION_REQUESTS), LAMBENT_PRICE_PER_GB_SECOND: String(PRICE_PER_GB_SECOND) },
  });
  lambda = new AwsLambdaClient(lambdaClientConfig(cluster.httpUrl));
  grpcClient = new GrpcLambdaClient(cluster.grpcAddress, grpc.credentials.createInsecure());
  nc = await connect({ ...cluster.natsOptions() });
  kv = await new Kvm(nc).open(Buckets.functions);
  hours = await new Kvm(nc).open(Buckets.usage);
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

/** Resolves once the function's hourly documents add up to `requests` calls of `$LATEST`. */
async function awaitMeteredHours(functionName: string, requests: number): Promise<void> {
  const counted = new Map<string, number>();
  const watcher = await hours.watch({ key: `*.*.${functionName}.LATEST` });
  try {
    for await (const entry of watcher) {
      if (entry.operation !== "PUT") continue;
      counted.set(entry.key, (JSON.parse(new TextDecoder().decode(entry.value)) as { requests: number }).requests);
      if ([...counted.values()].reduce((a, b) => a + b, 0) >= requests) return;
    }
  } finally {
    watcher.stop();
  }
}

function lambent(...args: string[]): Promise<CliResult> {
  return runCli(cluster.httpUrl, args);
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
  Period?: { Start: string; End: string };
  Daily?: (Figures & { Date: string })[];
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
      grpcClient.getUsage({ functionName: "metered", start: "", end: "" }, (error, answer) => (error ? reject(error) : resolve(answer))),
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

  it("reports a period from the hourly buckets: this period's calls, none in a past one", async () => {
    await createTestFunction(lambda, "periodic", sleeper, { MemorySize: 512 });
    const billed: number[] = [];
    for (let i = 0; i < 4; i++) billed.push(await invokeBilled("periodic", undefined, 5));
    await awaitMeteredHours("periodic", 4);
    const usageOf = async (query: string): Promise<Report> => {
      const response = await fetch(`${cluster.httpUrl}/lambent/2024-01-01/functions/periodic/usage?${query}`);
      expect(response.status, await response.clone().text()).toBe(200);
      return (await response.json()) as Report;
    };

    const since = new Date(Date.now() - 24 * 3_600_000).toISOString();
    const today = await usageOf(`start=${encodeURIComponent(since)}`);
    expect(today.Requests).toBe(4);
    expect(today.BilledDurationMs).toBe(billed.reduce((a, b) => a + b, 0));
    expect(today.GbSeconds).toBeCloseTo(gbSeconds(512, billed), 12);
    expect(today.EstimatedCost).toBeCloseTo(cost(4, gbSeconds(512, billed)), 12);
    expect(today.Functions[0]!.Versions.map((version) => [version.Version, version.Requests])).toEqual([["$LATEST", 4]]);
    expect(new Date(today.Period!.Start).getTime() % 3_600_000).toBe(0);
    expect(today.Daily!.reduce((sum, day) => sum + day.Requests, 0)).toBe(4);
    expect(today.Daily!.at(-1)!.Date).toBe(new Date().toISOString().slice(0, 10));

    // A week that ended ten days ago, in epoch seconds: the function ran in none of it.
    const tenDaysAgo = Math.floor(Date.now() / 1000) - 10 * 86_400;
    const past = await usageOf(`start=${tenDaysAgo - 7 * 86_400}&end=${tenDaysAgo}`);
    expect(past.Requests).toBe(0);
    expect(past.Functions[0]).toMatchObject({ FunctionName: "periodic", Requests: 0, Versions: [] });
    expect(past.Daily!.length).toBeGreaterThanOrEqual(7);
    expect(past.Daily!.every((day) => day.Requests === 0)).toBe(true);

    // Every function for the period: the others created in this file ran outside the function's filter.
    const all = (await (await fetch(`${cluster.httpUrl}/lambent/2024-01-01/usage?start=${encodeURIComponent(since)}`)).json()) as Report;
    expect(all.Functions.find((fn) => fn.FunctionName === "periodic")!.Requests).toBe(4);

    const overGrpc = await new Promise<GetUsageResponse>((resolve, reject) =>
      grpcClient.getUsage({ functionName: "periodic", start: since, end: "" }, (error, answer) => (error ? reject(error) : resolve(answer))),
    );
    expect(overGrpc.total!.requests).toBe(4);
    expect(overGrpc.periodStart).toBe(today.Period!.Start);
    expect(overGrpc.daily.reduce((sum, day) => sum + day.usage!.requests, 0)).toBe(4);

    const cli = await lambent("usage", "periodic", "--since", "24h", "--json");
    expect(cli.code, cli.stderr).toBe(0);
    expect((JSON.parse(cli.stdout) as Report).Requests).toBe(4);
    const cliPast = await lambent("usage", "periodic", "--since", String(tenDaysAgo - 86_400), "--until", String(tenDaysAgo));
    expect(cliPast.code, cliPast.stderr).toBe(0);
    expect(cliPast.stdout).toMatch(/^periodic\s+\(all\)\s+0\s/m);
    expect(cliPast.stdout).toMatch(/^Period: /m);
  });

  it("refuses a malformed period, an end before its start and a range too large, over HTTP, gRPC and the CLI", async () => {
    for (const [query, message] of [
      ["start=last-tuesday", /Start must be an ISO 8601 time/],
      ["start=2026-12-02T00:00:00Z&end=2026-12-01T00:00:00Z", /must be after Start/],
      ["start=2025-01-01T00:00:00Z&end=2026-01-01T00:00:00Z", /at most 93 days/],
      ["end=2026-12-01T00:00:00Z", /Start is required/],
    ] as const) {
      const response = await fetch(`${cluster.httpUrl}/lambent/2024-01-01/usage?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.headers.get("x-amzn-errortype")).toBe("InvalidParameterValueException");
      expect(((await response.json()) as { message: string }).message).toMatch(message);
    }
    const overGrpc = await new Promise<grpc.ServiceError>((resolve, reject) =>
      grpcClient.getUsage({ functionName: "", start: "2026-12-02", end: "2026-12-01" }, (error) => (error ? resolve(error) : reject(new Error("answered")))),
    );
    expect(overGrpc.code).toBe(grpc.status.INVALID_ARGUMENT);
    const cli = await lambent("usage", "--since", "2025-01-01", "--until", "2026-01-01");
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toMatch(/at most 93 days/);
  });
});

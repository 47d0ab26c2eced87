// Function logs on a real cluster: the REPORT line tells what ran, a call's lines come back by request id
// over HTTP, gRPC and the CLI, and following sees new invocations' lines as they finish.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { InvokeCommand, LambdaClient as AwsLambdaClient } from "@aws-sdk/client-lambda";
import { LambdaClient as GrpcLambdaClient, type LogEvent as GrpcLogEvent } from "@lambent/proto";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { CLI, runCli, type CliResult } from "../fixtures/cli.js";

const LOGS = (name: string) => `/lambent/2024-01-01/functions/${name}/logs`;

interface LogEvent {
  Timestamp: number;
  RequestId: string;
  Version: string;
  LogStreamName: string;
  Message: string;
}

const sleeper = zipFiles({
  "index.js": `exports.handler = async (event) => { console.log("sleeping", event.ms); await new Promise((r) => setTimeout(r, event.ms)); console.warn("woke"); return "ok"; };`,
});
// Holds ~56 MB of doubles past the end of the call, where the worker measures.
const hog = zipFiles({
  "index.js": `exports.handler = async () => { globalThis.hoard = new Array(7_000_000).fill(1.5); return globalThis.hoard.length; };`,
});

let cluster: TestCluster;
let lambda: AwsLambdaClient;
let grpcClient: GrpcLambdaClient;

beforeAll(async () => {
  cluster = await startTestCluster();
  lambda = new AwsLambdaClient(lambdaClientConfig(cluster.httpUrl));
  await createTestFunction(lambda, "log-sleeper", sleeper, { MemorySize: 128 });
  await createTestFunction(lambda, "log-hog", hog, { MemorySize: 256, Timeout: 30 });
  grpcClient = new GrpcLambdaClient(cluster.grpcAddress, grpc.credentials.createInsecure());
}, 120_000);

afterAll(async () => {
  grpcClient?.close();
  lambda?.destroy();
  await cluster?.stop();
});

async function invoke(name: string, payload: unknown): Promise<string> {
  const answer = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode(JSON.stringify(payload)) }));
  expect(answer.FunctionError).toBeUndefined();
  return answer.$metadata.requestId!;
}

/**
 * Follows a function's log over HTTP from `since`, keeping every line. A line may arrive before the
 * invoke call that caused it returns, so lines are kept and searched once the request id is known.
 */
function followOverHttp(name: string, since: Date): { invocation(requestId: string): Promise<LogEvent[]>; close(): void } {
  const abort = new AbortController();
  const events: LogEvent[] = [];
  let wake: () => void = () => undefined;
  let failure: unknown;
  const reading = (async () => {
    const response = await fetch(`${cluster.httpUrl}${LOGS(name)}?follow=true&since=${since.toISOString()}`, { signal: abort.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-ndjson");
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of response.body!) {
      buffered += decoder.decode(chunk, { stream: true });
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) events.push(JSON.parse(line) as LogEvent);
      wake();
    }
    throw new Error("the log stream ended");
  })();
  reading.catch((error: unknown) => {
    failure = abort.signal.aborted ? new Error("closed") : error;
    wake();
  });
  return {
    async invocation(requestId) {
      for (;;) {
        const lines = events.filter((event) => event.RequestId === requestId);
        if (lines.some((event) => event.Message.startsWith("REPORT "))) return lines;
        if (failure !== undefined) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    close: () => abort.abort(),
  };
}

/** Runs one invocation and resolves with its request id and its lines as they were shipped. */
async function invokeAndAwaitLog(name: string, payload: unknown): Promise<{ requestId: string; events: LogEvent[] }> {
  const follower = followOverHttp(name, new Date(Date.now() - 1000));
  try {
    const requestId = await invoke(name, payload);
    return { requestId, events: await follower.invocation(requestId) };
  } finally {
    follower.close();
  }
}

function reportFields(report: string): Record<string, number> {
  const fields: Record<string, number> = {};
  for (const part of report.split("\t").slice(1)) {
    const match = /^([A-Za-z ]+): ([\d.]+) (ms|MB)$/.exec(part);
    if (match) fields[match[1]!] = Number(match[2]);
  }
  return fields;
}

function lambent(...args: string[]): Promise<CliResult> {
  return runCli(cluster.httpUrl, args);
}

describe("function logs", () => {
  it("writes START, tagged console lines, END and a REPORT that matches what ran", async () => {
    const { requestId, events } = await invokeAndAwaitLog("log-sleeper", { ms: 200 });
    const messages = events.map((event) => event.Message);
    expect(messages[0]).toBe(`START RequestId: ${requestId} Version: $LATEST`);
    expect(messages[1]).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z\\t${requestId}\\tINFO\\tsleeping 200$`));
    expect(messages[2]).toMatch(new RegExp(`^\\S+Z\\t${requestId}\\tWARN\\twoke$`));
    expect(messages[3]).toBe(`END RequestId: ${requestId}`);
    expect(messages[4]).toMatch(new RegExp(`^REPORT RequestId: ${requestId}\\t`));
    expect(messages).toHaveLength(5);
    const report = reportFields(messages[4]!);
    expect(report["Duration"]).toBeGreaterThanOrEqual(200);
    expect(report["Billed Duration"]).toBeGreaterThanOrEqual(200);
    expect(report["Billed Duration"]).toBe(Math.max(1, Math.ceil(report["Duration"]!)));
    expect(report["Memory Size"]).toBe(128);
    // The first call of a fresh function starts its environment.
    expect(report["Init Duration"]).toBeGreaterThan(0);
    for (const event of events) {
      expect(event).toMatchObject({ RequestId: requestId, Version: "$LATEST" });
      expect(event.LogStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\]/);
    }
  });

  it("reports the memory a call held in Max Memory Used", async () => {
    const { events } = await invokeAndAwaitLog("log-hog", {});
    const report = reportFields(events.at(-1)!.Message);
    expect(report["Memory Size"]).toBe(256);
    expect(report["Max Memory Used"]).toBeGreaterThanOrEqual(50);
    expect(report["Max Memory Used"]).toBeLessThanOrEqual(256);
  });

  it("returns one call's START…REPORT lines by request id over HTTP, gRPC and the CLI", async () => {
    const { requestId, events: shipped } = await invokeAndAwaitLog("log-sleeper", { ms: 1 });
    // Another call's lines must not show up in the answer.
    await invokeAndAwaitLog("log-sleeper", { ms: 1 });
    const expected = shipped.map((event) => event.Message);

    const response = await fetch(`${cluster.httpUrl}${LOGS("log-sleeper")}?requestId=${requestId}&since=10m`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { FunctionName: string; Events: LogEvent[] };
    expect(body.FunctionName).toBe("log-sleeper");
    expect(body.Events.map((event) => event.Message)).toEqual(expected);

    const overGrpc = await new Promise<GrpcLogEvent[]>((resolve, reject) => {
      const received: GrpcLogEvent[] = [];
      const call = grpcClient.getLogs({ functionName: "log-sleeper", since: "10m", requestId, limit: 0, follow: false });
      call.on("data", (event: GrpcLogEvent) => received.push(event));
      call.on("end", () => resolve(received));
      call.on("error", reject);
    });
    expect(overGrpc.map((event) => event.message)).toEqual(expected);
    expect(overGrpc.every((event) => event.requestId === requestId)).toBe(true);

    const cli = await lambent("logs", "log-sleeper", "--request-id", requestId);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toBe(expected.map((line) => `${line}\n`).join(""));
  });

  it("keeps the most recent lines when a limit is given", async () => {
    const { events } = await invokeAndAwaitLog("log-sleeper", { ms: 1 });
    const response = await fetch(`${cluster.httpUrl}${LOGS("log-sleeper")}?limit=2`);
    const body = (await response.json()) as { Events: LogEvent[] };
    expect(body.Events.map((event) => event.Message)).toEqual(events.slice(-2).map((event) => event.Message));
  });

  it("follows over gRPC and the CLI: a new invocation's lines arrive on an open stream", async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const call = grpcClient.getLogs({ functionName: "log-sleeper", since, requestId: "", limit: 0, follow: true });
    const overGrpc: GrpcLogEvent[] = [];
    const grpcFailed = new Promise<never>((_, reject) =>
      call.on("error", (error: grpc.ServiceError) => {
        if (error.code !== grpc.status.CANCELLED) reject(error);
      }),
    );
    // Raced below while waiting; a failure after the wait is over does not concern this test.
    grpcFailed.catch(() => undefined);
    const grpcData = (): Promise<void> => new Promise((resolve) => call.once("data", () => resolve()));
    call.on("data", (event: GrpcLogEvent) => overGrpc.push(event));
    const follower = spawn(process.execPath, [CLI, "logs", "log-sleeper", "--follow", "--since", since], {
      env: { ...process.env, LAMBENT_ENDPOINT: cluster.httpUrl },
    });
    let printed = "";
    follower.stdout.on("data", (chunk: Buffer) => (printed += chunk.toString("utf8")));
    const cliData = (): Promise<void> => new Promise((resolve) => follower.stdout.once("data", () => resolve()));
    const exited = new Promise<number | null>((resolve) => follower.on("exit", (code) => resolve(code)));

    // Lines may arrive before the invoke call returns: both followers keep what they received.
    const requestId = await invoke("log-sleeper", { ms: 1 });
    while (!overGrpc.some((event) => event.requestId === requestId && event.message === `END RequestId: ${requestId}`)) {
      await Promise.race([grpcData(), grpcFailed]);
    }
    call.cancel();
    while (!printed.includes(`END RequestId: ${requestId}\n`)) await cliData();
    follower.kill("SIGINT");
    expect(await exited).toBe(0);
  });

  it("answers Lambda errors for an unknown function and a bad query", async () => {
    const missing = await fetch(`${cluster.httpUrl}${LOGS("no-such-function")}`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-amzn-errortype")).toBe("ResourceNotFoundException");
    const badSince = await fetch(`${cluster.httpUrl}${LOGS("log-sleeper")}?since=yesterday`);
    expect(badSince.status).toBe(400);
    const missingFollow = await fetch(`${cluster.httpUrl}${LOGS("no-such-function")}?follow=true`);
    expect(missingFollow.status).toBe(404);
  });
});

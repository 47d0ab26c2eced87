// Synchronous invocation, the same tests over HTTP and gRPC, on a real cluster.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { lambdaClientConfig, startTestCluster, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import * as fixtures from "../fixtures/functions.js";
import { grpcTransport } from "./grpc-transport.js";
import { httpTransport, type InvokeFailure, type InvokeTransport } from "./transports.js";

let cluster: TestCluster;
const transports: InvokeTransport[] = [];

const deployments: [string, Uint8Array, { MemorySize?: number; Timeout?: number }][] = [
  ["hello", fixtures.hello, {}],
  ["counter", fixtures.commonJsCounter, {}],
  ["callback", fixtures.callbackStyle, {}],
  ["thrower", fixtures.thrower, {}],
  ["logger", fixtures.logger, {}],
  ["spinner", fixtures.spinner, { Timeout: 1 }],
  ["hog", fixtures.memoryHog, { MemorySize: 128, Timeout: 30 }],
  ["echo", fixtures.echo, {}],
  ["big", fixtures.bigResponse, {}],
];

beforeAll(async () => {
  cluster = await startTestCluster();
  const lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  for (const [name, zip, extra] of deployments) await createTestFunction(lambda, name, zip, extra);
  lambda.destroy();
  transports.push(httpTransport(cluster.httpUrl), grpcTransport(cluster.grpcAddress));
}, 120_000);

afterAll(async () => {
  for (const transport of transports) transport.close();
  await cluster?.stop();
});

async function failureOf(promise: Promise<unknown>): Promise<InvokeFailure> {
  return promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (failure: InvokeFailure) => failure,
  );
}

const json = (text: string): unknown => JSON.parse(text);

describe.each(["HTTP (AWS SDK)", "gRPC"])("invoke over %s", (transportName) => {
  const transport = (): InvokeTransport => transports.find((candidate) => candidate.name === transportName)!;

  it("runs an ESM handler with Lambda's context", async () => {
    const answer = await transport().invoke("hello", '{"name":"Ada"}');
    expect(answer.statusCode).toBe(200);
    expect(answer.executedVersion).toBe("$LATEST");
    expect(answer.functionError).toBeUndefined();
    const body = json(answer.payload) as Record<string, unknown>;
    expect(body).toMatchObject({ message: "hello Ada", version: "$LATEST", memory: "128" });
    expect(body["requestId"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("treats an empty payload as {}", async () => {
    expect(json((await transport().invoke("echo", "")).payload)).toEqual({});
  });

  it("keeps module state in a warm environment and bundles relative requires", async () => {
    const first = json((await transport().invoke("counter", '{"b":1,"a":2}')).payload) as { calls: number; described: string };
    const second = json((await transport().invoke("counter", "{}")).payload) as { calls: number };
    expect(first.described).toBe("a,b");
    expect(second.calls).toBe(first.calls + 1);
  });

  it("waits for callback-style handlers", async () => {
    expect(json((await transport().invoke("callback", '{"n":21}')).payload)).toEqual({ doubled: 42 });
  });

  it("reports a thrown error in Lambda's shape", async () => {
    const answer = await transport().invoke("thrower", "{}");
    expect(answer.statusCode).toBe(200);
    expect(answer.functionError).toBe("Unhandled");
    const error = json(answer.payload) as { errorType: string; errorMessage: string; trace: string[] };
    expect(error.errorType).toBe("TypeError");
    expect(error.errorMessage).toBe("boom");
    expect(Array.isArray(error.trace)).toBe(true);
  });

  it("returns the last 4 KB of the log with LogType Tail", async () => {
    const answer = await transport().invoke("logger", '{"lines":500}', { logType: "Tail" });
    const log = Buffer.from(answer.logResult!, "base64").toString();
    expect(Buffer.byteLength(log)).toBeLessThanOrEqual(4096);
    expect(log).toContain("line 499");
    expect(log).not.toContain("line 1\t");
    expect(log).toMatch(/END RequestId: [0-9a-f-]{36}/);
    expect(log).toMatch(/REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB(\tInit Duration: [\d.]+ ms)?\t$/m);
    const quiet = await transport().invoke("logger", '{"lines":1}');
    expect(quiet.logResult).toBeUndefined();
  });

  it("includes the function's console output before an error in the tail", async () => {
    const answer = await transport().invoke("thrower", "{}", { logType: "Tail" });
    expect(Buffer.from(answer.logResult!, "base64").toString()).toMatch(/\tINFO\tabout to fail/);
  });

  it("ends a function that loops forever at its timeout", async () => {
    const answer = await transport().invoke("spinner", "{}");
    expect(answer.functionError).toBe("Unhandled");
    expect(json(answer.payload)).toEqual({
      errorType: "Sandbox.Timedout",
      errorMessage: expect.stringMatching(/Task timed out after 1\.00 seconds$/),
    });
    // The worker carries on.
    expect(json((await transport().invoke("hello", "{}")).payload)).toMatchObject({ message: "hello world" });
  });

  it("kills only the environment that runs out of memory", async () => {
    const answer = await transport().invoke("hog", "{}");
    expect(answer.functionError).toBe("Unhandled");
    expect((json(answer.payload) as { errorType: string }).errorType).toBe("Runtime.OutOfMemory");
    expect(json((await transport().invoke("hello", "{}")).payload)).toMatchObject({ message: "hello world" });
  });

  it("refuses a response over 6 MB as a function error", async () => {
    const answer = await transport().invoke("big", "{}");
    expect(answer.functionError).toBe("Unhandled");
    expect((json(answer.payload) as { errorType: string }).errorType).toBe("Function.ResponseSizeTooLarge");
  });

  it("answers DryRun with 204 without running", async () => {
    const answer = await transport().invoke("counter", "{}", { invocationType: "DryRun" });
    expect(answer.statusCode).toBe(204);
    expect(answer.payload).toBe("");
    // As Lambda's, a dry run names no version.
    expect(answer.executedVersion).toBeUndefined();
  });

  it("accepts $LATEST and ARNs as qualifiers and names", async () => {
    expect((await transport().invoke("hello", "{}", { qualifier: "$LATEST" })).executedVersion).toBe("$LATEST");
    const arn = "arn:aws:lambda:us-east-1:000000000000:function:hello";
    expect((await transport().invoke(arn, "{}")).statusCode).toBe(200);
  });

  it("reports an unknown function with ResourceNotFoundException", async () => {
    const failure = await failureOf(transport().invoke("nobody-here", "{}"));
    expect(failure.errorType).toBe("ResourceNotFoundException");
    // As Lambda's Invoke says it: the function qualified with the $LATEST it was called at.
    expect(failure.message).toBe("Function not found: arn:aws:lambda:us-east-1:000000000000:function:nobody-here:$LATEST");
  });

  it("refuses a payload that is not JSON with InvalidRequestContentException", async () => {
    const failure = await failureOf(transport().invoke("echo", "{not json"));
    expect(failure.errorType).toBe("InvalidRequestContentException");
  });

  it("refuses a payload over 6 MB with RequestTooLargeException", async () => {
    const payload = JSON.stringify({ blob: "x".repeat(6 * 1024 * 1024) });
    const failure = await failureOf(transport().invoke("echo", payload));
    expect(failure.errorType).toBe("RequestTooLargeException");
  });

  it("passes a payload just under the limit through untouched", async () => {
    const payload = JSON.stringify({ blob: "é".repeat(1_000_000) });
    expect((await transport().invoke("echo", payload)).payload).toBe(payload);
  });
});

// Functions calling functions on a real cluster: a function invokes another through `lambent:functions`
// by name, alias or ARN, synchronously and as an event, sees the callee's errors and the platform's
// (unknown function, throttled by the callee's concurrency, a recursive loop stopped at 16 calls), and
// the callee's spans join the caller's trace.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateAliasCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { decodeJson } from "@lambent/protocol";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { startGate, type Gate } from "../fixtures/gate.js";
import { startOtlpCollector, type CollectedSpan, type OtlpCollector } from "../fixtures/otlp-collector.js";

/** Calls `event.target` with `event.payload` and `event.options` (TypeScript, an ES import) and describes what came back. */
const caller = zipFiles({
  "index.ts": `import { invoke } from "lambent:functions";
interface Request { target: string; payload?: unknown; options?: Record<string, unknown>; times?: number }
const describe = async (call: Promise<{ StatusCode: number; Payload: Uint8Array & { transformToString(): string }; FunctionError?: string; ExecutedVersion?: string; LogResult?: string }>) => {
  try {
    const out = await call;
    const text = out.Payload.transformToString();
    // The bytes arrive alone: nothing else of the host's buffers comes with them.
    const alone = out.Payload.byteOffset === 0 && out.Payload.buffer.byteLength === out.Payload.length;
    return { StatusCode: out.StatusCode, FunctionError: out.FunctionError, ExecutedVersion: out.ExecutedVersion, LogResult: out.LogResult, alone, payload: text === "" ? null : JSON.parse(text) };
  } catch (error) {
    const e = error as Error & { Reason?: string };
    return { error: { name: e.name, message: e.message, Reason: e.Reason } };
  }
};
export const handler = async (event: Request) => {
  const calls = [];
  for (let i = 0; i < (event.times ?? 1); i++) calls.push(describe(invoke(event.target, event.payload, event.options)));
  return (event.times ?? 1) === 1 ? calls[0] : Promise.all(calls);
};`,
});

/** What it was called with, from where; fails on request. */
const callee = zipFiles({
  "index.mjs": `export const handler = async (event, context) => {
    if (event.fail) throw new Error("callee failed: " + event.fail);
    console.log("callee ran");
    return { got: event, version: context.functionVersion, arn: context.invokedFunctionArn, clientContext: context.clientContext ?? null };
  };`,
});

/** Passes through the gate, so a test can hold it running. */
const held = zipFiles({
  "index.mjs": `export const handler = async () => {
    await (await fetch(process.env.GATE_URL + "/enter?key=held")).text();
    await (await fetch(process.env.GATE_URL + "/leave?key=held")).text();
    return "passed";
  };`,
});

/** Calls itself (CommonJS, a require) one level deeper until the platform stops it, and reports where. */
const recursive = zipFiles({
  "index.js": `const { invoke } = require("lambent:functions");
exports.handler = async (event) => {
  const depth = event.depth ?? 0;
  try {
    const out = await invoke("recursive", { depth: depth + 1 });
    return JSON.parse(out.Payload.transformToString());
  } catch (error) {
    return { stoppedAt: depth, name: error.name, message: error.message };
  }
};`,
});

let collector: OtlpCollector;
let cluster: TestCluster;
let lambda: LambdaClient;
let nc: NatsConnection;
let gate: Gate;

beforeAll(async () => {
  collector = await startOtlpCollector();
  gate = await startGate();
  cluster = await startTestCluster({
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_BSP_SCHEDULE_DELAY: "20", LAMBENT_FETCH_ALLOW: "127.0.0.1" },
  });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  nc = await connect({ ...cluster.natsOptions() });
  await createTestFunction(lambda, "caller", caller, { Timeout: 60 });
  await createTestFunction(lambda, "callee", callee);
  await lambda.send(new PublishVersionCommand({ FunctionName: "callee" }));
  await lambda.send(new CreateAliasCommand({ FunctionName: "callee", Name: "live", FunctionVersion: "1" }));
  await createTestFunction(lambda, "held", held, { Environment: { Variables: { GATE_URL: gate.url } } });
  await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "held", ReservedConcurrentExecutions: 1 }));
  await createTestFunction(lambda, "recursive", recursive, { Timeout: 60 });
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await nc?.close();
  await cluster?.stop();
  await gate?.close();
  await collector?.close();
});

interface Described {
  StatusCode?: number;
  alone?: boolean;
  FunctionError?: string;
  ExecutedVersion?: string;
  LogResult?: string;
  payload?: unknown;
  error?: { name: string; message: string; Reason?: string };
}

/** Invokes the caller over the Lambda API; `traceparent` continues a trace. */
async function callThrough(request: Record<string, unknown>, traceparent?: string): Promise<{ result: unknown; traceId: string | undefined }> {
  const response = await fetch(`${cluster.httpUrl}/2015-03-31/functions/caller/invocations`, {
    method: "POST",
    body: JSON.stringify(request),
    headers: traceparent ? { traceparent } : {},
  });
  expect(response.status).toBe(200);
  expect(response.headers.get("x-amz-function-error")).toBeNull();
  const root = /Root=1-([0-9a-f]{8})-([0-9a-f]{24})/.exec(response.headers.get("x-amzn-trace-id") ?? "");
  return { result: await response.json(), traceId: root ? `${root[1]}${root[2]}` : undefined };
}

const call = async (request: Record<string, unknown>): Promise<Described> => (await callThrough(request)).result as Described;

describe("functions calling functions", () => {
  it("calls another function synchronously and gets its answer, by name, alias and ARN", async () => {
    const byName = await call({ target: "callee", payload: { n: 1 }, options: { logType: "Tail", clientContext: { custom: { from: "caller" } } } });
    expect(byName).toMatchObject({
      StatusCode: 200,
      alone: true,
      ExecutedVersion: "$LATEST",
      payload: { got: { n: 1 }, version: "$LATEST", arn: "arn:aws:lambda:us-east-1:000000000000:function:callee", clientContext: { custom: { from: "caller" } } },
    });
    expect(byName.FunctionError).toBeUndefined();
    expect(Buffer.from(byName.LogResult!, "base64").toString("utf8")).toMatch(/START RequestId: .*\n.*callee ran\n.*END RequestId/);

    const byAlias = await call({ target: "callee:live", payload: { n: 2 } });
    expect(byAlias).toMatchObject({ StatusCode: 200, ExecutedVersion: "1", payload: { got: { n: 2 }, version: "1", arn: "arn:aws:lambda:us-east-1:000000000000:function:callee:live" } });
    const byArn = await call({ target: "arn:aws:lambda:us-east-1:000000000000:function:callee", payload: { n: 3 }, options: { qualifier: "1" } });
    expect(byArn).toMatchObject({ StatusCode: 200, ExecutedVersion: "1", payload: { got: { n: 3 }, version: "1" } });
    const dryRun = await call({ target: "callee:live", options: { invocationType: "DryRun" } });
    expect(dryRun).toMatchObject({ StatusCode: 204, payload: null });
    // Lambda names no executed version for a dry run.
    expect(dryRun).not.toHaveProperty("ExecutedVersion");
  });

  it("sends an event that the callee runs later, answered 202 once it is stored", async () => {
    await createTestFunction(lambda, "event-callee", callee);
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: "event-callee", DestinationConfig: { OnSuccess: { Destination: "arn:aws:sns:us-east-1:000000000000:test.f2f.event" } } }),
    );
    const successes = nc.subscribe("test.f2f.event", { max: 1 });
    const described = await call({ target: "event-callee", payload: { later: true }, options: { invocationType: "Event" } });
    expect(described).toEqual({ StatusCode: 202, alone: true, payload: null });
    for await (const message of successes) {
      const record = decodeJson(message.data) as { requestPayload: unknown; responsePayload: { got: unknown }; requestContext: { condition: string } };
      expect(record.requestContext.condition).toBe("Success");
      expect(record.requestPayload).toEqual({ later: true });
      expect(record.responsePayload.got).toEqual({ later: true });
    }
  });

  it("reports the callee's error as FunctionError Unhandled with its payload", async () => {
    const described = await call({ target: "callee", payload: { fail: "on purpose" } });
    expect(described).toMatchObject({ StatusCode: 200, FunctionError: "Unhandled", ExecutedVersion: "$LATEST" });
    expect(described.payload).toMatchObject({ errorType: "Error", errorMessage: "callee failed: on purpose" });
    expect((described.payload as { trace: string[] }).trace[1]).toContain("/var/task/index.mjs");
  });

  it("rejects an unknown function with ResourceNotFoundException", async () => {
    expect(await call({ target: "nobody", payload: {} })).toEqual({
      error: { name: "ResourceNotFoundException", message: "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nobody:$LATEST" },
    });
    expect((await call({ target: "callee:nope", payload: {} })).error?.name).toBe("ResourceNotFoundException");
  });

  it("counts the calls on the caller's worker by callee, type and outcome", async () => {
    await createTestFunction(lambda, "metered", callee);
    await call({ target: "metered", payload: { n: 1 } });
    await call({ target: "metered", payload: { fail: "counted" } });
    await call({ target: "metered", options: { invocationType: "DryRun" } });
    await call({ target: "metered", options: { invocationType: "Event" } });
    await call({ target: "metered-nobody" });
    const response = await fetch(`http://127.0.0.1:${String(cluster.workers[0]!.ready["metricsPort"])}/metrics`);
    const text = await response.text();
    const count = (labels: string): number => Number(new RegExp(`^lambent_function_calls_total\\{${labels}\\} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
    expect(count('function="metered",type="sync",outcome="ok"')).toBe(1);
    expect(count('function="metered",type="sync",outcome="function_error"')).toBe(1);
    expect(count('function="metered",type="dry_run",outcome="ok"')).toBe(1);
    expect(count('function="metered",type="event",outcome="ok"')).toBe(1);
    expect(count('function="metered-nobody",type="sync",outcome="ResourceNotFoundException"')).toBe(1);
  });

  it("counts calls against the callee's concurrency: past its reservation they are throttled", async () => {
    gate.shut();
    const answered = call({ target: "held", times: 2 });
    // Both calls leave the caller together: one holds the callee's only slot at the gate, the other is turned away.
    await gate.until(() => gate.inside("held") === 1);
    gate.open();
    const results = (await answered) as unknown as Described[];
    expect(results.map((result) => result.error?.name ?? result.payload).sort()).toEqual(["TooManyRequestsException", "passed"]);
    expect(results.find((result) => result.error)!.error).toMatchObject({ Reason: "ReservedFunctionConcurrentInvocationLimitExceeded" });
    expect(gate.entries("held")).toBe(1);
  });

  it("stops a recursive loop at 16 calls deep with RecursiveInvocationException", async () => {
    const response = await lambda.send(new InvokeCommand({ FunctionName: "recursive", Payload: Buffer.from("{}") }));
    expect(response.FunctionError).toBeUndefined();
    const result = JSON.parse(Buffer.from(response.Payload!).toString("utf8")) as { stoppedAt: number; name: string; message: string };
    expect(result).toMatchObject({ stoppedAt: 16, name: "RecursiveInvocationException" });
    expect(result.message).toMatch(/^Lambent stopped a recursive invocation: calling arn:aws:lambda:us-east-1:000000000000:function:recursive from request \S+ would make a chain of 17 function-to-function calls \(at most 16\)$/);
  });

  it("puts the callee's spans under the caller's trace: the call is a client span under the handler", async () => {
    const traceId = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("hex");
    const { result } = await callThrough({ target: "callee", payload: { traced: true } }, `00-${traceId}-${"ab".repeat(8)}-01`);
    expect(result).toMatchObject({ StatusCode: 200 });
    // Each service exports its spans on its own schedule: wait for every span the assertions name.
    const complete = (spans: CollectedSpan[]): boolean =>
      spans.filter((span) => span.name === "lambent.function.handler").length === 2 &&
      spans.some((span) => span.name === "invoke callee") &&
      spans.some((span) => span.name === "lambent.worker.invoke" && span.attributes["faas.invoked_name"] === "callee");
    const spans = await collector.trace(traceId, complete);
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const outgoing = spans.find((span) => span.name === "invoke callee")!;
    expect(outgoing).toMatchObject({ service: "lambent-worker", kind: 3, attributes: { "faas.invoked_name": "callee", "lambent.invocation_type": "RequestResponse", "lambent.call_depth": 1 } });
    expect(byId.get(outgoing.parentSpanId)).toMatchObject({ name: "lambent.function.handler", service: "lambent-worker" });
    // The callee's worker span and handler hang under the call, in the caller's trace: straight under it
    // when the call went to a warm worker, under the scheduler's admission when it went through the scheduler.
    const calleeInvoke = spans.find((span) => span.name === "lambent.worker.invoke" && span.attributes["faas.invoked_name"] === "callee")!;
    const calleeParent = byId.get(calleeInvoke.parentSpanId)!;
    if (calleeParent.name === "lambent.scheduler.admit") {
      expect(calleeParent).toMatchObject({ service: "lambent-scheduler", parentSpanId: outgoing.spanId, attributes: { "faas.invoked_name": "callee" } });
    } else {
      expect(calleeParent.spanId).toBe(outgoing.spanId);
    }
    expect(calleeInvoke.attributes).toMatchObject({ "faas.invoked_name": "callee", "faas.invocation_id": outgoing.attributes["faas.invocation_id"] });
    expect(spans.some((span) => span.name === "lambent.function.handler" && span.parentSpanId === calleeInvoke.spanId)).toBe(true);
  });

  it("stores an event call's trace with the event, so the callee's run joins the caller's trace", async () => {
    const traceId = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("hex");
    const { result } = await callThrough({ target: "callee", payload: { traced: "event" }, options: { invocationType: "Event" } }, `00-${traceId}-${"cd".repeat(8)}-01`);
    expect(result).toEqual({ StatusCode: 202, alone: true, payload: null });
    const spans = await collector.trace(
      traceId,
      (found) =>
        found.filter((span) => span.name === "lambent.function.handler").length === 2 &&
        ["invoke callee", "lambent.event.queued"].every((name) => found.some((span) => span.name === name)) &&
        found.some((span) => span.name === "lambent.scheduler.admit" && span.attributes["faas.invoked_name"] === "callee"),
    );
    const outgoing = spans.find((span) => span.name === "invoke callee")!;
    expect(outgoing.attributes).toMatchObject({ "lambent.invocation_type": "Event" });
    expect(spans.find((span) => span.name === "lambent.event.queued")).toMatchObject({ service: "lambent-scheduler", parentSpanId: outgoing.spanId });
    expect(spans.find((span) => span.name === "lambent.scheduler.admit" && span.parentSpanId === outgoing.spanId)).toBeDefined();
  });
});

describe("examples/function-calls", () => {
  const example = (path: string): string => readFileSync(new URL(`../../examples/function-calls/${path}`, import.meta.url), "utf8");

  it("runs as its README says: the checkout prices the order through quote and queues an audit", async () => {
    await createTestFunction(lambda, "quote", zipFiles({ "index.mjs": example("callee/index.mjs") }));
    await createTestFunction(
      lambda,
      "checkout",
      zipFiles({ "index.ts": example("caller/index.ts"), "lambent-functions.d.ts": example("caller/lambent-functions.d.ts"), "tsconfig.json": example("caller/tsconfig.json") }),
      { Timeout: 10 },
    );
    const checkout = async (order: unknown): Promise<unknown> => {
      const response = await lambda.send(new InvokeCommand({ FunctionName: "checkout", Payload: Buffer.from(JSON.stringify(order)) }));
      expect(response.FunctionError).toBeUndefined();
      return JSON.parse(Buffer.from(response.Payload!).toString("utf8"));
    };
    expect(await checkout({ orderId: "o-1", items: [{ sku: "tea", qty: 2, price: 3.5 }] })).toEqual({
      ok: true,
      orderId: "o-1",
      total: 7,
      currency: "EUR",
      pricedBy: "$LATEST",
      auditQueued: true,
    });
    expect(await checkout({ orderId: "o-2", items: [] })).toEqual({ ok: false, error: "an order needs at least one item" });
  });
});

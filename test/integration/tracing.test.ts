// Traces across the cluster: every service exports OTLP/HTTP to a collector this test runs, and each
// invocation shows up as one span tree — frontend server span → scheduler admission → worker invoke →
// init and handler → the function's fetch — continuing the caller's trace and naming it in the answer.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { InvocationType, LambdaClient as GrpcLambdaClient, LogType } from "@lambent/proto";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { hello } from "../fixtures/functions.js";
import { startOtlpCollector, type CollectedSpan, type OtlpCollector } from "../fixtures/otlp-collector.js";

const caller = zipFiles({
  "index.mjs": `export const handler = async (event) => {
    const response = await fetch(event.url);
    return { status: response.status, body: await response.text() };
  };`,
});

let collector: OtlpCollector;
let cluster: TestCluster;
let target: Server;
let targetUrl: string;
const targetRequests: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  collector = await startOtlpCollector();
  target = createServer((request, response) => {
    targetRequests.push(request.headers);
    response.writeHead(200, { "Content-Type": "text/plain" }).end("downstream");
  });
  await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/resource?secret=1`;
  cluster = await startTestCluster({
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_BSP_SCHEDULE_DELAY: "20", LAMBENT_FETCH_ALLOW: "127.0.0.1" },
  });
  const lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  for (const name of ["sync-hello", "event-hello", "grpc-hello"]) await createTestFunction(lambda, name, hello);
  await createTestFunction(lambda, "caller", caller);
  lambda.destroy();
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  await collector?.close();
  await new Promise<void>((resolve) => (target ? target.close(() => resolve()) : resolve()));
});

function invokeUrl(name: string): string {
  return `${cluster.httpUrl}/2015-03-31/functions/${name}/invocations`;
}

const randomHex = (bytes: number): string => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("hex");

/** The trace id an `X-Amzn-Trace-Id` answer names. */
function rootOf(header: string | null | undefined): string | undefined {
  const match = /Root=1-([0-9a-f]{8})-([0-9a-f]{24})/.exec(header ?? "");
  return match ? `${match[1]}${match[2]}` : undefined;
}

const named = (name: string) => (spans: CollectedSpan[]) => spans.filter((span) => span.name === name);

function only(spans: CollectedSpan[], name: string): CollectedSpan {
  const found = named(name)(spans);
  expect(found.map((span) => span.name), `spans named ${name} in ${JSON.stringify(spans.map((span) => span.name))}`).toEqual([name]);
  return found[0]!;
}

const hasAll = (...names: string[]) => (spans: CollectedSpan[]) => names.every((name) => spans.some((span) => span.name === name));

describe("traces", () => {
  it("continue an incoming traceparent through frontend, scheduler and worker, and return the trace id", async () => {
    const traceId = randomHex(16);
    const callerSpan = randomHex(8);
    const response = await fetch(invokeUrl("sync-hello"), {
      method: "POST",
      body: '{"name":"trace"}',
      headers: { traceparent: `00-${traceId}-${callerSpan}-01` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ message: "hello trace" });
    expect(rootOf(response.headers.get("x-amzn-trace-id"))).toBe(traceId);

    const spans = await collector.trace(traceId, hasAll("Invoke", "lambent.scheduler.admit", "lambent.worker.invoke", "lambent.worker.init", "lambent.function.handler"));
    const server = only(spans, "Invoke");
    const admit = only(spans, "lambent.scheduler.admit");
    const invoke = only(spans, "lambent.worker.invoke");
    const init = only(spans, "lambent.worker.init");
    const handler = only(spans, "lambent.function.handler");
    expect(server).toMatchObject({ service: "lambent-frontend", parentSpanId: callerSpan, kind: 2 });
    expect(server.attributes).toMatchObject({ "faas.invoked_name": "sync-hello" });
    expect(admit).toMatchObject({ service: "lambent-scheduler", parentSpanId: server.spanId });
    expect(invoke).toMatchObject({ service: "lambent-worker", parentSpanId: admit.spanId });
    expect(init.parentSpanId).toBe(invoke.spanId);
    expect(handler).toMatchObject({ parentSpanId: invoke.spanId, attributes: { "faas.coldstart": true } });
  });

  it("keep a warm call, which goes straight to its worker, in the caller's trace", async () => {
    const warmUp = await fetch(invokeUrl("sync-hello"), { method: "POST", body: "{}" });
    expect(warmUp.status).toBe(200);
    await warmUp.arrayBuffer();
    const traceId = randomHex(16);
    const callerSpan = randomHex(8);
    const response = await fetch(invokeUrl("sync-hello"), { method: "POST", body: "{}", headers: { traceparent: `00-${traceId}-${callerSpan}-01` } });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    const spans = await collector.trace(traceId, hasAll("Invoke", "lambent.worker.invoke", "lambent.function.handler"));
    const server = only(spans, "Invoke");
    expect(server).toMatchObject({ service: "lambent-frontend", parentSpanId: callerSpan, attributes: { "faas.invoked_name": "sync-hello", "lambent.invocation_type": "RequestResponse" } });
    // No admission span between them: the frontend's span is the worker's parent.
    expect(only(spans, "lambent.worker.invoke")).toMatchObject({ service: "lambent-worker", parentSpanId: server.spanId });
    expect(only(spans, "lambent.function.handler").attributes).toMatchObject({ "faas.coldstart": false });
  });

  it("carry an event's trace through the queue, from an X-Amzn-Trace-Id root", async () => {
    const traceId = randomHex(16);
    const response = await fetch(invokeUrl("event-hello"), {
      method: "POST",
      body: "{}",
      headers: { "X-Amz-Invocation-Type": "Event", "X-Amzn-Trace-Id": `Root=1-${traceId.slice(0, 8)}-${traceId.slice(8)}` },
    });
    expect(response.status).toBe(202);
    expect(rootOf(response.headers.get("x-amzn-trace-id"))).toBe(traceId);

    const spans = await collector.trace(traceId, hasAll("Invoke", "lambent.event.queued", "lambent.scheduler.admit", "lambent.worker.invoke", "lambent.function.handler"));
    const server = only(spans, "Invoke");
    expect(server).toMatchObject({ service: "lambent-frontend", parentSpanId: "" });
    expect(only(spans, "lambent.event.queued")).toMatchObject({ service: "lambent-scheduler", parentSpanId: server.spanId });
    const admit = only(spans, "lambent.scheduler.admit");
    expect(admit.parentSpanId).toBe(server.spanId);
    const invoke = only(spans, "lambent.worker.invoke");
    expect(invoke.parentSpanId).toBe(admit.spanId);
    expect(only(spans, "lambent.function.handler").parentSpanId).toBe(invoke.spanId);
  });

  it("make a function's fetch a child span of its handler and send traceparent onwards", async () => {
    const response = await fetch(invokeUrl("caller"), { method: "POST", body: JSON.stringify({ url: targetUrl }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 200, body: "downstream" });
    const traceId = rootOf(response.headers.get("x-amzn-trace-id"));
    expect(traceId).toBeDefined();

    const spans = await collector.trace(traceId!, hasAll("Invoke", "lambent.function.handler", "fetch GET"));
    const handler = only(spans, "lambent.function.handler");
    const outgoing = only(spans, "fetch GET");
    expect(outgoing).toMatchObject({ service: "lambent-worker", parentSpanId: handler.spanId, kind: 3 });
    expect(outgoing.attributes).toMatchObject({ "http.request.method": "GET", "http.response.status_code": 200 });
    expect(outgoing.attributes["url.full"]).toBe(targetUrl.replace("?secret=1", ""));
    expect(targetRequests.at(-1)?.["traceparent"]).toBe(`00-${traceId}-${outgoing.spanId}-01`);
  });

  it("return the trace id in gRPC response metadata and continue the caller's traceparent", async () => {
    const client = new GrpcLambdaClient(cluster.grpcAddress, grpc.credentials.createInsecure());
    const traceId = randomHex(16);
    const callerSpan = randomHex(8);
    const metadata = new grpc.Metadata();
    metadata.set("traceparent", `00-${traceId}-${callerSpan}-01`);
    const answered = new Promise<{ returned: unknown; statusCode: number }>((resolve, reject) => {
      let returned: unknown;
      const call = client.invoke(
        { functionName: "grpc-hello", qualifier: "", payload: Buffer.from("{}"), invocationType: InvocationType.REQUEST_RESPONSE, logType: LogType.NONE, clientContext: "" },
        metadata,
        (error, response) => (error ? reject(error) : resolve({ returned, statusCode: response.statusCode })),
      );
      call.on("metadata", (received: grpc.Metadata) => (returned = received.get("x-amzn-trace-id")[0]));
    });
    const { returned, statusCode } = await answered;
    client.close();
    expect(statusCode).toBe(200);
    expect(rootOf(String(returned))).toBe(traceId);
    const spans = await collector.trace(traceId, hasAll("lambent.v1.Lambda/invoke", "lambent.scheduler.admit", "lambent.function.handler"));
    const server = only(spans, "lambent.v1.Lambda/invoke");
    expect(server).toMatchObject({ service: "lambent-frontend", parentSpanId: callerSpan, kind: 2 });
    expect(only(spans, "lambent.scheduler.admit").parentSpanId).toBe(server.spanId);
  });
});

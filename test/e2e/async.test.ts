// Asynchronous invocation end to end on real processes: events are accepted durably (202), run within
// the concurrency limits (throttled events wait), retried exactly as configured with the same request id,
// then dead-lettered with their original payload and reported to on-failure destinations; successes
// reach on-success destinations. Nothing accepted is lost when a worker or the leading scheduler is
// killed mid-event, or when nats-server restarts with events queued.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  InvokeCommand,
  LambdaClient,
  PutFunctionConcurrencyCommand,
  PutFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { connect, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { startNatsServer, waitUntilHealthy, type RunningNatsServer } from "@lambent/local-cluster";
import { natsAuthorizationBlock } from "@lambent/nats-auth";
import { Subjects, decodeInvocation, decodeJson, type ClusterStatus, type InvocationHeader, type LeaseReleases, type WorkerHeartbeat } from "@lambent/protocol";
import { eventually, lambdaClientConfig, startTestCluster, workerRunning, zipFiles, type TestCluster } from "@lambent/testkit";
import * as grpc from "@grpc/grpc-js";
import * as proto from "@lambent/proto";
import { startGate, type Gate } from "../fixtures/gate.js";
import { unaryCall } from "../fixtures/grpc-unary.js";
import { join } from "node:path";

let cluster: TestCluster;
let lambda: LambdaClient;
let nc: NatsConnection;
let gate: Gate;
/** The nats-server started again by the restart test: stopped here, since the cluster knows only the first. */
let restartedNats: RunningNatsServer | undefined;

const ROLE = "arn:aws:iam::000000000000:role/test";
const arn = (service: "sns" | "sqs", name: string): string => `arn:aws:${service}:us-east-1:000000000000:${name}`;

/** Passes through the gate (keyed by the event's key and its request id), then succeeds or throws. */
const eventFunction = zipFiles({
  "index.mjs": `export const handler = async (event, context) => {
    if (event.key) {
      const key = encodeURIComponent(event.key);
      await (await fetch(process.env.GATE_URL + "/enter?key=" + key)).text();
      await (await fetch(process.env.GATE_URL + "/leave?key=" + key)).text();
      await (await fetch(process.env.GATE_URL + "/enter?key=" + encodeURIComponent("run:" + context.awsRequestId))).text();
      await (await fetch(process.env.GATE_URL + "/leave?key=" + encodeURIComponent("run:" + context.awsRequestId))).text();
    }
    if (event.fail) throw new Error("failing on purpose: " + event.fail);
    return { done: event.n ?? 0 };
  };`,
});

beforeAll(async () => {
  gate = await startGate();
  gate.open();
  cluster = await startTestCluster({
    schedulers: 2,
    workers: 2,
    env: {
      LAMBENT_FETCH_ALLOW: "127.0.0.1",
      LAMBENT_ASYNC_RETRY_BASE_MS: "50",
      LAMBENT_HEARTBEAT_MS: "200",
      LAMBENT_WORKER_TIMEOUT_MS: "1500",
      LAMBENT_LEADER_TIMEOUT_MS: "1000",
    },
  });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  nc = await connect({ ...cluster.natsOptions(), maxReconnectAttempts: -1, reconnectTimeWait: 250 });
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await nc?.close();
  await cluster?.stop();
  await restartedNats?.stop();
  await gate?.close();
});

async function createFunction(name: string, extra: Record<string, unknown> = {}): Promise<void> {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Handler: "index.handler",
      Role: ROLE,
      Code: { ZipFile: eventFunction },
      Timeout: 30,
      Environment: { Variables: { GATE_URL: gate.url } },
      ...extra,
    }),
  );
}

async function sendEvent(functionName: string, event: unknown): Promise<string> {
  const response = await fetch(`${cluster.httpUrl}/2015-03-31/functions/${functionName}/invocations`, {
    method: "POST",
    headers: { "X-Amz-Invocation-Type": "Event" },
    body: JSON.stringify(event),
  });
  expect(response.status).toBe(202);
  expect(await response.text()).toBe("");
  return response.headers.get("x-amzn-requestid")!;
}

/** Lambda's invocation record, as destinations receive it. */
interface InvocationRecord {
  requestContext: { requestId: string; functionArn: string; condition: string; approximateInvokeCount: number };
  requestPayload: unknown;
  responseContext?: { statusCode: number; executedVersion: string; functionError?: string };
  responsePayload?: { errorMessage?: string } & Record<string, unknown>;
}

/** Collects what arrives on a subject; `until(n)` resolves once n messages are in. */
function collect(subject: string) {
  const received: { data: unknown; headers: Record<string, string> }[] = [];
  let waiters: { count: number; resolve: () => void }[] = [];
  const subscription: Subscription = nc.subscribe(subject, {
    callback: (_error, msg) => {
      const headers: Record<string, string> = {};
      for (const [name, values] of msg.headers ?? []) headers[name] = values[0] ?? "";
      received.push({ data: decodeJson(msg.data), headers });
      waiters = waiters.filter((waiter) => (received.length >= waiter.count ? (waiter.resolve(), false) : true));
    },
  });
  return {
    received,
    until: (count: number) => (received.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }))),
    stop: () => subscription.unsubscribe(),
  };
}

async function queueDepth(functionName: string): Promise<number> {
  const response = await fetch(`${cluster.httpUrl}/lambent/2024-01-01/functions/${functionName}/queue`);
  return ((await response.json()) as { Depth: number }).Depth;
}

describe("asynchronous invocation", () => {
  it("accepts an event with 202 and runs it; the on-success destination gets Lambda's record", async () => {
    await createFunction("async-ok");
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: "async-ok", DestinationConfig: { OnSuccess: { Destination: arn("sns", "test.async-ok.success") } } }),
    );
    const successes = collect("test.async-ok.success");
    const requestId = await sendEvent("async-ok", { n: 7 });
    await successes.until(1);
    const record = successes.received[0]!.data as InvocationRecord;
    expect(record.requestContext).toMatchObject({ requestId, condition: "Success", approximateInvokeCount: 1 });
    expect(record.requestContext.functionArn).toBe("arn:aws:lambda:us-east-1:000000000000:function:async-ok:$LATEST");
    expect(record.requestPayload).toEqual({ n: 7 });
    expect(record.responseContext).toMatchObject({ statusCode: 200, executedVersion: "$LATEST" });
    expect(record.responsePayload).toEqual({ done: 7 });
    // The SDK sees 202 too.
    const viaSdk = await lambda.send(new InvokeCommand({ FunctionName: "async-ok", InvocationType: "Event", Payload: Buffer.from('{"n":1}') }));
    expect(viaSdk.StatusCode).toBe(202);
    await successes.until(2);
    successes.stop();
  });

  it("frees an event's slot on its answer: the worker sends no release of its own", async () => {
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: "async-ok", DestinationConfig: { OnSuccess: { Destination: arn("sns", "test.async-answer.success") } } }),
    );
    const successes = collect("test.async-answer.success");
    const placed: InvocationHeader[] = [];
    // Sandbox processes' subjects are `<node>.<sandbox>` deep: every worker subject, the invocations kept.
    const invokes = nc.subscribe(Subjects.workerNodeAll("*"), {
      callback: (_error, msg) => {
        if (msg.subject.endsWith(".invoke")) placed.push(decodeInvocation(msg.data).header);
      },
    });
    const released: string[] = [];
    const releases = nc.subscribe(Subjects.schedulerRelease, {
      callback: (_error, msg) => {
        for (const release of (decodeJson(msg.data) as LeaseReleases).releases) released.push(`${release.term}.${release.leaseId}`);
      },
    });
    try {
      const requestId = await sendEvent("async-ok", { n: 11 });
      await successes.until(1);
      const lease = placed.find((header) => header.requestId === requestId)?.lease;
      expect(lease).toMatchObject({ answerReleases: true });
      await eventually(async () => (decodeJson((await nc.request(Subjects.schedulerStatus, undefined, { timeout: 2000 })).data) as ClusterStatus).inFlight === 0, {
        deadline: 30_000,
        message: "the event's slot was never freed",
      });
      await nc.flush();
      expect(released).not.toContain(`${lease!.term}.${lease!.leaseId}`);
    } finally {
      invokes.unsubscribe();
      releases.unsubscribe();
      successes.stop();
    }
  });

  it("accepts an event over gRPC with status 202 and runs it", async () => {
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: "async-ok", DestinationConfig: { OnSuccess: { Destination: arn("sns", "test.async-grpc.success") } } }),
    );
    const successes = collect("test.async-grpc.success");
    const client = new proto.LambdaClient(cluster.grpcAddress, grpc.credentials.createInsecure());
    try {
      const answer = await unaryCall(
        client,
        client.invoke,
        proto.InvokeRequest.fromPartial({ functionName: "async-ok", invocationType: proto.InvocationType.EVENT, payload: Buffer.from('{"n":3}') }),
      );
      expect(answer.statusCode).toBe(202);
      await successes.until(1);
      expect((successes.received[0]!.data as InvocationRecord).requestPayload).toEqual({ n: 3 });
    } finally {
      client.close();
      successes.stop();
    }
  });

  it("refuses an event payload over 1 MB with RequestTooLargeException", async () => {
    await createFunction("async-big");
    const response = await fetch(`${cluster.httpUrl}/2015-03-31/functions/async-big/invocations`, {
      method: "POST",
      headers: { "X-Amz-Invocation-Type": "Event" },
      body: JSON.stringify({ blob: "x".repeat(1024 * 1024) }),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get("x-amzn-errortype")).toBe("RequestTooLargeException");
  });

  it("keeps throttled events queued and runs every one once capacity returns", async () => {
    await createFunction("async-throttled");
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "async-throttled", ReservedConcurrentExecutions: 0 }));
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: "async-throttled", DestinationConfig: { OnSuccess: { Destination: arn("sns", "test.throttled.success") } } }),
    );
    const successes = collect("test.throttled.success");
    const sent = new Set<string>();
    for (let i = 0; i < 5; i++) sent.add(await sendEvent("async-throttled", { n: i }));
    expect(await queueDepth("async-throttled")).toBe(5);
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "async-throttled" }));
    await successes.until(5);
    const ran = new Set(successes.received.map((message) => (message.data as { requestContext: { requestId: string } }).requestContext.requestId));
    expect(ran).toEqual(sent);
    successes.stop();
  });

  it("retries a failing function exactly MaximumRetryAttempts times with the same request id, then dead-letters the original payload", async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "TEST_DLQ", subjects: ["test.dlq.>"] });
    await createFunction("async-fails", { DeadLetterConfig: { TargetArn: arn("sqs", "test.dlq.fails") } });
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "async-fails",
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: arn("sns", "test.fails.failure") } },
      }),
    );
    const failures = collect("test.fails.failure");
    const dlq = collect("test.dlq.fails");
    const requestId = await sendEvent("async-fails", { key: "fails", fail: "always" });
    await Promise.all([failures.until(1), dlq.until(1)]);
    // One first run and two retries, all under the one request id.
    expect(gate.peak(`run:${requestId}`)).toBe(1);
    expect(gate.entries(`run:${requestId}`)).toBe(3);
    expect(dlq.received).toHaveLength(1);
    expect(dlq.received[0]!.data).toEqual({ key: "fails", fail: "always" });
    expect(dlq.received[0]!.headers["RequestID"]).toBe(requestId);
    expect(dlq.received[0]!.headers["ErrorCode"]).toBe("Error");
    const record = failures.received[0]!.data as InvocationRecord;
    expect(record.requestContext).toMatchObject({ requestId, condition: "RetriesExhausted", approximateInvokeCount: 3 });
    expect(record.responseContext).toMatchObject({ functionError: "Unhandled" });
    expect(record.responsePayload?.errorMessage).toBe("failing on purpose: always");
    // Exactly one dead letter, and the DLQ stream holds exactly that one.
    expect((await jsm.streams.info("TEST_DLQ")).state.messages).toBe(1);
    const stats = (await (await fetch(`${cluster.httpUrl}/lambent/2024-01-01/functions/async-fails/queue`)).json()) as Record<string, number>;
    expect(stats).toMatchObject({ Depth: 0, Retried: 2, DeadLettered: 1 });
    failures.stop();
    dlq.stop();
  });

  it("accounts for every event exactly: events in = succeeded + dead-lettered, runs as configured", async () => {
    await createFunction("async-mixed", { DeadLetterConfig: { TargetArn: arn("sns", "test.mixed.dlq") } });
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "async-mixed",
        MaximumRetryAttempts: 1,
        DestinationConfig: { OnSuccess: { Destination: arn("sns", "test.mixed.success") } },
      }),
    );
    const successes = collect("test.mixed.success");
    const dlq = collect("test.mixed.dlq");
    const failing = new Set<string>();
    const passing = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const fails = i % 2 === 0;
      const requestId = await sendEvent("async-mixed", fails ? { key: "mixed", fail: String(i) } : { key: "mixed", n: i });
      (fails ? failing : passing).add(requestId);
    }
    await Promise.all([successes.until(10), dlq.until(10)]);
    expect(new Set(successes.received.map((message) => (message.data as InvocationRecord).requestContext.requestId))).toEqual(passing);
    expect(new Set(dlq.received.map((message) => message.headers["RequestID"]))).toEqual(failing);
    for (const requestId of passing) expect(gate.entries(`run:${requestId}`)).toBe(1);
    for (const requestId of failing) expect(gate.entries(`run:${requestId}`)).toBe(2);
    expect(gate.entries("mixed")).toBe(30);
    const stats = (await (await fetch(`${cluster.httpUrl}/lambent/2024-01-01/functions/async-mixed/queue`)).json()) as Record<string, number>;
    expect(stats).toMatchObject({ Retried: 10, DeadLettered: 10 });
    successes.stop();
    dlq.stop();
  });

  it("runs a failing function once with MaximumRetryAttempts 0", async () => {
    await createFunction("async-once");
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "async-once",
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnFailure: { Destination: arn("sns", "test.once.failure") } },
      }),
    );
    const failures = collect("test.once.failure");
    const requestId = await sendEvent("async-once", { key: "once", fail: "once" });
    await failures.until(1);
    expect(gate.entries(`run:${requestId}`)).toBe(1);
    expect((failures.received[0]!.data as InvocationRecord).requestContext.approximateInvokeCount).toBe(1);
    failures.stop();
  });

  it("runs an event again when its worker is killed in the middle of it", async () => {
    await createFunction("async-worker-kill");
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: "async-worker-kill", DestinationConfig: { OnSuccess: { Destination: arn("sns", "test.wk.success") } } }),
    );
    const successes = collect("test.wk.success");
    gate.shut();
    const requestId = await sendEvent("async-worker-kill", { key: "wk" });
    await gate.until(() => gate.inside("wk") === 1);
    const busy = await busyWorker("async-worker-kill");
    await workerRunning(cluster, busy)!.kill();
    await cluster.add("worker", { LAMBENT_HEARTBEAT_MS: "200" });
    // The event comes back to the gate on another worker.
    await gate.until(() => gate.entries("wk") === 2);
    gate.open();
    await successes.until(1);
    expect((successes.received[0]!.data as InvocationRecord).requestContext.requestId).toBe(requestId);
    successes.stop();
  });

  it("runs an event again when the leading scheduler is killed in the middle of it", async () => {
    await createFunction("async-sched-kill");
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: "async-sched-kill", DestinationConfig: { OnSuccess: { Destination: arn("sns", "test.sk.success") } } }),
    );
    const successes = collect("test.sk.success");
    gate.shut();
    const requestId = await sendEvent("async-sched-kill", { key: "sk" });
    await gate.until(() => gate.inside("sk") === 1);
    const leader = decodeJson((await nc.request(Subjects.schedulerStatus, undefined, { timeout: 2000 })).data) as ClusterStatus;
    await cluster.schedulers.find((scheduler) => scheduler.ready["schedulerId"] === leader.schedulerId)!.kill();
    // The run in progress answers a scheduler that is gone; the event was never acknowledged, so the
    // new leader gets it again once its acknowledgement time runs out, and runs it again.
    gate.open();
    await successes.until(1);
    expect((successes.received[0]!.data as InvocationRecord).requestContext.requestId).toBe(requestId);
    expect(gate.entries("sk")).toBe(2);
    await cluster.add("scheduler", { LAMBENT_LEADER_TIMEOUT_MS: "1000" });
    successes.stop();
  }, 60_000);

  it("keeps queued events through a nats-server restart and runs them after", async () => {
    await createFunction("async-restart");
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "async-restart", ReservedConcurrentExecutions: 0 }));
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: "async-restart", DestinationConfig: { OnSuccess: { Destination: arn("sns", "test.restart.success") } } }),
    );
    const sent = new Set<string>();
    for (let i = 0; i < 3; i++) sent.add(await sendEvent("async-restart", { n: i }));
    const port = cluster.nats!.port;
    await cluster.nats!.stop();
    // The same users and permissions as before: the services reconnect with their own credentials.
    restartedNats = await startNatsServer({
      storeDir: join(cluster.dataDir, "nats"),
      port,
      ...(cluster.natsCredentials ? { extraConfig: natsAuthorizationBlock(cluster.natsCredentials) } : {}),
    });
    // The test's own connection reconnects like the services do.
    const successes = collect("test.restart.success");
    await waitUntilHealthy(cluster.httpUrl);
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "async-restart" }));
    await successes.until(3);
    expect(new Set(successes.received.map((message) => (message.data as InvocationRecord).requestContext.requestId))).toEqual(sent);
    successes.stop();
  }, 60_000);
});

/** The worker whose heartbeat lists a running call of the function. */
async function busyWorker(functionName: string): Promise<string> {
  const subscription = nc.subscribe(Subjects.workerHeartbeat);
  try {
    for await (const message of subscription) {
      const beat = decodeJson(message.data) as WorkerHeartbeat;
      if (beat.running.some((lease) => lease.functionName === functionName)) return beat.workerId;
    }
  } finally {
    subscription.unsubscribe();
  }
  throw new Error("no worker runs the function");
}

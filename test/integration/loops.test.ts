// Recursive loops through destinations and triggers on a real cluster, cut as a chain of
// `lambent:functions` calls is: every hop adds one to the call depth, the invocation that started the
// chain and 16 hops run, and the 17th hop is stopped: not run, its event sent to the function's
// dead-letter target and on-failure destination, counted in lambent_recursive_invocations_dropped_total.
// Each function answers one more than the hop count its event carries, so what reaches the destinations
// says how many times the loop ran.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LambdaClient, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { connect, headers as natsHeaders, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { Kvm, type KV } from "@nats-io/kv";
import { Buckets, decodeJson } from "@lambent/protocol";
import { emptyEventInvokeConfig, eventInvokeConfigKey } from "@lambent/registry/functions";
import { eventually, lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";

const ACCOUNT = "000000000000";
const functionArn = (name: string): string => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
const sns = (subject: string): string => `arn:aws:sns:us-east-1:${ACCOUNT}:${subject}`;

/** The invocation that started the chain and MAX_CALL_DEPTH (16) hops after it. */
const RUNS = 17;

/** One more than the hop its event reports: an invocation record, or an SNS envelope carrying one. */
const hopCounter = zipFiles({
  "index.mjs": `export const handler = async (event) => {
    const previous = event.Records ? JSON.parse(event.Records[0].Sns.Message) : event;
    return { hop: (previous.responsePayload?.hop ?? 0) + 1 };
  };`,
});

let cluster: TestCluster;
let lambda: LambdaClient;
let nc: NatsConnection;
let functionsKv: KV;

beforeAll(async () => {
  cluster = await startTestCluster();
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  nc = await connect({ ...cluster.natsOptions() });
  functionsKv = await new Kvm(nc).open(Buckets.functions);
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await nc?.close();
  await cluster?.stop();
});

interface InvocationRecord {
  requestContext: { functionArn: string; condition: string; approximateInvokeCount: number };
  requestPayload: unknown;
  responsePayload?: { hop: number };
}

/** What arrives on a subject, with its Lambent-Call-Depth; `until(n)` resolves once n messages are in. */
function collect(subject: string) {
  const received: { data: unknown; callDepth: string | undefined }[] = [];
  let waiters: { count: number; resolve: () => void }[] = [];
  const subscription: Subscription = nc.subscribe(subject, {
    callback: (_error, msg) => {
      received.push({ data: decodeJson(msg.data), callDepth: msg.headers?.get("Lambent-Call-Depth") || undefined });
      waiters = waiters.filter((waiter) => (received.length >= waiter.count ? (waiter.resolve(), false) : true));
    },
  });
  return {
    received,
    until: (count: number) => (received.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }))),
    stop: () => subscription.unsubscribe(),
  };
}

async function sendEvent(functionName: string, event: unknown): Promise<void> {
  const response = await fetch(`${cluster.httpUrl}/2015-03-31/functions/${functionName}/invocations`, {
    method: "POST",
    headers: { "X-Amz-Invocation-Type": "Event" },
    body: JSON.stringify(event),
  });
  expect(response.status).toBe(202);
}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${cluster.httpUrl}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** Resolves once the function's queue is empty and its successes are counted: how many times it ran. */
async function succeeded(functionName: string, expected: number): Promise<void> {
  await eventually(
    async () => {
      const queue = (await api("GET", `/lambent/2024-01-01/functions/${functionName}/queue`)).body;
      return queue["Depth"] === 0 && queue["Succeeded"] === expected;
    },
    { deadline: 30_000, message: `${functionName} never settled at ${expected} successful runs` },
  );
}

/** A counter of the scheduler's, by its labels (0 when it has none yet). */
async function schedulerCount(metric: string, labels: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${String(cluster.schedulers[0]!.ready["metricsPort"])}/metrics`)).text();
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${metric}{${labels}} `));
  return line ? Number(line.split(" ").pop()) : 0;
}

const dropped = (functionName: string, cut: string): Promise<number> =>
  schedulerCount("lambent_recursive_invocations_dropped_total", `function="${functionName}",cut="${cut}"`);

describe("recursive loops", () => {
  it("stop a function that is its own on-success destination after 16 hops: the stopped event goes to its dead-letter target and on-failure destination", async () => {
    await createTestFunction(lambda, "loop-self", hopCounter, { DeadLetterConfig: { TargetArn: sns("test.loops.self-dead") } });
    // The API refuses a function as its own destination; a config stored before it did is still cut.
    await functionsKv.put(
      eventInvokeConfigKey("loop-self", "$LATEST"),
      JSON.stringify({ ...emptyEventInvokeConfig("loop-self", "$LATEST"), onSuccess: functionArn("loop-self"), onFailure: sns("test.loops.self-stopped") }),
    );
    const stopped = collect("test.loops.self-stopped");
    const dead = collect("test.loops.self-dead");
    await sendEvent("loop-self", {});
    await Promise.all([stopped.until(1), dead.until(1)]);

    const record = stopped.received[0]!.data as InvocationRecord;
    expect(record.requestContext).toEqual({ requestId: expect.any(String), functionArn: `${functionArn("loop-self")}:$LATEST`, condition: "RecursiveInvocationDropped", approximateInvokeCount: 0 });
    // The event that was not run: the on-success record of the last run, the 17th.
    expect((record.requestPayload as InvocationRecord).responsePayload).toEqual({ hop: RUNS });
    expect(record).not.toHaveProperty("responsePayload");
    expect(stopped.received[0]!.callDepth).toBe("17");
    expect((dead.received[0]!.data as InvocationRecord).responsePayload).toEqual({ hop: RUNS });
    await succeeded("loop-self", RUNS);
    expect(await dropped("loop-self", "event")).toBe(1);
    stopped.stop();
    dead.stop();
  });

  it("stop a chain of two functions, each the other's on-success destination, after 16 hops", async () => {
    for (const name of ["loop-ping", "loop-pong"]) await createTestFunction(lambda, name, hopCounter);
    for (const [name, other] of [["loop-ping", "loop-pong"], ["loop-pong", "loop-ping"]] as const) {
      await lambda.send(
        new PutFunctionEventInvokeConfigCommand({
          FunctionName: name,
          DestinationConfig: { OnSuccess: { Destination: functionArn(other) }, OnFailure: { Destination: sns("test.loops.chain-stopped") } },
        }),
      );
    }
    const stopped = collect("test.loops.chain-stopped");
    await sendEvent("loop-ping", {});
    await stopped.until(1);
    // ping ran the odd hops (1, 3, … 17), pong the even ones; the 18th would have been pong's.
    const record = stopped.received[0]!.data as InvocationRecord;
    expect(record.requestContext).toMatchObject({ functionArn: `${functionArn("loop-pong")}:$LATEST`, condition: "RecursiveInvocationDropped" });
    expect((record.requestPayload as InvocationRecord).responsePayload).toEqual({ hop: RUNS });
    await succeeded("loop-ping", 9);
    await succeeded("loop-pong", 8);
    expect(await dropped("loop-pong", "event")).toBe(1);
    stopped.stop();
  });

  it("stop a loop through a topic trigger after 16 hops, and the stopped event's record fed back fires nothing", async () => {
    // loop-relay's successes are published on the topic, whose trigger runs loop-topic, whose successes go
    // to loop-relay. (A function fed by its own records through a topic would stop at 1 MB before 16
    // hops: each hop quotes the last record inside an SNS message, doubling its escapes. Between topic
    // hops, a function destination hands the record on as JSON.)
    for (const name of ["loop-relay", "loop-topic"]) await createTestFunction(lambda, name, hopCounter);
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "loop-relay", DestinationConfig: { OnSuccess: { Destination: sns("test.loops.topic") } } }));
    // loop-topic's on-failure destination is the topic too: the record of its stopped event comes back.
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "loop-topic",
        DestinationConfig: { OnSuccess: { Destination: functionArn("loop-relay") }, OnFailure: { Destination: sns("test.loops.topic") } },
      }),
    );
    const created = await api("POST", "/lambent/2024-01-01/triggers", { Name: "loop-topic", FunctionName: "loop-topic", Topic: { Subject: "test.loops.topic" } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // A message from a stopped invocation fires nothing: such probes tell when the trigger listens,
    // without running anything.
    const firedNothing = (): Promise<number> => schedulerCount("lambent_trigger_firings_total", `trigger="loop-topic",outcome="recursive_loop"`);
    const probe = natsHeaders();
    probe.set("Lambent-Call-Depth", "17");
    await eventually(
      async () => {
        nc.publish("test.loops.topic", new TextEncoder().encode("{}"), { headers: probe });
        await nc.flush();
        return (await firedNothing()) > 0;
      },
      { deadline: 30_000, interval: 200, message: "the topic trigger never listened" },
    );
    const probes = await firedNothing();
    expect(await dropped("loop-topic", "trigger")).toBe(probes);

    const topic = collect("test.loops.topic");
    await sendEvent("loop-relay", {});
    // loop-relay ran the odd hops (1, 3, … 17) and published each success; loop-topic the even ones.
    const relayRuns = (RUNS + 1) / 2;
    await topic.until(relayRuns + 1);
    await succeeded("loop-relay", relayRuns);
    await succeeded("loop-topic", RUNS - relayRuns);
    const records = topic.received.map((message) => message.data as InvocationRecord);
    expect(records.slice(0, relayRuns).map((record) => [record.requestContext.condition, record.responsePayload])).toEqual(
      Array.from({ length: relayRuns }, (_, index) => ["Success", { hop: 2 * index + 1 }]),
    );
    // Each published from two calls deeper than the one before (the first from depth 0: no header).
    expect(topic.received.slice(0, relayRuns).map((message) => message.callDepth)).toEqual([undefined, ...Array.from({ length: relayRuns - 1 }, (_, index) => String(2 * index + 2))]);
    // The 17th hop's record, published from depth 16, would have run loop-topic 17 hops deep: it was
    // stopped, and its record went to loop-topic's on-failure destination, from depth 17.
    const stopped = records[relayRuns]!;
    expect(stopped.requestContext).toMatchObject({ functionArn: `${functionArn("loop-topic")}:$LATEST`, condition: "RecursiveInvocationDropped", approximateInvokeCount: 0 });
    const envelope = stopped.requestPayload as { Records: [{ Sns: { Message: string; MessageAttributes: Record<string, unknown> } }] };
    expect((JSON.parse(envelope.Records[0].Sns.Message) as InvocationRecord).responsePayload).toEqual({ hop: RUNS });
    expect(envelope.Records[0].Sns.MessageAttributes).not.toHaveProperty("Lambent-Call-Depth");
    expect(topic.received[relayRuns]!.callDepth).toBe("17");
    expect(await dropped("loop-topic", "event")).toBe(1);
    // The trigger drops that record: nothing more runs.
    await eventually(async () => (await firedNothing()) === probes + 1, { deadline: 30_000, message: "the stopped event's record was not dropped by the trigger" });
    expect(await dropped("loop-topic", "trigger")).toBe(probes + 1);
    await succeeded("loop-topic", RUNS - relayRuns);
    expect(topic.received).toHaveLength(relayRuns + 1);
    topic.stop();
  });
});

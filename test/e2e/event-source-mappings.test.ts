// Event source mappings end to end on real processes, driven by @aws-sdk/client-lambda: queue semantics
// (partial batch failures, dead letters, visibility timeouts, Enabled false), stream semantics (order per
// subject under retries, bisecting and the on-failure destination, starting positions, resuming after the
// leading scheduler stops), the API's errors over REST and gRPC, and the CLI. Functions hand every batch
// to a recorder in the test, which decides, call by call, what they answer.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  PutFunctionConcurrencyCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  type CreateEventSourceMappingCommandInput,
  type EventSourceMappingConfiguration,
} from "@aws-sdk/client-lambda";
import { connect, headers as natsHeaders, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, RetentionPolicy, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import * as grpc from "@grpc/grpc-js";
import * as proto from "@lambent/proto";
import { Buckets, Subjects, decodeJson, type ClusterStatus } from "@lambent/protocol";
import { eventSourceMappingStateKey } from "@lambent/registry/event-sources";
import { eventually, lambdaClientConfig, startTestCluster, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { recorded, startRecorder, type Recorder } from "../fixtures/recorder.js";
import { unaryCall } from "../fixtures/grpc-unary.js";

const CLI = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));
const sqs = (subject: string): string => `arn:aws:sqs:us-east-1:000000000000:${subject}`;
const sns = (subject: string): string => `arn:aws:sns:us-east-1:000000000000:${subject}`;
const kinesis = (stream: string): string => `arn:aws:kinesis:us-east-1:000000000000:stream/${stream}`;

let cluster: TestCluster;
let lambda: LambdaClient;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let functionsKv: KV;
let recorder: Recorder;

beforeAll(async () => {
  recorder = await startRecorder();
  cluster = await startTestCluster({
    schedulers: 2,
    workers: 1,
    env: {
      LAMBENT_FETCH_ALLOW: "127.0.0.1",
      LAMBENT_ESM_RETRY_BASE_MS: "50",
      LAMBENT_HEARTBEAT_MS: "200",
      LAMBENT_WORKER_TIMEOUT_MS: "1500",
      LAMBENT_LEADER_TIMEOUT_MS: "1000",
      // A failed queue message is received again after a second (Lambent's default is 30 s).
      LAMBENT_ESM_VISIBILITY_TIMEOUT_SECONDS: "1",
    },
  });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  nc = await connect({ ...cluster.natsOptions() });
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  functionsKv = await new Kvm(nc).open(Buckets.functions);
  await jsm.streams.add({ name: "QUEUES", subjects: ["q.>"], retention: RetentionPolicy.Workqueue });
  await jsm.streams.add({ name: "DEAD", subjects: ["dead.>"] });
  for (const name of ["ORDERS", "BISECT", "POSITIONS", "RESUME", "LOOP", "FILTERED", "WINDOWS"]) await jsm.streams.add({ name, subjects: [`${name.toLowerCase()}.>`] });
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await nc?.close();
  await cluster?.stop();
  await recorder?.close();
});

async function createFunction(name: string): Promise<void> {
  await createTestFunction(lambda, name, recorded, { Timeout: 10, Environment: { Variables: { RECORDER_URL: recorder.url } } });
}

async function createMapping(input: CreateEventSourceMappingCommandInput): Promise<EventSourceMappingConfiguration> {
  const created = await lambda.send(new CreateEventSourceMappingCommand(input));
  await waitForState(created.UUID!, input.Enabled === false ? "Disabled" : "Enabled");
  return created;
}

/** Asks GetEventSourceMapping until the leading scheduler reports the state (it settles within a poll or two). */
async function waitForState(uuid: string, state: string): Promise<EventSourceMappingConfiguration> {
  return eventually(
    async () => {
      const mapping = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
      return mapping.State === state && mapping;
    },
    { deadline: 30_000, message: `mapping ${uuid} never reached the state ${state}` },
  );
}

async function publish(subject: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  const natsHeadersSet = natsHeaders();
  for (const [name, value] of Object.entries(headers)) natsHeadersSet.set(name, value);
  return (await js.publish(subject, body, { headers: natsHeadersSet })).seq;
}

interface SqsRecord {
  messageId: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, { stringValue: string }>;
  md5OfBody: string;
  eventSource: string;
  eventSourceARN: string;
  awsRegion: string;
}

interface KinesisRecord {
  kinesis: { partitionKey: string; sequenceNumber: string; data: string; approximateArrivalTimestamp: number };
  eventID: string;
  eventSource: string;
  eventSourceARN: string;
}

const sqsRecords = (event: unknown): SqsRecord[] => (event as { Records: SqsRecord[] }).Records;
const kinesisRecords = (event: unknown): KinesisRecord[] => (event as { Records: KinesisRecord[] }).Records;
const dataOf = (record: KinesisRecord): string => Buffer.from(record.kinesis.data, "base64").toString("utf8");

/** The bodies of every batch a function got, in order. */
const queueBatches = (functionName: string): string[][] => recorder.calls(functionName).map((call) => sqsRecords(call.event).map((record) => record.body));
const streamBatches = (functionName: string): string[][] => recorder.calls(functionName).map((call) => kinesisRecords(call.event).map(dataOf));

/** Resolves with what arrives on a plain NATS subject, once `count` messages are in. */
function collect(subject: string) {
  const received: unknown[] = [];
  let waiters: { count: number; resolve: () => void }[] = [];
  const subscription: Subscription = nc.subscribe(subject, {
    callback: (_error, msg) => {
      received.push(decodeJson(msg.data));
      waiters = waiters.filter((waiter) => (received.length >= waiter.count ? (waiter.resolve(), false) : true));
    },
  });
  return {
    received,
    until: (count: number) => (received.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }))),
    stop: () => subscription.unsubscribe(),
  };
}

async function streamMessages(stream: string): Promise<number> {
  return (await jsm.streams.info(stream)).state.messages;
}

/** Invocations the schedulers running now stopped as a recursive loop, for a function, where they cut it. */
async function loopsStopped(functionName: string, cut: string): Promise<number> {
  let total = 0;
  for (const scheduler of cluster.schedulers) {
    if (scheduler.process.exitCode !== null || scheduler.process.signalCode !== null) continue;
    const text = await (await fetch(`http://127.0.0.1:${String(scheduler.ready["metricsPort"])}/metrics`)).text();
    const line = text.split("\n").find((candidate) => candidate.startsWith(`lambent_recursive_invocations_dropped_total{function="${functionName}",cut="${cut}"} `));
    if (line) total += Number(line.split(" ").pop());
  }
  return total;
}

async function untilStreamHolds(stream: string, count: number): Promise<void> {
  await eventually(async () => (await streamMessages(stream)) === count, { deadline: 30_000, message: `stream ${stream} never held ${count} messages` });
}

/** What the leading scheduler last recorded of a mapping's batches (`esmstate.<uuid>` in the functions bucket). */
async function lastProcessingResult(uuid: string): Promise<string | undefined> {
  const entry = await functionsKv.get(eventSourceMappingStateKey(uuid));
  return entry?.operation === "PUT" ? (entry.json<{ lastProcessingResult?: string }>().lastProcessingResult ?? undefined) : undefined;
}

describe("queue event source mappings", () => {
  it("retries only the items a function reports failed, and acks the rest once", async () => {
    await createFunction("q-partial");
    for (const body of ["one", "two", "bad", "four", "five"]) await publish("q.partial", body, { "x-origin": "test" });
    const mapping = await createMapping({
      FunctionName: "q-partial",
      EventSourceArn: sqs("q.partial"),
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    expect(mapping).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ["ReportBatchItemFailures"], EventSourceArn: sqs("q.partial") });
    recorder.decide("q-partial", (event) => {
      const bad = sqsRecords(event).filter((record) => record.body === "bad" && record.attributes["ApproximateReceiveCount"] === "1");
      return { result: { batchItemFailures: bad.map((record) => ({ itemIdentifier: record.messageId })) } };
    });
    await recorder.until(() => recorder.calls("q-partial").length >= 2);
    await untilStreamHolds("QUEUES", 0);
    const batches = queueBatches("q-partial");
    expect(batches).toEqual([["one", "two", "bad", "four", "five"], ["bad"]]);
    const [first, second] = recorder.calls("q-partial").map((call) => sqsRecords(call.event));
    const badFirst = first!.find((record) => record.body === "bad")!;
    const badAgain = second![0]!;
    expect(badAgain.messageId).toBe(badFirst.messageId);
    expect(badAgain.attributes["ApproximateReceiveCount"]).toBe("2");
    expect(badAgain.attributes["SentTimestamp"]).toBe(badFirst.attributes["SentTimestamp"]);
    expect(badAgain.attributes["ApproximateFirstReceiveTimestamp"]).toBe(badFirst.attributes["ApproximateFirstReceiveTimestamp"]);
    expect(badFirst).toMatchObject({
      eventSource: "aws:sqs",
      eventSourceARN: sqs("q.partial"),
      awsRegion: "us-east-1",
      md5OfBody: createHash("md5").update("bad").digest("hex"),
      messageAttributes: { "x-origin": { stringValue: "test", stringListValues: [], binaryListValues: [], dataType: "String" } },
    });
    // Lambda reports no LastProcessingResult for a queue's mapping; the scheduler's state holds it.
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: mapping.UUID! }))).LastProcessingResult).toBeUndefined();
    expect(await lastProcessingResult(mapping.UUID!)).toBe("OK");
  });

  it("moves a message that always fails to the dead-letter target, unchanged, after 1 + MaximumRetryAttempts receives", async () => {
    await createFunction("q-poison");
    recorder.decide("q-poison", () => ({ error: "poisoned" }));
    await createMapping({
      FunctionName: "q-poison",
      EventSourceArn: sqs("q.poison"),
      BatchSize: 1,
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: sqs("dead.poison") } },
    });
    const body = '{"poison": true,  "spacing": "kept"}';
    await publish("q.poison", body, { "x-trace": "abc" });
    await untilStreamHolds("DEAD", 1);
    const dead = await jsm.streams.getMessage("DEAD", { last_by_subj: "dead.poison" });
    expect(dead!.string()).toBe(body);
    expect(dead!.header.get("x-trace")).toBe("abc");
    const receives = recorder.calls("q-poison").map((call) => sqsRecords(call.event)[0]!.attributes["ApproximateReceiveCount"]);
    expect(receives).toEqual(["1", "2", "3"]);
    await untilStreamHolds("QUEUES", 0);
  });

  it("makes a whole failed batch visible again after the visibility timeout", async () => {
    await createFunction("q-whole");
    recorder.decide("q-whole", (_event, call) => (recorder.calls("q-whole")[0] === call ? { error: "first try fails" } : {}));
    await publish("q.whole", "a");
    await publish("q.whole", "b");
    const mapping = await createMapping({ FunctionName: "q-whole", EventSourceArn: sqs("q.whole"), BatchSize: 5 });
    await recorder.until(() => recorder.calls("q-whole").flatMap((call) => sqsRecords(call.event)).length >= 4);
    await untilStreamHolds("QUEUES", 0);
    const [first, ...again] = recorder.calls("q-whole").map((call) => sqsRecords(call.event));
    expect(first!.map((record) => record.body)).toEqual(["a", "b"]);
    // Both came back once, in one batch or two (as from SQS, a batch takes what is visible when it is received).
    const retried = again.flat();
    expect(retried.map((record) => record.body).sort()).toEqual(["a", "b"]);
    expect(retried.map((record) => record.attributes["ApproximateReceiveCount"])).toEqual(["2", "2"]);
    // Lambda reports no LastProcessingResult for a queue's mapping; the scheduler's state holds it.
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID: mapping.UUID! }))).LastProcessingResult).toBeUndefined();
    expect(await lastProcessingResult(mapping.UUID!)).toBe("OK");
  });

  it("runs more batches at once as the backlog grows, never more than ScalingConfig.MaximumConcurrency", async () => {
    await createFunction("q-scale");
    let peak = 0;
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    recorder.decide("q-scale", async () => {
      peak = Math.max(peak, recorder.held("q-scale"));
      await released;
      return {};
    });
    for (let index = 0; index < 12; index += 1) await publish("q.scale", `m${index}`);
    await createMapping({ FunctionName: "q-scale", EventSourceArn: sqs("q.scale"), BatchSize: 1, ScalingConfig: { MaximumConcurrency: 3 } });
    await recorder.until(() => recorder.held("q-scale") === 3);
    release();
    await recorder.until(() => recorder.calls("q-scale").length === 12);
    expect(peak).toBe(3);
    expect(queueBatches("q-scale").flat().sort()).toEqual(Array.from({ length: 12 }, (_, index) => `m${index}`).sort());
  });

  it("holds a throttled batch without counting a receive, and pauses while the function is missing", async () => {
    await createFunction("q-throttled");
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "q-throttled", ReservedConcurrentExecutions: 0 }));
    const mapping = await createMapping({ FunctionName: "q-throttled", EventSourceArn: sqs("q.throttled"), BatchSize: 1 });
    await publish("q.throttled", "waits");
    // Received and held: every placement is refused, the message stays invisible.
    await eventually(async () => (await jsm.consumers.info("QUEUES", `lambent-esm-${mapping.UUID!}`)).num_ack_pending === 1, {
      deadline: 30_000,
      message: "the mapping never held the throttled message",
    });
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "q-throttled" }));
    await recorder.until(() => recorder.calls("q-throttled").length === 1);
    expect(sqsRecords(recorder.calls("q-throttled")[0]!.event)[0]!.attributes["ApproximateReceiveCount"]).toBe("1");

    // Deleting the function keeps the mapping (as Lambda does); it stops receiving until the function is back.
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "q-throttled" }));
    await eventually(
      async () => (await lastProcessingResult(mapping.UUID!)) === "PROBLEM: Function not found",
      { deadline: 30_000, message: "the mapping never reported its function missing" },
    );
    await publish("q.throttled", "after the function came back");
    const consumer = await jsm.consumers.info("QUEUES", `lambent-esm-${mapping.UUID!}`);
    expect(consumer.num_pending).toBe(1);
    expect(consumer.num_ack_pending).toBe(0);
    await createFunction("q-throttled");
    await recorder.until(() => recorder.calls("q-throttled").length === 2);
    expect(sqsRecords(recorder.calls("q-throttled")[1]!.event)[0]).toMatchObject({ body: "after the function came back", attributes: { ApproximateReceiveCount: "1" } });
  });

  it("delivers nothing while Enabled is false, and resumes when enabled again", async () => {
    await createFunction("q-toggle");
    const mapping = await createMapping({ FunctionName: "q-toggle", EventSourceArn: sqs("q.toggle"), BatchSize: 1 });
    await publish("q.toggle", "while enabled");
    await recorder.until(() => recorder.calls("q-toggle").length === 1);
    const disabling = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.UUID!, Enabled: false }));
    expect(disabling.State).toBe("Disabling");
    await waitForState(mapping.UUID!, "Disabled");
    await publish("q.toggle", "while disabled");
    const consumer = await jsm.consumers.info("QUEUES", `lambent-esm-${mapping.UUID!}`);
    // Nobody pulls: the message waits, undelivered.
    expect(consumer.num_pending).toBe(1);
    expect(consumer.num_ack_pending).toBe(0);
    expect(recorder.calls("q-toggle")).toHaveLength(1);
    const enabling = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.UUID!, Enabled: true }));
    expect(enabling.State).toBe("Enabling");
    await recorder.until(() => recorder.calls("q-toggle").length === 2);
    expect(queueBatches("q-toggle")).toEqual([["while enabled"], ["while disabled"]]);
  });
  it("does not run a message too many hops deep: each receive of it fails, then it is dead-lettered from depth 17", async () => {
    await createFunction("q-loop");
    await createMapping({
      FunctionName: "q-loop",
      EventSourceArn: sqs("q.loop"),
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnFailure: { Destination: sqs("dead.loop") } },
    });
    // As a function 16 hops deep would publish it (through a destination): running it would be the 17th hop.
    await publish("q.loop", "too deep", { "Lambent-Call-Depth": "16", "x-kept": "yes" });
    await publish("q.loop", "deep enough", { "Lambent-Call-Depth": "15" });
    const dead = await eventually(async () => jsm.streams.getMessage("DEAD", { last_by_subj: "dead.loop" }).catch(() => undefined), {
      deadline: 30_000,
      message: "the message too deep was never dead-lettered",
    });
    expect(dead.string()).toBe("too deep");
    expect(dead.header.get("x-kept")).toBe("yes");
    expect(dead.header.get("Lambent-Call-Depth")).toBe("17");
    // It never ran; the other did, without the call depth among its attributes.
    expect(queueBatches("q-loop")).toEqual([["deep enough"]]);
    expect(sqsRecords(recorder.calls("q-loop")[0]!.event)[0]!.messageAttributes).toEqual({});
    // Refused on each of its 1 + MaximumRetryAttempts receives, as Lambda refuses it to an SQS mapping.
    expect(await loopsStopped("q-loop", "event_source_mapping")).toBe(2);
  });

  it("runs only the messages a FilterCriteria pattern matches, and deletes the rest unrun", async () => {
    await createFunction("q-filter");
    const mapping = await createMapping({
      FunctionName: "q-filter",
      EventSourceArn: sqs("q.filter"),
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ body: { kind: ["order"], total: [{ numeric: [">", 10] }] } }) }, { Pattern: JSON.stringify({ body: [{ prefix: "urgent:" }] }) }] },
    });
    expect(mapping.FilterCriteria!.Filters).toHaveLength(2);
    for (const body of [
      JSON.stringify({ kind: "order", total: 5 }),
      JSON.stringify({ kind: "order", total: 50 }),
      JSON.stringify({ kind: "refund", total: 50 }),
      "plain text",
      "urgent: call back",
    ]) {
      await publish("q.filter", body);
    }
    await untilStreamHolds("QUEUES", 0);
    await recorder.until(() => queueBatches("q-filter").flat().length === 2);
    expect(queueBatches("q-filter").flat()).toEqual([JSON.stringify({ kind: "order", total: 50 }), "urgent: call back"]);
    const consumer = await jsm.consumers.info("QUEUES", `lambent-esm-${mapping.UUID!}`);
    expect(consumer.num_ack_pending).toBe(0);
  });
});

describe("stream event source mappings", () => {
  it("skips the records no FilterCriteria pattern matches, and moves past them", async () => {
    await createFunction("s-filter");
    const records = [{ t: 1 }, { t: 30 }, "not json", { t: 25, room: "lab" }, { t: 40 }];
    for (const record of records) await publish("filtered.sensor", typeof record === "string" ? record : JSON.stringify(record));
    const mapping = await createMapping({
      FunctionName: "s-filter",
      EventSourceArn: kinesis("FILTERED"),
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 2,
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ data: { t: [{ numeric: [">=", 25] }], room: [{ exists: false }] } }) }] },
    });
    await recorder.until(() => streamBatches("s-filter").flat().includes(JSON.stringify({ t: 40 })));
    expect(streamBatches("s-filter").flat()).toEqual([JSON.stringify({ t: 30 }), JSON.stringify({ t: 40 })]);
    // Every record, run or skipped, is behind the checkpoint.
    await eventually(async () => ((await functionsKv.get(eventSourceMappingStateKey(mapping.UUID!)))?.json<{ position?: number }>().position ?? 0) > records.length, {
      deadline: 30_000,
      message: "the checkpoint never passed the filtered records",
    });
  });

  it("runs tumbling windows: each call gets its window's state so far, and the window ends with a final call", async () => {
    await createFunction("s-window");
    interface WindowedEvent {
      Records: KinesisRecord[];
      window: { start: string; end: string };
      state: { count?: number; sum?: number };
      shardId: string;
      eventSourceARN: string;
      isFinalInvokeForWindow: boolean;
      isWindowTerminatedEarly: boolean;
    }
    let refusedOnce = false;
    recorder.decide("s-window", (event) => {
      const windowed = event as WindowedEvent;
      if (windowed.isFinalInvokeForWindow) return {};
      // The first call answers no state: Lambda counts that as a failed call, and the batch runs again.
      if (!refusedOnce) {
        refusedOnce = true;
        return { result: { batchItemFailures: [] } };
      }
      const values = windowed.Records.map((record) => Number(dataOf(record)));
      return { result: { state: { count: (windowed.state.count ?? 0) + values.length, sum: (windowed.state.sum ?? 0) + values.reduce((a, b) => a + b, 0) } } };
    });
    const published: Record<string, number[]> = { "windows.a": [1, 2, 3, 4, 5], "windows.b": [10, 20] };
    for (const [subject, values] of Object.entries(published)) for (const value of values) await publish(subject, String(value));
    await createMapping({ FunctionName: "s-window", EventSourceArn: kinesis("WINDOWS"), StartingPosition: "TRIM_HORIZON", BatchSize: 2, TumblingWindowInSeconds: 1 });
    const calls = (): WindowedEvent[] => recorder.calls("s-window").map((call) => call.event as WindowedEvent);
    const finalTotals = (): { count: number; sum: number } =>
      calls()
        .filter((event) => event.isFinalInvokeForWindow)
        .reduce((total, event) => ({ count: total.count + (event.state.count ?? 0), sum: total.sum + (event.state.sum ?? 0) }), { count: 0, sum: 0 });
    // Every record is counted once, in the final state of its window.
    await recorder.until(() => finalTotals().count === 7);
    expect(finalTotals()).toEqual({ count: 7, sum: 45 });
    const [first, ...rest] = calls();
    expect(first).toMatchObject({ state: {}, shardId: "shardId-000000000000", eventSourceARN: kinesis("WINDOWS"), isFinalInvokeForWindow: false, isWindowTerminatedEarly: false });
    const retried = rest.find((event) => !event.isFinalInvokeForWindow && event.Records[0]!.kinesis.sequenceNumber === first!.Records[0]!.kinesis.sequenceNumber)!;
    expect(retried.Records.map(dataOf)).toEqual(first!.Records.map(dataOf));
    expect(retried.state).toEqual({});
    for (const event of calls()) {
      expect(Date.parse(event.window.end) - Date.parse(event.window.start)).toBe(1000);
      expect(event.window.start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      for (const record of event.Records) {
        const arrival = record.kinesis.approximateArrivalTimestamp * 1000;
        expect(arrival >= Date.parse(event.window.start) && arrival < Date.parse(event.window.end)).toBe(true);
      }
      if (event.isFinalInvokeForWindow) expect(event.Records).toEqual([]);
    }
    // Within a window and a subject each call gets the state the call before it answered.
    for (const subject of Object.keys(published)) {
      const ofSubject = rest.filter((event) => !event.isFinalInvokeForWindow && event.Records[0]!.kinesis.partitionKey === subject);
      const values = ofSubject.flatMap((event) => event.Records.map((record) => Number(dataOf(record))));
      expect(values).toEqual(published[subject]);
      let previous: WindowedEvent | undefined;
      for (const event of ofSubject) {
        const sameWindow = previous !== undefined && previous.window.start === event.window.start;
        const expected = sameWindow
          ? { count: (previous!.state.count ?? 0) + previous!.Records.length, sum: (previous!.state.sum ?? 0) + previous!.Records.reduce((total, record) => total + Number(dataOf(record)), 0) }
          : {};
        expect(event.state).toEqual(expected);
        previous = event;
      }
    }
  });

  it("keeps order per subject under retries without blocking other subjects", async () => {
    await createFunction("s-order");
    // a1 fails until b2 has been processed (and at least twice): b's records must get through meanwhile.
    recorder.decide("s-order", (event) => {
      const records = kinesisRecords(event).map(dataOf);
      const a1Failures = streamBatches("s-order").filter((batch) => batch.includes("a1")).length - 1;
      const b2Done = streamBatches("s-order").some((batch) => batch.includes("b2"));
      return records.includes("a1") && (a1Failures < 2 || !b2Done) ? { error: "a1 is not ready" } : {};
    });
    for (const [subject, data] of [["orders.a", "a1"], ["orders.a", "a2"], ["orders.b", "b1"], ["orders.a", "a3"], ["orders.b", "b2"]] as const) await publish(subject, data);
    await createMapping({ FunctionName: "s-order", EventSourceArn: kinesis("ORDERS"), StartingPosition: "TRIM_HORIZON", BatchSize: 1 });
    await recorder.until(() => streamBatches("s-order").some((batch) => batch.includes("a3")));
    const batches = streamBatches("s-order").map((batch) => batch[0]!);
    const a = batches.filter((data) => data.startsWith("a"));
    // a1 ran until it succeeded, then a2 and a3 once each, in order.
    expect(a.slice(a.lastIndexOf("a1"))).toEqual(["a1", "a2", "a3"]);
    expect(a.slice(0, a.lastIndexOf("a1")).every((data) => data === "a1")).toBe(true);
    expect(a.filter((data) => data === "a1").length).toBeGreaterThanOrEqual(3);
    // b's records were processed while a1 still failed.
    expect(batches.indexOf("b2")).toBeLessThan(batches.lastIndexOf("a1"));
    expect(batches.filter((data) => data.startsWith("b"))).toEqual(["b1", "b2"]);
    const first = kinesisRecords(recorder.calls("s-order")[0]!.event)[0]!;
    expect(first).toMatchObject({ eventSource: "aws:kinesis", eventSourceARN: kinesis("ORDERS"), kinesis: { partitionKey: "orders.a", sequenceNumber: "1" } });
    expect(first.eventID).toBe("shardId-000000000000:1");
  });

  it("bisects a failing batch and sends the record that still fails to the on-failure destination after MaximumRetryAttempts", async () => {
    await createFunction("s-bisect");
    recorder.decide("s-bisect", (event) => (kinesisRecords(event).map(dataOf).includes("r3") ? { error: "r3 is bad" } : {}));
    const failures = collect("test.bisect.failure");
    for (const data of ["r1", "r2", "r3", "r4"]) await publish("bisect.x", data);
    const r3 = (await jsm.streams.getMessage("BISECT", { seq: 3 }))!;
    expect(r3.string()).toBe("r3");
    await createMapping({
      FunctionName: "s-bisect",
      EventSourceArn: kinesis("BISECT"),
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 4,
      MaximumBatchingWindowInSeconds: 1,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnFailure: { Destination: sns("test.bisect.failure") } },
    });
    await failures.until(1);
    await recorder.until(() => streamBatches("s-bisect").some((batch) => batch.includes("r4") && !batch.includes("r3")));
    const record = failures.received[0] as { requestContext: Record<string, unknown>; responseContext: Record<string, unknown>; KinesisBatchInfo: Record<string, unknown> };
    expect(record.requestContext).toMatchObject({ condition: "RetryAttemptsExhausted", approximateInvokeCount: 2, functionArn: "arn:aws:lambda:us-east-1:000000000000:function:s-bisect" });
    expect(record.responseContext).toMatchObject({ statusCode: 200, functionError: "Unhandled" });
    expect(record.KinesisBatchInfo).toMatchObject({ shardId: "shardId-000000000000", startSequenceNumber: "3", endSequenceNumber: "3", batchSize: 1, streamArn: kinesis("BISECT") });
    const batches = streamBatches("s-bisect");
    expect(batches[0]).toEqual(["r1", "r2", "r3", "r4"]);
    // Bisecting does not count as a retry: r3 alone ran twice (the first run and one retry).
    expect(batches.filter((batch) => batch.length === 1 && batch[0] === "r3")).toHaveLength(2);
    const succeeded = batches.filter((batch) => !batch.includes("r3")).flat();
    expect(succeeded.sort()).toEqual(["r1", "r2", "r4"]);
    failures.stop();
  });

  it("gives up records too many hops deep at once, unrun, with the condition RecursiveInvocationDropped, and runs the rest in order", async () => {
    await createFunction("s-loop");
    const failures = nc.subscribe("test.loop.failure", { max: 1 });
    for (const [data, depth] of [["first", undefined], ["too deep", "16"], ["after", "3"]] as const) await publish("loop.x", data, depth ? { "Lambent-Call-Depth": depth } : {});
    await createMapping({
      FunctionName: "s-loop",
      EventSourceArn: kinesis("LOOP"),
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      DestinationConfig: { OnFailure: { Destination: sns("test.loop.failure") } },
    });
    await recorder.until(() => streamBatches("s-loop").flat().includes("after"));
    // The batch stops short of the record too deep, which is given up alone; the partition goes on.
    expect(streamBatches("s-loop")).toEqual([["first"], ["after"]]);
    let failure: { data: unknown; depth: string | undefined } | undefined;
    for await (const message of failures) failure = { data: decodeJson(message.data), depth: message.headers?.get("Lambent-Call-Depth") };
    expect(failure!.depth).toBe("17");
    expect(failure!.data).toMatchObject({
      requestContext: { condition: "RecursiveInvocationDropped", approximateInvokeCount: 0, functionArn: "arn:aws:lambda:us-east-1:000000000000:function:s-loop" },
      KinesisBatchInfo: { startSequenceNumber: "2", endSequenceNumber: "2", batchSize: 1, streamArn: kinesis("LOOP") },
    });
    expect(failure!.data).not.toHaveProperty("responseContext");
    expect(await loopsStopped("s-loop", "event_source_mapping")).toBe(1);
  });

  it("starts at the oldest record with TRIM_HORIZON and at the next new one with LATEST", async () => {
    await createFunction("s-horizon");
    await createFunction("s-latest");
    await publish("positions.x", "before");
    await createMapping({ FunctionName: "s-horizon", EventSourceArn: kinesis("POSITIONS"), StartingPosition: "TRIM_HORIZON" });
    await createMapping({ FunctionName: "s-latest", EventSourceArn: kinesis("POSITIONS"), StartingPosition: "LATEST" });
    await publish("positions.x", "after");
    await recorder.until(() => streamBatches("s-horizon").flat().includes("after") && streamBatches("s-latest").flat().includes("after"));
    expect(streamBatches("s-horizon").flat()).toEqual(["before", "after"]);
    // Records of one subject arrive in order: had LATEST read "before", it would have come first.
    expect(streamBatches("s-latest").flat()).toEqual(["after"]);
  });

  it("resumes from its checkpoint when the leading scheduler stops: nothing processed twice, nothing skipped", async () => {
    await createFunction("s-resume");
    const mapping = await createMapping({ FunctionName: "s-resume", EventSourceArn: kinesis("RESUME"), StartingPosition: "TRIM_HORIZON", BatchSize: 3 });
    for (let index = 1; index <= 5; index += 1) await publish(`resume.${index % 2}`, `r${index}`);
    await recorder.until(() => streamBatches("s-resume").flat().length === 5);
    // The checkpoint passes the last record once its batch is stored as done.
    await eventually(async () => ((await readState(mapping.UUID!))["position"] as number) > 5, {
      deadline: 30_000,
      message: "the checkpoint never passed the fifth record",
    });
    const leader = decodeJson((await nc.request(Subjects.schedulerStatus, undefined, { timeout: 2000 })).data) as ClusterStatus;
    const leading = cluster.schedulers.find((scheduler) => scheduler.ready["schedulerId"] === leader.schedulerId)!;
    await leading.stop();
    cluster.schedulers.splice(cluster.schedulers.indexOf(leading), 1);
    for (let index = 6; index <= 10; index += 1) await publish(`resume.${index % 2}`, `r${index}`);
    await recorder.until(() => streamBatches("s-resume").flat().length >= 10);
    const processed = streamBatches("s-resume").flat();
    expect([...processed].sort((x, y) => Number(x.slice(1)) - Number(y.slice(1)))).toEqual(Array.from({ length: 10 }, (_, index) => `r${index + 1}`));
    await cluster.add("scheduler");
  }, 60_000);

  it("reports the iterator age of a stream mapping as a metric of the leading scheduler", async () => {
    const leader = decodeJson((await nc.request(Subjects.schedulerStatus, undefined, { timeout: 2000 })).data) as ClusterStatus;
    const leading = cluster.schedulers.find((scheduler) => scheduler.ready["schedulerId"] === leader.schedulerId)!;
    const text = await (await fetch(`http://127.0.0.1:${String(leading.ready["metricsPort"])}/metrics`)).text();
    expect(text).toMatch(/lambent_esm_iterator_age_seconds\{mapping="[0-9a-f-]{36}",function="s-resume"\} [0-9.e-]+/);
  });
});

async function readState(uuid: string): Promise<Record<string, unknown>> {
  const entry = await functionsKv.get(`esmstate.${uuid}`);
  return entry ? (JSON.parse(entry.string()) as Record<string, unknown>) : {};
}

describe("the event source mapping API", () => {
  it("answers Lambda's errors for an unknown function, a bad ARN, a subject no stream captures and a bad batch size", async () => {
    await createFunction("api-target");
    const refusal = async (input: Partial<CreateEventSourceMappingCommandInput>): Promise<{ name: string; status: number | undefined; message: string }> => {
      try {
        await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "api-target", EventSourceArn: sqs("q.api"), ...input } as CreateEventSourceMappingCommandInput));
      } catch (error) {
        const failure = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
        return { name: failure.name, status: failure.$metadata?.httpStatusCode, message: failure.message };
      }
      throw new Error("expected a refusal");
    };
    expect(await refusal({ FunctionName: "no-such-function" })).toEqual({ name: "InvalidParameterValueException", status: 400, message: "Function does not exist" });
    expect(await refusal({ EventSourceArn: "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/x" })).toMatchObject({ name: "InvalidParameterValueException", status: 400 });
    expect(await refusal({ EventSourceArn: sqs("nowhere.at.all") })).toMatchObject({ name: "InvalidParameterValueException", message: expect.stringMatching(/No JetStream stream captures subject 'nowhere.at.all'/) });
    expect(await refusal({ EventSourceArn: kinesis("NO_SUCH_STREAM"), StartingPosition: "LATEST" })).toMatchObject({ name: "InvalidParameterValueException" });
    expect(await refusal({ EventSourceArn: kinesis("QUEUES"), StartingPosition: "LATEST" })).toMatchObject({ name: "InvalidParameterValueException", message: expect.stringMatching(/work queue/) });
    expect(await refusal({ BatchSize: 0 })).toEqual({
      name: "ValidationException",
      status: 400,
      message: "1 validation error detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1",
    });
    expect(await refusal({ BatchSize: 10_001 })).toMatchObject({ name: "ValidationException" });
    expect(await refusal({ BatchSize: 50 })).toMatchObject({ name: "InvalidParameterValueException", message: expect.stringMatching(/batch window/) });
    expect(await refusal({ StartingPosition: "LATEST" })).toMatchObject({ name: "InvalidParameterValueException", message: expect.stringMatching(/StartingPosition/) });
    expect(await refusal({ EventSourceArn: kinesis("ORDERS") })).toMatchObject({
      name: "InvalidParameterValueException",
      message: "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.",
    });
    expect(await refusal({ ScalingConfig: { MaximumConcurrency: 1 } })).toMatchObject({ name: "ValidationException", message: expect.stringMatching(/'scalingConfig.maximumConcurrency'/) });
    for (const Pattern of ["not json", '{"body": "x"}', '{"body": {"n": [{"numeric": ["<", 1, ">", 5]}]}}']) {
      expect(await refusal({ FilterCriteria: { Filters: [{ Pattern }] } })).toEqual({ name: "InvalidParameterValueException", status: 400, message: "Invalid filter pattern definition." });
    }
    // An on-failure destination the stream captures would feed its failure records back to it.
    expect(
      await refusal({ EventSourceArn: kinesis("ORDERS"), StartingPosition: "LATEST", DestinationConfig: { OnFailure: { Destination: sns("orders.failed") } } }),
    ).toMatchObject({ name: "InvalidParameterValueException", message: expect.stringMatching(/captured by the mapping's own stream/) });
    await expect(lambda.send(new GetEventSourceMappingCommand({ UUID: "00000000-0000-4000-8000-000000000000" }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("creates, lists by function with pagination, updates and deletes, refusing a duplicate", async () => {
    await createFunction("api-crud");
    const first = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "api-crud", EventSourceArn: sqs("q.crud.one"), Enabled: false }));
    expect(first).toMatchObject({ State: "Creating", BatchSize: 10, MaximumBatchingWindowInSeconds: 0, FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:api-crud" });
    expect(first.LastModified).toBeInstanceOf(Date);
    expect(first.EventSourceMappingArn).toBe(`arn:aws:lambda:us-east-1:000000000000:event-source-mapping:${first.UUID!}`);
    await expect(lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "api-crud", EventSourceArn: sqs("q.crud.one") }))).rejects.toMatchObject({
      name: "ResourceConflictException",
      message: expect.stringContaining(first.UUID!),
    });
    // A work-queue stream hands a subject to one consumer: another function's mapping of it is refused too.
    await expect(lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "api-target", EventSourceArn: sqs("q.crud.one") }))).rejects.toMatchObject({
      name: "ResourceConflictException",
      message: expect.stringMatching(/work queue/),
    });
    const second = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "api-crud", EventSourceArn: kinesis("ORDERS"), StartingPosition: "LATEST", Enabled: false }));
    expect(second).toMatchObject({ StartingPosition: "LATEST", BatchSize: 100, ParallelizationFactor: 1, MaximumRetryAttempts: -1, MaximumRecordAgeInSeconds: -1, BisectBatchOnFunctionError: false });
    const page1 = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "api-crud", MaxItems: 1 }));
    expect(page1.EventSourceMappings).toHaveLength(1);
    expect(page1.NextMarker).toBeTruthy();
    const page2 = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "api-crud", MaxItems: 1, Marker: page1.NextMarker! }));
    expect(page2.EventSourceMappings).toHaveLength(1);
    expect(page2.NextMarker).toBeUndefined();
    expect(new Set([...page1.EventSourceMappings!, ...page2.EventSourceMappings!].map((mapping) => mapping.UUID))).toEqual(new Set([first.UUID, second.UUID]));
    const bySource = await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: sqs("q.crud.one") }));
    expect(bySource.EventSourceMappings!.map((mapping) => mapping.UUID)).toEqual([first.UUID]);
    const updated = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: first.UUID!, BatchSize: 5, ScalingConfig: { MaximumConcurrency: 3 } }));
    expect(updated).toMatchObject({ State: "Updating", BatchSize: 5, ScalingConfig: { MaximumConcurrency: 3 } });
    expect((await waitForState(first.UUID!, "Disabled")).BatchSize).toBe(5);
    const deleted = await lambda.send(new DeleteEventSourceMappingCommand({ UUID: first.UUID! }));
    expect(deleted.State).toBe("Deleting");
    await expect(lambda.send(new GetEventSourceMappingCommand({ UUID: first.UUID! }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    await expect(jsm.consumers.info("QUEUES", `lambent-esm-${first.UUID!}`)).rejects.toThrow();
    await lambda.send(new DeleteEventSourceMappingCommand({ UUID: second.UUID! }));
  });

  it("answers the same over gRPC, errors as gRPC statuses", async () => {
    const client = new proto.LambdaClient(cluster.grpcAddress, grpc.credentials.createInsecure());
    try {
      const created = await unaryCall(
        client,
        client.createEventSourceMapping,
        proto.CreateEventSourceMappingRequest.fromPartial({ functionName: "api-target", eventSourceArn: kinesis("ORDERS"), startingPosition: "TRIM_HORIZON", batchSize: 7, enabled: false }),
      );
      expect(created.configuration).toMatchObject({ state: "Creating", batchSize: 7, startingPosition: "TRIM_HORIZON", eventSourceArn: kinesis("ORDERS") });
      const uuid = created.configuration!.uuid;
      const got = await unaryCall(client, client.getEventSourceMapping, proto.GetEventSourceMappingRequest.fromPartial({ uuid }));
      expect(got.configuration!.uuid).toBe(uuid);
      const listed = await unaryCall(client, client.listEventSourceMappings, proto.ListEventSourceMappingsRequest.fromPartial({ functionName: "api-target" }));
      expect(listed.eventSourceMappings.map((mapping) => mapping.uuid)).toContain(uuid);
      const updated = await unaryCall(client, client.updateEventSourceMapping, proto.UpdateEventSourceMappingRequest.fromPartial({ uuid, batchSize: 9 }));
      expect(updated.configuration).toMatchObject({ batchSize: 9, state: "Updating" });
      await unaryCall(client, client.deleteEventSourceMapping, proto.DeleteEventSourceMappingRequest.fromPartial({ uuid }));
      await expect(unaryCall(client, client.getEventSourceMapping, proto.GetEventSourceMappingRequest.fromPartial({ uuid }))).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
      await expect(
        unaryCall(client, client.createEventSourceMapping, proto.CreateEventSourceMappingRequest.fromPartial({ functionName: "api-target", eventSourceArn: sqs("q.api"), batchSize: 0 })),
      ).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
      await expect(
        unaryCall(client, client.createEventSourceMapping, proto.CreateEventSourceMappingRequest.fromPartial({ functionName: "nobody", eventSourceArn: sqs("q.api") })),
      ).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    } finally {
      client.close();
    }
  });

  it("is driven by the lambent CLI", async () => {
    const lambent = (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        execFile(process.execPath, [CLI, ...args], { env: { ...process.env, LAMBENT_ENDPOINT: cluster.httpUrl } }, (error, stdout, stderr) => {
          resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
        });
      });
    const created = await lambent("mapping", "create", "--function", "api-target", "--source", sqs("q.cli"), "--batch-size", "4", "--report-item-failures", "--disabled", "--json");
    expect(created.code, created.stderr).toBe(0);
    const uuid = (JSON.parse(created.stdout) as { UUID: string }).UUID;
    expect(JSON.parse(created.stdout)).toMatchObject({ BatchSize: 4, FunctionResponseTypes: ["ReportBatchItemFailures"], State: "Creating" });
    const listed = await lambent("mapping", "list", "--function", "api-target");
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(uuid);
    const updated = await lambent("mapping", "update", uuid, "--enable", "--max-concurrency", "5", "--json");
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ State: "Enabling", ScalingConfig: { MaximumConcurrency: 5 } });
    await waitForState(uuid, "Enabled");
    const shown = await lambent("mapping", "get", uuid);
    expect(shown.stdout).toMatch(/State:\s+Enabled/);
    const bad = await lambent("mapping", "create", "--function", "api-target", "--source", sqs("q.cli2"), "--batch-size", "20000");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/ValidationException: 1 validation error detected: Value '20000' at 'batchSize'/);
    expect((await lambent("mapping", "delete", uuid)).code).toBe(0);
    expect((await lambent("mapping", "get", uuid)).stderr).toMatch(/ResourceNotFoundException/);
  });
});

// Triggers on one real cluster with two schedulers: the control plane over REST, gRPC and the CLI; a topic
// message arriving once as an SNS envelope; Object Store puts and deletes as S3 records, filtered by
// prefix and suffix; KV puts, updates and deletes as DynamoDB Streams records; and a rate(1 second)
// schedule firing once per tick while the leading scheduler is killed. Invocations are observed through an
// on-success destination subject: Lambda's invocation record carries the event as `requestPayload`.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LambdaClient, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { connect, headers as natsHeaders, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import * as proto from "@lambent/proto";
import { Subjects, decodeJson, type ClusterStatus } from "@lambent/protocol";
import { eventually, lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { unaryCall, unaryError } from "../fixtures/grpc-unary.js";

const CLI = fileURLToPath(new URL("../../cli/dist/main.js", import.meta.url));
const TRIGGERS = "/lambent/2024-01-01/triggers";
const ACCOUNT = "000000000000";

let cluster: TestCluster;
let lambda: LambdaClient;
let grpcClient: proto.LambdaClient;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  cluster = await startTestCluster({
    schedulers: 2,
    env: { LAMBENT_LEADER_TIMEOUT_MS: "1000", LAMBENT_HEARTBEAT_MS: "200", LAMBENT_WORKER_TIMEOUT_MS: "1500" },
  });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  grpcClient = new proto.LambdaClient(cluster.grpcAddress, grpc.credentials.createInsecure());
  nc = await connect({ ...cluster.natsOptions() });
  jsm = await jetstreamManager(nc);
}, 120_000);

afterAll(async () => {
  grpcClient?.close();
  lambda?.destroy();
  await nc?.close();
  await cluster?.stop();
});

interface InvocationRecord {
  requestContext: { requestId: string };
  requestPayload: unknown;
}

/** What arrives on a subject, decoded; `until(n)` resolves once n messages are in. */
function collect(subject: string) {
  const received: InvocationRecord[] = [];
  let waiters: { count: number; resolve: () => void }[] = [];
  const subscription: Subscription = nc.subscribe(subject, {
    callback: (_error, message) => {
      received.push(decodeJson(message.data) as InvocationRecord);
      waiters = waiters.filter((waiter) => (received.length >= waiter.count ? (waiter.resolve(), false) : true));
    },
  });
  return {
    received,
    payloads: <T>() => received.map((record) => record.requestPayload as T),
    until: (count: number) => (received.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }))),
    stop: () => subscription.unsubscribe(),
  };
}

/** A function that succeeds, its successes reported on `test.triggers.<name>`; collecting starts now. */
async function recorder(name: string) {
  await createTestFunction(lambda, name, zipFiles({ "index.mjs": "export const handler = async () => ({ ok: true });" }));
  const subject = `test.triggers.${name}`;
  await lambda.send(
    new PutFunctionEventInvokeConfigCommand({ FunctionName: name, DestinationConfig: { OnSuccess: { Destination: `arn:aws:sns:us-east-1:${ACCOUNT}:${subject}` } } }),
  );
  return collect(subject);
}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown>; errorType: string | null }> {
  const response = await fetch(`${cluster.httpUrl}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>), errorType: response.headers.get("x-amzn-errortype") };
}

async function createTrigger(body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const created = await api("POST", TRIGGERS, body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

/** Resolves once nothing of the function waits or runs in its event queue, and what it sent has arrived here. */
async function drained(functionName: string): Promise<void> {
  await eventually(async () => (await api("GET", `/lambent/2024-01-01/functions/${functionName}/queue`)).body["Depth"] === 0, {
    deadline: 30_000,
    message: `${functionName}'s event queue never drained`,
  });
  // A record is published before its event is acknowledged; a round trip to the server after that
  // delivers everything published to this connection before it.
  await nc.flush();
}

/** Resolves once the leading scheduler reads the trigger's consumer (its pull request is waiting). */
async function readerAttached(stream: string, triggerName: string): Promise<void> {
  await eventually(async () => (await jsm.consumers.info(stream, `lambent-trigger-${triggerName}`)).num_waiting > 0, {
    deadline: 30_000,
    message: `no scheduler reads trigger ${triggerName}'s consumer`,
  });
}

/** `lambent_trigger_firings_total{trigger,outcome}` summed over the running schedulers. */
async function firings(triggerName: string, outcome: string): Promise<number> {
  let total = 0;
  for (const scheduler of cluster.schedulers) {
    const text = await (await fetch(`http://127.0.0.1:${String(scheduler.ready["metricsPort"])}/metrics`)).text();
    const line = text.split("\n").find((candidate) => candidate.startsWith(`lambent_trigger_firings_total{trigger="${triggerName}",outcome="${outcome}"}`));
    if (line) total += Number(line.split(" ").pop());
  }
  return total;
}

function lambent(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, LAMBENT_ENDPOINT: cluster.httpUrl, LAMBENT_FUNCTION: "" } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("the trigger control plane", () => {
  it("creates, gets, lists, updates and deletes over REST, checking what it is given", async () => {
    await createTestFunction(lambda, "cp-target", zipFiles({ "index.mjs": "export const handler = async () => 1;" }));
    const created = await createTrigger({ Name: "cp-nightly", FunctionName: "cp-target", Schedule: { Expression: "cron(0 2 * * ? *)", Timezone: "Europe/Paris" } });
    expect(created).toMatchObject({
      Name: "cp-nightly",
      FunctionName: "cp-target",
      FunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:cp-target`,
      Qualifier: "$LATEST",
      Enabled: true,
      Description: "",
      Schedule: { Expression: "cron(0 2 * * ? *)", Timezone: "Europe/Paris" },
    });
    // 02:00 in Paris is 00:00 or 01:00 UTC.
    expect(created["NextFireTime"]).toMatch(/T0[01]:00:00\.000Z$/);
    await createTrigger({ Name: "cp-topic", FunctionName: "cp-target", Topic: { Subject: "cp.orders.>" }, Enabled: false });

    const conflict = await api("POST", TRIGGERS, { Name: "cp-topic", FunctionName: "cp-target", Topic: { Subject: "cp.other" } });
    expect([conflict.status, conflict.errorType]).toEqual([409, "ResourceConflictException"]);
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ Name: "bad name!", FunctionName: "cp-target", Topic: { Subject: "a" } }, /Name must be/],
      [{ Name: "x", FunctionName: "cp-target" }, /exactly one source/],
      [{ Name: "x", FunctionName: "cp-target", Topic: { Subject: "a" }, Schedule: { Expression: "rate(1 minute)" } }, /exactly one source/],
      [{ Name: "x", FunctionName: "cp-target", Schedule: { Expression: "rate(1 minutes)" } }, /singular for a value of 1/],
      [{ Name: "x", FunctionName: "cp-target", Schedule: { Expression: "cron(0 12 * * * *)" } }, /Exactly one of day-of-month and day-of-week/],
      [{ Name: "x", FunctionName: "cp-target", Schedule: { Expression: "rate(1 hour)", Timezone: "Nowhere/City" } }, /Time zone 'Nowhere\/City' is not valid/],
      [{ Name: "x", FunctionName: "cp-target", Schedule: { Expression: "rate(1 hour)", Input: "{not json" } }, /Input must be JSON/],
      [{ Name: "x", FunctionName: "cp-target", Schedule: { Expression: "cron(0 0 1 1 ? 2020)" } }, /never fires/],
      [{ Name: "x", FunctionName: "cp-target", Topic: { Subject: "lambent.sched.invoke.cp-target" } }, /reserved/],
      [{ Name: "x", FunctionName: "cp-target", Topic: { Subject: "$KV.x.>" } }, /reserved/],
      [{ Name: "x", FunctionName: "cp-target", Topic: { Subject: ">" } }, /may not start with a wildcard/],
      [{ Name: "x", FunctionName: "cp-target", Topic: { Subject: "a.>.b" } }, /not a NATS subject/],
      [{ Name: "x", FunctionName: "cp-target", Bucket: { Bucket: "no_such_bucket" } }, /Object Store bucket 'no_such_bucket' does not exist/],
      [{ Name: "x", FunctionName: "cp-target", KeyValue: { Bucket: "no_such_kv" } }, /KV bucket 'no_such_kv' does not exist/],
      [{ Name: "x", FunctionName: "cp-target", KeyValue: { Bucket: "lambent_functions" } }, /Lambent's own bucket/],
      [{ Name: "x", FunctionName: "cp-target", Bucket: { Bucket: "b", Events: ["s3:ObjectTagging:*"] } }, /not one of/],
    ];
    for (const [body, message] of refused) {
      const answer = await api("POST", TRIGGERS, body);
      expect([answer.status, answer.errorType], JSON.stringify(body)).toEqual([400, "InvalidParameterValueException"]);
      expect(String(answer.body["message"]), JSON.stringify(body)).toMatch(message);
    }
    const missingFunction = await api("POST", TRIGGERS, { Name: "x", FunctionName: "no-such-fn", Topic: { Subject: "a" } });
    expect([missingFunction.status, missingFunction.errorType]).toEqual([404, "ResourceNotFoundException"]);
    const missingAlias = await api("POST", TRIGGERS, { Name: "x", FunctionName: "cp-target", Qualifier: "live", Topic: { Subject: "a" } });
    expect(missingAlias.status).toBe(404);

    const listed = await api("GET", `${TRIGGERS}?FunctionName=cp-target&MaxItems=1`);
    expect((listed.body["Triggers"] as { Name: string }[]).map((trigger) => trigger.Name)).toEqual(["cp-nightly"]);
    const next = await api("GET", `${TRIGGERS}?FunctionName=cp-target&Marker=${String(listed.body["NextMarker"])}`);
    expect((next.body["Triggers"] as { Name: string }[]).map((trigger) => trigger.Name)).toEqual(["cp-topic"]);
    expect(next.body["NextMarker"]).toBeUndefined();

    const updated = await api("PUT", `${TRIGGERS}/cp-nightly`, { Enabled: false, Description: "paused", Schedule: { Input: '{"job":"report"}' } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ Enabled: false, Description: "paused", Schedule: { Expression: "cron(0 2 * * ? *)", Input: '{"job":"report"}' } });
    expect(updated.body["NextFireTime"]).toBeUndefined();
    const notSchedule = await api("PUT", `${TRIGGERS}/cp-topic`, { Schedule: { Expression: "rate(1 hour)" } });
    expect([notSchedule.status, notSchedule.errorType]).toEqual([400, "InvalidParameterValueException"]);
    const moved = await api("PUT", `${TRIGGERS}/cp-topic`, { Topic: { Subject: "elsewhere" } });
    expect(String(moved.body["message"])).toMatch(/cannot be changed/);

    expect((await api("DELETE", `${TRIGGERS}/cp-nightly`)).status).toBe(204);
    expect((await api("GET", `${TRIGGERS}/cp-nightly`)).status).toBe(404);
    expect((await api("DELETE", `${TRIGGERS}/cp-nightly`)).status).toBe(404);
    expect((await api("DELETE", `${TRIGGERS}/cp-topic`)).status).toBe(204);
  });

  it("serves the same calls over gRPC", async () => {
    const created = await unaryCall(
      grpcClient,
      grpcClient.createTrigger.bind(grpcClient),
      proto.CreateTriggerRequest.fromPartial({ name: "grpc-hourly", functionName: "cp-target", schedule: { expression: "rate(1 hour)" }, description: "g" }),
    );
    expect(created.trigger).toMatchObject({ name: "grpc-hourly", qualifier: "$LATEST", enabled: true, schedule: { expression: "rate(1 hour)", timezone: "UTC", input: "" } });
    expect(created.trigger!.nextFireTime).not.toBe("");
    const listed = await unaryCall(grpcClient, grpcClient.listTriggers.bind(grpcClient), proto.ListTriggersRequest.fromPartial({ functionName: "cp-target" }));
    expect(listed.triggers.map((trigger) => trigger.name)).toEqual(["grpc-hourly"]);
    const disabled = await unaryCall(grpcClient, grpcClient.updateTrigger.bind(grpcClient), proto.UpdateTriggerRequest.fromPartial({ name: "grpc-hourly", enabled: false }));
    expect(disabled.trigger).toMatchObject({ enabled: false, description: "g", nextFireTime: "" });
    const got = await unaryCall(grpcClient, grpcClient.getTrigger.bind(grpcClient), proto.GetTriggerRequest.fromPartial({ name: "grpc-hourly" }));
    expect(got.trigger!.enabled).toBe(false);
    const invalid = await unaryError(grpcClient, grpcClient.createTrigger.bind(grpcClient), proto.CreateTriggerRequest.fromPartial({ name: "g2", functionName: "cp-target" }));
    expect(invalid).toEqual({ code: grpc.status.INVALID_ARGUMENT, errorType: "InvalidParameterValueException" });
    await unaryCall(grpcClient, grpcClient.deleteTrigger.bind(grpcClient), proto.DeleteTriggerRequest.fromPartial({ name: "grpc-hourly" }));
    const gone = await unaryError(grpcClient, grpcClient.getTrigger.bind(grpcClient), proto.GetTriggerRequest.fromPartial({ name: "grpc-hourly" }));
    expect(gone).toEqual({ code: grpc.status.NOT_FOUND, errorType: "ResourceNotFoundException" });
  });

  it("serves the same calls from the CLI", async () => {
    const added = await lambent("trigger", "add", "cli-daily", "--function", "cp-target", "--schedule", "cron(30 6 ? * MON-FRI *)", "--timezone", "America/New_York");
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^Source:\s+schedule cron\(30 6 \? \* MON-FRI \*\) in America\/New_York$/m);
    expect(added.stdout).toMatch(/^NextFireTime:\s+\d{4}-\d\d-\d\dT1[01]:30:00\.000Z$/m);
    const listed = await lambent("trigger", "list", "--function", "cp-target");
    expect(listed.stdout).toMatch(/^cli-daily\s+cp-target\s+yes\s+schedule cron/m);
    expect((await lambent("trigger", "disable", "cli-daily")).stdout).toBe("disabled trigger cli-daily\n");
    const shown = await lambent("trigger", "get", "cli-daily", "--json");
    expect(JSON.parse(shown.stdout)).toMatchObject({ Name: "cli-daily", Enabled: false });
    expect((await lambent("trigger", "remove", "cli-daily")).stdout).toBe("removed trigger cli-daily\n");
    const missing = await lambent("trigger", "get", "cli-daily");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("ResourceNotFoundException");
  });
});

describe("topic triggers", () => {
  it("turn each message into one invocation with an SNS envelope, across two schedulers", async () => {
    const records = await recorder("topic-fn");
    await createTrigger({ Name: "orders-topic", FunctionName: "topic-fn", Topic: { Subject: "test.orders.*" } });
    // Every scheduler subscribes once the trigger reaches it; a request that finds both has its answer
    // to "no responders" only once they are there, so publish only when a first message round-trips.
    const headers = natsHeaders();
    headers.set("Customer", "ada");
    await eventually(
      async () => {
        nc.publish("test.orders.created", new TextEncoder().encode('{"order":1}'), { headers });
        await nc.flush();
        return Promise.race([records.until(1).then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 200))]);
      },
      { deadline: 30_000, interval: 0, message: "no scheduler turned a topic message into an invocation" },
    );
    const first = records.payloads<{ Records: [{ Sns: Record<string, unknown> } & Record<string, unknown>] }>()[0]!.Records[0];
    expect(first).toMatchObject({
      EventSource: "aws:sns",
      EventVersion: "1.0",
      EventSubscriptionArn: `arn:aws:sns:us-east-1:${ACCOUNT}:test.orders.*:orders-topic`,
      Sns: {
        Type: "Notification",
        TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:test.orders.*`,
        Subject: "test.orders.created",
        Message: '{"order":1}',
        SignatureVersion: "1",
        MessageAttributes: { Customer: { Type: "String", Value: "ada" } },
      },
    });
    expect(first.Sns["Timestamp"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await drained("topic-fn");
    const before = records.received.length;

    // Both schedulers are subscribed: each message still runs once.
    for (let index = 0; index < 20; index += 1) nc.publish(`test.orders.n${index}`, new TextEncoder().encode(String(index)));
    nc.publish("test.other.ignored", new TextEncoder().encode("x"));
    // Only this round's messages count: a first message published again while waiting may still arrive late.
    const numbered = () =>
      records.payloads<{ Records: [{ Sns: { Message: string; MessageId: string; Subject: string } }] }>().filter((payload) => /^test\.orders\.n\d+$/.test(payload.Records[0].Sns.Subject));
    await eventually(() => numbered().length >= 20, { deadline: 30_000, message: "the 20 numbered messages did not all run" });
    await drained("topic-fn");
    const messages = numbered();
    expect(messages.map((payload) => Number(payload.Records[0].Sns.Message)).sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    expect(new Set(messages.map((payload) => payload.Records[0].Sns.MessageId)).size).toBe(20);
    expect(records.received.length).toBe(await firings("orders-topic", "enqueued"));
    expect(records.received.length).toBeGreaterThanOrEqual(before + 20);
    expect((await api("DELETE", `${TRIGGERS}/orders-topic`)).status).toBe(204);
    records.stop();
  });
});

describe("bucket triggers", () => {
  it("turn object puts and deletes into S3 records, filtered by event type, prefix and suffix", async () => {
    const records = await recorder("bucket-fn");
    const store = await new Objm(nc).create("photos");
    await createTrigger({ Name: "photos-raw", FunctionName: "bucket-fn", Bucket: { Bucket: "photos", Prefix: "raw/", Suffix: ".jpg" } });
    const content = new TextEncoder().encode("hello");
    // Written at once: the consumer made at create holds them until the leader reads it. The delete
    // waits for the put's record: the Object Store keeps only an object's latest metadata, so a put
    // deleted before the leader read it would leave nothing to fire for.
    await store.putBlob({ name: "raw/summer day.jpg" }, content);
    await store.putBlob({ name: "raw/notes.txt" }, content);
    await store.putBlob({ name: "thumbs/summer day.jpg" }, content);
    await records.until(1);
    await store.delete("raw/summer day.jpg");
    await records.until(2);
    await drained("bucket-fn");
    expect(records.received).toHaveLength(2);
    type S3Record = { eventName: string; eventSource: string; eventVersion: string; s3: { bucket: { name: string; arn: string }; object: Record<string, unknown> } };
    const byName = new Map(records.payloads<{ Records: [S3Record] }>().map((payload) => [payload.Records[0].eventName, payload.Records[0]]));
    const put = byName.get("ObjectCreated:Put")!;
    expect(put).toMatchObject({ eventVersion: "2.1", eventSource: "aws:s3", s3: { bucket: { name: "photos", arn: "arn:aws:s3:::photos" } } });
    expect(put.s3.object).toEqual({
      key: "raw/summer+day.jpg",
      size: 5,
      eTag: createHash("sha256").update("hello").digest("hex"),
      sequencer: expect.stringMatching(/^[0-9A-F]{16}$/),
    });
    const removed = byName.get("ObjectRemoved:Delete")!;
    expect(removed.s3.object).toEqual({ key: "raw/summer+day.jpg", sequencer: expect.stringMatching(/^[0-9A-F]{16}$/) });
    expect(String(removed.s3.object["sequencer"]) > String(put.s3.object["sequencer"])).toBe(true);

    // Only deletions now.
    expect((await api("DELETE", `${TRIGGERS}/photos-raw`)).status).toBe(204);
    await expect(jsm.consumers.info("OBJ_photos", "lambent-trigger-photos-raw")).rejects.toThrow();
    await createTrigger({ Name: "photos-removed", FunctionName: "bucket-fn", Bucket: { Bucket: "photos", Events: ["s3:ObjectRemoved:*"] } });
    await store.putBlob({ name: "b.jpg" }, content);
    await readerAttached("OBJ_photos", "photos-removed");
    await store.delete("b.jpg");
    await records.until(3);
    await drained("bucket-fn");
    expect(records.received).toHaveLength(3);
    expect(records.payloads<{ Records: [S3Record] }>()[2]!.Records[0]).toMatchObject({ eventName: "ObjectRemoved:Delete", s3: { object: { key: "b.jpg" } } });
    expect((await api("DELETE", `${TRIGGERS}/photos-removed`)).status).toBe(204);
    records.stop();
  });
});

describe("KV triggers", () => {
  it("turn puts, updates and deletes into DynamoDB Streams records with keys, images and sequence numbers", async () => {
    const records = await recorder("kv-fn");
    const kv = await new Kvm(nc).create("inventory");
    await kv.put("items.before", JSON.stringify({ qty: 9 }));
    await createTrigger({ Name: "inventory-items", FunctionName: "kv-fn", KeyValue: { Bucket: "inventory", Keys: "items.>" } });
    await readerAttached("KV_inventory", "inventory-items");
    // One change at a time: a bucket that keeps one revision per key drops a change overwritten before
    // the leader read it.
    const inserted = await kv.put("items.apple", JSON.stringify({ qty: 1, name: "apple" }));
    await records.until(1);
    const modified = await kv.put("items.apple", JSON.stringify({ qty: 2, name: "apple" }));
    await records.until(2);
    await kv.put("other.pear", "ignored");
    const removed = await kv.delete("items.apple").then(async () => (await kv.get("items.apple"))!.revision);
    // A key that held a value before the trigger existed: its first change is a MODIFY.
    const modifiedBefore = await kv.put("items.before", "plain text");
    await records.until(4);
    await drained("kv-fn");
    expect(records.received).toHaveLength(4);
    type StreamRecord = { eventName: string; eventSource: string; eventSourceARN: string; dynamodb: Record<string, unknown> };
    const bySequence = new Map(records.payloads<{ Records: [StreamRecord] }>().map((payload) => [payload.Records[0].dynamodb["SequenceNumber"], payload.Records[0]]));
    expect(bySequence.get(String(inserted))).toMatchObject({
      eventName: "INSERT",
      eventSource: "aws:dynamodb",
      eventSourceARN: expect.stringMatching(new RegExp(`^arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/inventory/stream/`)),
      dynamodb: {
        Keys: { key: { S: "items.apple" } },
        NewImage: { qty: { N: "1" }, name: { S: "apple" } },
        StreamViewType: "NEW_AND_OLD_IMAGES",
        ApproximateCreationDateTime: expect.any(Number),
        SizeBytes: expect.any(Number),
      },
    });
    expect(bySequence.get(String(inserted))!.dynamodb["OldImage"]).toBeUndefined();
    expect(bySequence.get(String(modified))).toMatchObject({
      eventName: "MODIFY",
      dynamodb: { NewImage: { qty: { N: "2" } }, OldImage: { qty: { N: "1" } } },
    });
    expect(bySequence.get(String(removed))).toMatchObject({ eventName: "REMOVE", dynamodb: { Keys: { key: { S: "items.apple" } }, OldImage: { qty: { N: "2" } } } });
    expect(bySequence.get(String(removed))!.dynamodb["NewImage"]).toBeUndefined();
    expect(bySequence.get(String(modifiedBefore))).toMatchObject({
      eventName: "MODIFY",
      dynamodb: { NewImage: { value: { S: "plain text" } }, OldImage: { qty: { N: "9" } } },
    });
    expect((await api("DELETE", `${TRIGGERS}/inventory-items`)).status).toBe(204);
    records.stop();
  });
});

describe("schedule triggers", () => {
  it("fire once per tick with two schedulers, also while the leader is killed", async () => {
    const records = await recorder("tick-fn");
    const created = await createTrigger({ Name: "every-second", FunctionName: "tick-fn", Schedule: { Expression: "rate(1 second)" } });
    expect(created["NextFireTime"]).toMatch(/\.000Z$/);
    await records.until(3);
    const leader = decodeJson((await nc.request(Subjects.schedulerStatus, undefined, { timeout: 2000 })).data) as ClusterStatus;
    const killedAt = Date.now();
    await cluster.schedulers.find((scheduler) => scheduler.ready["schedulerId"] === leader.schedulerId)!.kill();
    const seenBeforeKill = records.received.length;
    await records.until(seenBeforeKill + 4);
    expect((await api("PUT", `${TRIGGERS}/every-second`, { Enabled: false })).status).toBe(200);
    await drained("tick-fn");

    type Scheduled = { version: string; id: string; "detail-type": string; source: string; account: string; time: string; region: string; resources: string[]; detail: object };
    const events = records.payloads<Scheduled>();
    for (const event of events) {
      expect(event).toMatchObject({
        version: "0",
        "detail-type": "Scheduled Event",
        source: "aws.events",
        account: ACCOUNT,
        region: "us-east-1",
        resources: [`arn:aws:events:us-east-1:${ACCOUNT}:rule/every-second`],
        detail: {},
      });
      expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    const times = events.map((event) => event.time);
    // Each tick is enqueued once, as one event with one request id, whichever scheduler fired it. That
    // event may run twice: asynchronous delivery is at least once (as Lambda's is), and a leader killed
    // after a run but before its acknowledgement leaves the event to run again, with the same ids.
    const eventsOfTick = new Map<string, Set<string>>();
    events.forEach((event, index) => {
      const ids = eventsOfTick.get(event.time) ?? new Set<string>();
      ids.add(`${event.id} ${records.received[index]!.requestContext.requestId}`);
      eventsOfTick.set(event.time, ids);
    });
    for (const [time, ids] of eventsOfTick) expect([...ids], `tick ${time} of ${times.join(", ")}`).toHaveLength(1);
    const oneRunPerTick = [...eventsOfTick.values()].map((ids) => [...ids][0]!);
    expect(new Set(oneRunPerTick.map((ids) => ids.split(" ")[0])).size).toBe(eventsOfTick.size);
    expect(new Set(oneRunPerTick.map((ids) => ids.split(" ")[1])).size).toBe(eventsOfTick.size);
    // The surviving scheduler took over and kept firing ticks after the kill.
    expect(times.filter((time) => Date.parse(time) > killedAt).length).toBeGreaterThanOrEqual(2);
    const shown = await api("GET", `${TRIGGERS}/every-second`);
    expect(Date.parse(String(shown.body["LastFireTime"]))).toBe(Math.max(...times.map((time) => Date.parse(time))));
    records.stop();
  }, 60_000);

  it("fire an at(…) schedule once, at its time, and then have nothing more to fire", async () => {
    const records = await recorder("once-fn");
    const when = new Date(Math.ceil(Date.now() / 1000) * 1000 + 3000);
    const expression = `at(${when.toISOString().slice(0, 19)})`;
    const created = await createTrigger({ Name: "just-once", FunctionName: "once-fn", Schedule: { Expression: expression } });
    expect(created["NextFireTime"]).toBe(when.toISOString());
    await records.until(1);
    await eventually(async () => (await api("GET", `${TRIGGERS}/just-once`)).body["LastFireTime"] === when.toISOString(), {
      deadline: 30_000,
      message: "the trigger never recorded its firing",
    });
    const shown = await api("GET", `${TRIGGERS}/just-once`);
    expect(shown.body["NextFireTime"]).toBeUndefined();
    await drained("once-fn");
    expect(records.payloads<{ time: string }>().map((event) => event.time)).toEqual([when.toISOString().replace(".000Z", "Z")]);
    // An at(…) in the past never fires, so it is refused.
    expect((await api("POST", TRIGGERS, { Name: "too-late", FunctionName: "once-fn", Schedule: { Expression: "at(2020-01-01T00:00:00)" } })).status).toBe(400);
    records.stop();
  }, 60_000);
});

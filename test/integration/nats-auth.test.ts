// NATS authorization on a real nats-server run from the generated config: a whole cluster serves deploy,
// invoke and an asynchronous event with each service on its own credentials (and the server reports no
// permission violation from them), while each forbidden subject is refused to each credential, and a client
// without credentials is refused outright.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateFunctionCommand, InvokeCommand, LambdaClient, PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { connect } from "@nats-io/transport-node";
import { AuthorizationError, PermissionViolationError, type NatsConnection, type Status } from "@nats-io/nats-core";
import { connectNats, natsConnectionOptions, type NatsIdentity } from "@lambent/protocol";
import type { NatsCredential } from "@lambent/nats-auth";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";

let cluster: TestCluster;
let lambda: LambdaClient;
const connections: NatsConnection[] = [];

const handler = zipFiles({ "index.mjs": "export const handler = async (event) => ({ echoed: event });" });

beforeAll(async () => {
  cluster = await startTestCluster({ natsAuth: true, workers: 2 });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await Promise.all(connections.map((nc) => nc.close()));
  await cluster?.stop();
});

function credentials() {
  const found = cluster.natsCredentials;
  if (!found) throw new Error("the test cluster was started without NATS credentials");
  return { frontend: found.frontend, scheduler: found.scheduler, worker0: found.workers.get("worker-0")!, worker1: found.workers.get("worker-1")! };
}

/** A client on `credential` (with the inbox prefix its permissions allow), as the service itself connects. */
async function connectAs(credential: NatsCredential): Promise<NatsConnection> {
  const nc = await connect(
    natsConnectionOptions({ url: cluster.natsUrl, name: `probe-${credential.identity.role}`, identity: credential.identity, auth: { nkeySeed: credential.seed, tls: undefined } }),
  );
  connections.push(nc);
  return nc;
}

/** Resolves with the permission violation the server reports for `operation` on `subject`. */
async function violation(nc: NatsConnection, operation: "publish" | "subscription", subject: string): Promise<PermissionViolationError> {
  for await (const status of nc.status() as AsyncIterable<Status>) {
    if (status.type !== "error") continue;
    const error = status.error;
    if (error instanceof PermissionViolationError && error.operation === operation && error.subject === subject) return error;
  }
  throw new Error("the connection closed before the server answered");
}

async function expectPublishRefused(nc: NatsConnection, subject: string): Promise<void> {
  const refused = violation(nc, "publish", subject);
  nc.publish(subject, new TextEncoder().encode("forged"));
  await nc.flush();
  await expect(refused).resolves.toBeInstanceOf(PermissionViolationError);
}

async function expectSubscribeRefused(nc: NatsConnection, subject: string): Promise<void> {
  const refused = violation(nc, "subscription", subject);
  nc.subscribe(subject, { callback: () => undefined });
  await nc.flush();
  await expect(refused).resolves.toBeInstanceOf(PermissionViolationError);
}

/** Violations nats-server logged for Lambent's own services (connections named `lambent-…`). */
function serviceViolations(): string[] {
  return cluster
    .logs()
    .split("\n")
    .filter((line) => line.startsWith("[nats]") && /violation/i.test(line) && !line.includes("probe-"));
}

describe("NATS authorization", () => {
  it("serves deploy, a synchronous invoke and an asynchronous event with every service on its own credentials", async () => {
    const scheduler = await connectAs(credentials().scheduler);
    const delivered = new Promise<unknown>((resolve) => {
      scheduler.subscribe("app.nats-auth.success", { max: 1, callback: (_error, msg) => resolve(msg.json()) });
    });
    await scheduler.flush();
    await lambda.send(
      new CreateFunctionCommand({ FunctionName: "authed", Runtime: "nodejs20.x", Handler: "index.handler", Role: "arn:aws:iam::000000000000:role/test", Code: { ZipFile: handler } }),
    );
    const invoked = await lambda.send(new InvokeCommand({ FunctionName: "authed", Payload: new TextEncoder().encode('{"n":1}') }));
    expect(invoked.FunctionError).toBeUndefined();
    expect(JSON.parse(new TextDecoder().decode(invoked.Payload))).toEqual({ echoed: { n: 1 } });

    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "authed",
        DestinationConfig: { OnSuccess: { Destination: "arn:aws:sns:us-east-1:000000000000:app.nats-auth.success" } },
      }),
    );
    const accepted = await lambda.send(new InvokeCommand({ FunctionName: "authed", InvocationType: "Event", Payload: new TextEncoder().encode('{"n":2}') }));
    expect(accepted.StatusCode).toBe(202);
    expect(await delivered).toMatchObject({ requestPayload: { n: 2 }, responsePayload: { echoed: { n: 2 } } });
    expect(serviceViolations()).toEqual([]);
  }, 60_000);

  it("refuses a client without credentials", async () => {
    await expect(connect({ servers: cluster.natsUrl, name: "probe-anonymous", maxReconnectAttempts: 0 })).rejects.toBeInstanceOf(AuthorizationError);
  });

  it("refuses a client with a key the server does not know", async () => {
    const { createNatsCredential } = await import("@lambent/nats-auth");
    const stranger = createNatsCredential({ role: "frontend" });
    await expect(
      connect({ ...natsConnectionOptions({ url: cluster.natsUrl, name: "probe-stranger", identity: { role: "frontend" }, auth: { nkeySeed: stranger.seed, tls: undefined } }), maxReconnectAttempts: 0 }),
    ).rejects.toBeInstanceOf(AuthorizationError);
  });

  it("keeps a worker to its own calls: no other worker's subjects, no scheduler's voice, no data it does not need", async () => {
    const worker = await connectAs(credentials().worker0);
    // Another worker's calls and replies, and everyone's.
    for (const subject of ["lambent.worker.worker-1.0-0.invoke", "lambent.worker.worker-1.>", "lambent.worker.*.invoke", "_INBOX.>", "_INBOX.frontend.>", "_INBOX.worker.worker-1.>", ">"]) {
      await expectSubscribeRefused(worker, subject);
    }
    // Posing as a scheduler: taking placements, status and workflow wakes; recalling or provisioning slots;
    // renewing its own or another worker's lease on kept slots (a cut-off worker would go on serving them); leading.
    for (const subject of ["lambent.sched.invoke.*", "lambent.sched.release", "lambent.sched.status", "lambent.sfn.wake", "lambent.event.*"]) {
      await expectSubscribeRefused(worker, subject);
    }
    for (const subject of [
      "lambent.worker.worker-1.0-0.recall",
      "lambent.worker.worker-1.0-0.provision",
      "lambent.worker.worker-0.0-0.lease",
      "lambent.worker.worker-1.0-0.lease",
      "lambent.worker.report",
      "$KV.lambent_cluster.leader",
      "lambent.sfn.wake",
    ]) {
      await expectPublishRefused(worker, subject);
    }
    // Writing code or configuration; reading queued events (payloads), workflows, the cluster record, logs.
    for (const subject of [
      "$O.lambent_code.M.Zm9v",
      "$KV.lambent_functions.fn.authed.$LATEST",
      "$JS.API.CONSUMER.CREATE.LAMBENT_EVENTS",
      "$JS.API.CONSUMER.CREATE.LAMBENT_LOGS",
      "$JS.API.DIRECT.GET.KV_lambent_workflows",
      "$JS.API.CONSUMER.CREATE.KV_lambent_cluster",
      "$JS.API.STREAM.UPDATE.LAMBENT_EVENTS",
      "$JS.API.STREAM.DELETE.KV_lambent_functions",
      "$JS.API.STREAM.PURGE.OBJ_lambent_code",
    ]) {
      await expectPublishRefused(worker, subject);
    }
  });

  it("stops a worker started with another worker's key, naming LAMBENT_WORKER_ID", async () => {
    await expect(
      connectNats({ url: cluster.natsUrl, name: "probe-worker", identity: { role: "worker", workerNodeId: "worker-1" }, auth: { nkeySeed: credentials().worker0.seed, tls: undefined } }),
    ).rejects.toThrow(/NATS refused worker worker-1 its own subjects .*issued for another LAMBENT_WORKER_ID/);
  });

  it("lets a worker take its own calls, sent by the scheduler", async () => {
    const worker = await connectAs(credentials().worker0);
    const scheduler = await connectAs(credentials().scheduler);
    const received = new Promise<string>((resolve) => {
      worker.subscribe("lambent.worker.worker-0.7-0.invoke", { max: 1, callback: (_error, msg) => resolve(msg.string()) });
    });
    await worker.flush();
    scheduler.publish("lambent.worker.worker-0.7-0.invoke", "placed");
    expect(await received).toBe("placed");
  });

  it("keeps a frontend from speaking as a worker or a scheduler", async () => {
    const frontend = await connectAs(credentials().frontend);
    for (const subject of ["lambent.worker.heartbeat", "lambent.worker.gone", "lambent.sched.release", "lambent.worker.report", "lambent.worker.worker-0.0-0.recall", "lambent.worker.worker-0.0-0.lease", "$KV.lambent_cluster.leader"]) {
      await expectPublishRefused(frontend, subject);
    }
    for (const subject of ["lambent.worker.worker-0.0-0.invoke", "lambent.sched.invoke.*", "lambent.event.*", "_INBOX.>", "_INBOX.scheduler.>"]) {
      await expectSubscribeRefused(frontend, subject);
    }
  });

  it("keeps a scheduler from speaking as a worker or reading workers' calls and others' replies", async () => {
    const scheduler = await connectAs(credentials().scheduler);
    for (const subject of ["lambent.worker.heartbeat", "lambent.worker.gone"]) await expectPublishRefused(scheduler, subject);
    for (const subject of ["lambent.worker.worker-0.0-0.invoke", "lambent.worker.worker-0.invoke", "_INBOX.frontend.>", "_INBOX.worker.worker-0.>"]) {
      await expectSubscribeRefused(scheduler, subject);
    }
  });

  it("gives each identity the inbox its permissions allow", () => {
    const identities: NatsIdentity[] = [credentials().frontend.identity, credentials().scheduler.identity, credentials().worker1.identity];
    expect(identities.map((identity) => natsConnectionOptions({ url: "nats://x:1", name: "n", identity, auth: { nkeySeed: undefined, tls: undefined } }).inboxPrefix)).toEqual([
      "_INBOX.frontend",
      "_INBOX.scheduler",
      "_INBOX.worker.worker-1",
    ]);
  });
});

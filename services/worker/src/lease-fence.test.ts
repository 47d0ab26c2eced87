// The fence on a worker's kept slots, over a real nats-server, with the test in the leader's part: calls
// sent straight run while the leader acknowledges heartbeats; once it stops, the worker declines them and
// gives its kept slots back; a deposed leader's acknowledgements do not bring them back, the new leader's do.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { loadWorkerConfig } from "@lambent/config";
import { startNatsServer, type RunningNatsServer } from "@lambent/local-cluster";
import {
  Subjects,
  decodeInvocationResult,
  encodeInvocation,
  encodeJson,
  parseHeartbeat,
  parseJson,
  parseLeaseReleases,
  type HeartbeatAck,
  type InvocationHeader,
  type InvocationResult,
  type LeaseRelease,
} from "@lambent/protocol";
import { createLogger } from "@lambent/telemetry";
import { buildWorker, type Worker } from "./server.js";
import { buildSandbox, esmBundle, functionRecord } from "./testing/fixtures.js";

const WORKER_ID = "fenced";

let server: RunningNatsServer;
let dir: string;
let nc: NatsConnection;
let worker: Worker;
/** The leader's acknowledgements while it answers. */
let leader: { subscription: Subscription; acknowledged: Promise<void> } | undefined;
/** Every release the worker sent, in order, and who waits for the next ones. */
const releases: LeaseRelease[] = [];
let releaseWaiters: (() => void)[] = [];
/** Holds back the record of the function "slow", as a registry cut off from JetStream would. */
let recordGate = gate();

function gate(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** Starts answering heartbeats as the leader of `term`; `acknowledged` resolves once one was answered. */
function lead(term: number): void {
  let acknowledged: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (acknowledged = resolve));
  const subscription = nc.subscribe(Subjects.workerHeartbeat, {
    callback: (_error, msg) => {
      const beat = parseHeartbeat(parseJson(msg.data));
      if (beat?.workerId !== WORKER_ID || beat.sentAt === undefined) return;
      nc.publish(Subjects.workerLease(WORKER_ID), encodeJson({ term, sentAt: beat.sentAt } satisfies HeartbeatAck));
      acknowledged();
    },
  });
  leader = { subscription, acknowledged: promise };
}

function stopLeading(): void {
  leader?.subscription.unsubscribe();
  leader = undefined;
}

beforeAll(async () => {
  buildSandbox();
  dir = await mkdtemp(join(tmpdir(), "lease-fence-test-"));
  server = await startNatsServer({ storeDir: join(dir, "nats") });
  nc = await connect({ servers: server.url });
  nc.subscribe(Subjects.schedulerRelease, {
    callback: (_error, msg) => {
      const message = parseLeaseReleases(parseJson(msg.data));
      if (message?.workerId !== WORKER_ID) return;
      releases.push(...message.releases);
      for (const wake of releaseWaiters) wake();
      releaseWaiters = [];
    },
  });
  // A lease of 2 s (half the worker timeout), renewed by heartbeats every 50 ms while the test leads.
  const config = loadWorkerConfig({ NATS_URL: server.url, LAMBENT_WORKER_ID: WORKER_ID, LAMBENT_HEARTBEAT_MS: "50", LAMBENT_WORKER_TIMEOUT_MS: "4000", LAMBENT_RUN_DIR: join(dir, "run") });
  const record = functionRecord({ timeout: 30 });
  worker = buildWorker(config, {
    nc,
    // The function "slow" is never cached, and its record comes only when the test opens the gate.
    registry: {
      getRevision: async (functionName) => {
        if (functionName === "slow") await recordGate.promise;
        return record;
      },
      cachedRevision: (functionName) => (functionName === "slow" ? undefined : record),
    },
    bundles: { getBundle: async () => esmBundle(`const userModule = { handler: async (e) => ({ echo: e }) };`), getPackage: async () => undefined, getSourceMap: async () => undefined },
    logger: createLogger({ service: "worker-test", level: "error", write: () => undefined }),
    drainGraceMs: 0,
  });
  lead(3);
  await nc.flush();
  await worker.start();
  await leader!.acknowledged;
});

afterAll(async () => {
  stopLeading();
  await worker?.stop();
  await nc?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

function invocation(header: Partial<InvocationHeader>): Uint8Array {
  const base: InvocationHeader = { requestId: "r", functionName: "fn", qualifier: "$LATEST", version: "$LATEST", revisionId: "rev-1", invocationType: "RequestResponse", logType: "None" };
  return encodeInvocation({ header: { ...base, ...header }, payload: new TextEncoder().encode("{}") });
}

async function call(header: Partial<InvocationHeader>): Promise<InvocationResult> {
  return decodeInvocationResult((await nc.request(Subjects.workerInvoke(WORKER_ID), invocation(header), { timeout: 10_000 })).data);
}

/** Resolves once the worker has given back the slot of `leaseId` (a release that does not keep it). */
async function givenBack(leaseId: number): Promise<void> {
  while (!releases.some((release) => release.leaseId === leaseId && !release.kept)) {
    await new Promise<void>((resolve) => releaseWaiters.push(resolve));
  }
}

describe("the fence on kept slots", () => {
  it("runs calls sent straight while the leader acknowledges heartbeats, then declines them and gives the slot back once it stops", async () => {
    expect((await call({ requestId: "placed", lease: { term: 3, leaseId: 1, kept: true } })).header.declined).toBeUndefined();
    for (let i = 0; i < 5; i++) expect((await call({ requestId: `direct-${i}` })).header.declined).toBeUndefined();

    stopLeading();
    // Calls one after another keep the slot in use, so only the lapsed lease can turn them away.
    let answer = await call({ requestId: "after" });
    let calls = 1;
    while (!answer.header.declined && calls < 20_000) {
      answer = await call({ requestId: "after" });
      calls++;
    }
    expect(answer.header).toMatchObject({ declined: true, workerId: WORKER_ID });
    await givenBack(1);
    expect(worker.status().running).toEqual([]);
  });

  it("is not renewed by a deposed leader once a new one has asked for reports, and is by the new leader", async () => {
    lead(3);
    nc.publish(Subjects.workerReport, encodeJson({ term: 7 }));
    await leader!.acknowledged;
    // The new leader places a call with a kept lease: the slot is the worker's, but the lease is not renewed.
    expect((await call({ requestId: "placed-7", lease: { term: 7, leaseId: 2, kept: true } })).header.declined).toBeUndefined();
    expect((await call({ requestId: "stale" })).header.declined).toBe(true);
    stopLeading();

    lead(7);
    await leader!.acknowledged;
    expect((await call({ requestId: "placed-7b", lease: { term: 7, leaseId: 3, kept: true } })).header.declined).toBeUndefined();
    const direct = await call({ requestId: "renewed" });
    expect(direct.header.declined).toBeUndefined();
    expect(JSON.parse(new TextDecoder().decode(direct.payload))).toEqual({ echo: {} });
  });

  it("does not start a call a deposed leader placed that waited for its record while a new leader took over", async () => {
    recordGate = gate();
    const answer = call({ requestId: "waits", functionName: "slow", lease: { term: 7, leaseId: 10 } });
    // The call has arrived once the worker reports it running.
    while (!worker.status().running.some((lease) => lease.leaseId === 10)) await nc.flush();
    nc.publish(Subjects.workerReport, encodeJson({ term: 9 }));
    await nc.flush();
    recordGate.resolve();
    const result = await answer;
    expect(result.header.failure).toMatchObject({ type: "ServiceException" });
    expect(result.header.failure?.message).toMatch(/did not run/);
    await givenBack(10);

    // The new leader's own calls that wait for their record start as before.
    stopLeading();
    lead(9);
    await leader!.acknowledged;
    recordGate = gate();
    const placed = call({ requestId: "waits-9", functionName: "slow", lease: { term: 9, leaseId: 11 } });
    while (!worker.status().running.some((lease) => lease.leaseId === 11)) await nc.flush();
    recordGate.resolve();
    expect(JSON.parse(new TextDecoder().decode((await placed).payload))).toEqual({ echo: {} });
  });
});

// The worker over a real nats-server: answers the caller's inbox, releases the lease, heartbeats, drains.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { loadWorkerConfig } from "@lambent/config";
import { startNatsServer, type RunningNatsServer } from "@lambent/local-cluster";
import { Subjects, decodeInvocationResult, decodeJson, encodeInvocation } from "@lambent/protocol";
import { createLogger } from "@lambent/telemetry";
import { buildWorker } from "./server.js";
import { buildSandbox, esmBundle, functionRecord } from "./testing/fixtures.js";

let server: RunningNatsServer;
let dir: string;
let nc: NatsConnection;

beforeAll(async () => {
  buildSandbox();
  dir = await mkdtemp(join(tmpdir(), "worker-test-"));
  server = await startNatsServer({ storeDir: dir });
  nc = await connect({ servers: server.url });
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("buildWorker", () => {
  it("serves invocations, releases leases, heartbeats and drains", async () => {
    const config = loadWorkerConfig({ NATS_URL: server.url, LAMBENT_WORKER_ID: "w1", LAMBENT_HEARTBEAT_MS: "50" });
    const record = functionRecord();
    const worker = buildWorker(config, {
      nc,
      registry: { getRevision: async () => record },
      bundles: { getBundle: async () => esmBundle(`const userModule = { handler: async (e) => ({ echo: e }) };`), getPackage: async () => undefined, getSourceMap: async () => undefined },
      logger: createLogger({ service: "worker-test", level: "error", write: () => undefined }),
      drainGraceMs: 0,
    });
    const heartbeats = nc.subscribe(Subjects.workerHeartbeat);
    const releases = nc.subscribe(Subjects.schedulerRelease("s1"));
    const gone = nc.subscribe(Subjects.workerGone);
    await worker.start();

    const first = (await heartbeats[Symbol.asyncIterator]().next()).value;
    expect(decodeJson(first!.data)).toMatchObject({ workerId: "w1", draining: false, environments: 0 });

    const frame = encodeInvocation({
      header: {
        requestId: "r1",
        functionName: "fn",
        qualifier: "$LATEST",
        version: "$LATEST",
        revisionId: "rev-1",
        invocationType: "RequestResponse",
        logType: "None",
        lease: { schedulerId: "s1", leaseId: 9 },
      },
      payload: new TextEncoder().encode('{"hi":1}'),
    });
    const answer = await nc.request(Subjects.workerInvoke("w1"), frame, { timeout: 5000 });
    const result = decodeInvocationResult(answer.data);
    expect(result.header).toEqual({ requestId: "r1", executedVersion: "$LATEST" });
    expect(JSON.parse(new TextDecoder().decode(result.payload))).toEqual({ echo: { hi: 1 } });
    const release = (await releases[Symbol.asyncIterator]().next()).value;
    expect(decodeJson(release!.data)).toEqual({ workerId: "w1", releases: [{ leaseId: 9, idleEnvironment: "fn:$LATEST:rev-1" }] });
    expect(worker.status()).toMatchObject({ environments: 1, busy: 0, idle: { "fn:$LATEST:rev-1": 1 } });

    const malformed = await nc.request(Subjects.workerInvoke("w1"), new Uint8Array([1, 2, 3]), { timeout: 5000 });
    expect(decodeInvocationResult(malformed.data).header.failure?.type).toBe("ServiceException");

    await worker.stop();
    expect(worker.status().draining).toBe(true);
    const bye = (await gone[Symbol.asyncIterator]().next()).value;
    expect(decodeJson(bye!.data)).toEqual({ workerId: "w1" });
    heartbeats.unsubscribe();
    releases.unsubscribe();
    gone.unsubscribe();
  });
});

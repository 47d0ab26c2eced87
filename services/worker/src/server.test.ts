// The worker over a real nats-server: answers the caller's inbox, releases the lease, heartbeats, drains,
// keeps provisioned environments and reports running leases.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { loadWorkerConfig } from "@lambent/config";
import { startNatsServer, type RunningNatsServer } from "@lambent/local-cluster";
import {
  Subjects,
  decodeInvocationResult,
  decodeJson,
  encodeInvocation,
  encodeJson,
  type InvocationHeader,
  type LeaseReleases,
  type WorkerHeartbeat,
} from "@lambent/protocol";
import { createLogger } from "@lambent/telemetry";
import type { InvocationLog } from "./log-buffer.js";
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
    const releases = nc.subscribe(Subjects.schedulerRelease);
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
        lease: { term: 1, leaseId: 9 },
      },
      payload: new TextEncoder().encode('{"hi":1}'),
    });
    const answer = await nc.request(Subjects.workerInvoke("w1"), frame, { timeout: 5000 });
    const result = decodeInvocationResult(answer.data);
    expect(result.header).toEqual({ requestId: "r1", executedVersion: "$LATEST", workerId: "w1" });
    expect(JSON.parse(new TextDecoder().decode(result.payload))).toEqual({ echo: { hi: 1 } });
    const release = (await releases[Symbol.asyncIterator]().next()).value;
    expect(decodeJson(release!.data)).toEqual({ workerId: "w1", releases: [{ term: 1, leaseId: 9, idleEnvironment: "fn:$LATEST:rev-1" }] });
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

  it("keeps provisioned environments, reports running leases and answers report requests", async () => {
    // Interval heartbeats are an hour apart: every heartbeat this test sees was asked for or caused by it.
    const config = loadWorkerConfig({ NATS_URL: server.url, LAMBENT_WORKER_ID: "w2", LAMBENT_HEARTBEAT_MS: "60000", LAMBENT_FETCH_ALLOW: "127.0.0.1" });
    const record = functionRecord({ memorySize: 256, timeout: 30 });
    const key = "fn:$LATEST:rev-1";
    const logs: InvocationLog[] = [];
    const warnings: string[] = [];
    const worker = buildWorker(config, {
      nc,
      registry: { getRevision: async () => record },
      bundles: {
        getBundle: async () =>
          esmBundle(`console.log("module loaded");
            const userModule = { handler: async (e) => e.wait ? { waited: await (await fetch(e.wait)).text() } : { echo: e } };`),
        getPackage: async () => undefined,
        getSourceMap: async () => undefined,
      },
      logger: createLogger({ service: "worker-test", level: "warn", write: (line) => void warnings.push((JSON.parse(line) as { msg: string }).msg) }),
      logSink: { write: (log) => void logs.push(log) },
      drainGraceMs: 0,
    });
    const heartbeats = messages<WorkerHeartbeat>(nc.subscribe(Subjects.workerHeartbeat), (beat) => beat.workerId === "w2");
    const releases = messages<LeaseReleases>(nc.subscribe(Subjects.schedulerRelease), (message) => message.workerId === "w2");
    await worker.start();
    expect(await heartbeats.next()).toMatchObject({ environments: 0, busyMemoryMb: 0, provisioned: {}, running: [] });

    // A malformed request is ignored; the valid one after it makes two environments, then a heartbeat says so.
    nc.publish(Subjects.workerProvision("w2"), new TextEncoder().encode("{not json"));
    nc.publish(Subjects.workerProvision("w2"), encodeJson({ functionName: "fn", version: "$LATEST", revisionId: "rev-1", count: 2 }));
    expect(await heartbeats.next()).toMatchObject({ environments: 2, busy: 0, idle: { [key]: 2 }, provisioned: { [key]: 2 }, running: [] });
    expect(warnings).toEqual(["malformed provision request"]);
    expect(logs).toEqual([]);

    // A call takes a provisioned environment: no cold start, so no Init Duration and no init log lines.
    const first = decodeInvocationResult((await nc.request(Subjects.workerInvoke("w2"), invocation({ requestId: "r1", logType: "Tail", lease: { term: 3, leaseId: 8 } }, { hi: 1 }), { timeout: 5000 })).data);
    expect(JSON.parse(new TextDecoder().decode(first.payload))).toEqual({ echo: { hi: 1 } });
    const tail = Buffer.from(first.header.logResult ?? "", "base64").toString("utf8");
    expect(tail).toContain("REPORT RequestId: r1");
    expect(tail).not.toContain("Init Duration");
    expect(logs).toHaveLength(1);
    expect(logs[0]!.lines.join("\n")).not.toMatch(/Init Duration|module loaded/);
    expect(worker.status()).toMatchObject({ environments: 2, provisioned: { [key]: 2 } });
    expect(await releases.next()).toEqual({ workerId: "w2", releases: [{ term: 3, leaseId: 8, idleEnvironment: key }] });

    // While a call waits on this HTTP server, a report request yields a heartbeat listing its lease.
    const held = await holdingServer();
    try {
      const answer = nc.request(Subjects.workerInvoke("w2"), invocation({ requestId: "r2", lease: { term: 3, leaseId: 9 } }, { wait: held.url }), { timeout: 5000 });
      await held.arrived;
      nc.publish(Subjects.workerReport);
      expect(await heartbeats.next()).toMatchObject({
        busy: 1,
        busyMemoryMb: 256,
        provisioned: { [key]: 2 },
        running: [{ term: 3, leaseId: 9, functionName: "fn", memoryMb: 256 }],
      });
      held.respond("done");
      expect(JSON.parse(new TextDecoder().decode(decodeInvocationResult((await answer).data).payload))).toEqual({ waited: "done" });
      expect(await releases.next()).toEqual({ workerId: "w2", releases: [{ term: 3, leaseId: 9, idleEnvironment: key }] });
    } finally {
      held.close();
    }
    nc.publish(Subjects.workerReport);
    expect(await heartbeats.next()).toMatchObject({ busy: 0, busyMemoryMb: 0, running: [] });

    // Lowering the count lets the idle provisioned environments go.
    nc.publish(Subjects.workerProvision("w2"), encodeJson({ functionName: "fn", version: "$LATEST", revisionId: "rev-1", count: 0 }));
    expect(await heartbeats.next()).toMatchObject({ environments: 0, idle: {}, provisioned: {} });

    await worker.stop();
    heartbeats.close();
    releases.close();
  });
});

/** JSON messages of a subscription, in order, keeping those `keep` accepts. */
function messages<T>(subscription: Subscription, keep: (message: T) => boolean) {
  const iterator = subscription[Symbol.asyncIterator]();
  return {
    async next(): Promise<T> {
      for (;;) {
        const { value, done } = await iterator.next();
        if (done) throw new Error(`subscription ${subscription.getSubject()} ended`);
        const message = decodeJson(value.data) as T;
        if (keep(message)) return message;
      }
    },
    close: () => subscription.unsubscribe(),
  };
}

function invocation(header: Partial<InvocationHeader>, event: unknown): Uint8Array {
  return encodeInvocation({
    header: {
      requestId: "r",
      functionName: "fn",
      qualifier: "$LATEST",
      version: "$LATEST",
      revisionId: "rev-1",
      invocationType: "RequestResponse",
      logType: "None",
      ...header,
    },
    payload: new TextEncoder().encode(JSON.stringify(event)),
  });
}

/** An HTTP server that holds the first request until `respond`, so a call stays running meanwhile. */
async function holdingServer() {
  let arrive: (response: ServerResponse) => void = () => undefined;
  const arrived = new Promise<ServerResponse>((resolve) => (arrive = resolve));
  const http = createServer((_request, response) => arrive(response));
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/`,
    arrived,
    respond: (body: string) => void arrived.then((response) => response.end(body)),
    close: () => {
      http.closeAllConnections();
      http.close();
    },
  };
}

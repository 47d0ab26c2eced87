// The worker's side of the warm path over a real nats-server and its Unix socket: a kept lease keeps
// its slot, calls sent straight run within kept slots or are declined, and the leader can recall them.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type ServerResponse } from "node:http";
import { connect as connectSocket, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { loadWorkerConfig } from "@lambent/config";
import { startNatsServer, type RunningNatsServer } from "@lambent/local-cluster";
import {
  LocalFrameReader,
  LocalFrameWriter,
  Subjects,
  decodeInvocationResult,
  decodeJson,
  encodeInvocation,
  encodeJson,
  type InvocationHeader,
  type InvocationResult,
  type LeaseReleases,
} from "@lambent/protocol";
import { createLogger } from "@lambent/telemetry";
import { buildWorker, type Worker } from "./server.js";
import { acknowledgeHeartbeats, buildSandbox, esmBundle, functionRecord } from "./testing/fixtures.js";

let server: RunningNatsServer;
let dir: string;
let nc: NatsConnection;
let worker: Worker;
const key = "fn:$LATEST:rev-1";

beforeAll(async () => {
  buildSandbox();
  dir = await mkdtemp(join(tmpdir(), "warm-calls-test-"));
  server = await startNatsServer({ storeDir: join(dir, "nats") });
  nc = await connect({ servers: server.url });
  // The test is the leader: it acknowledges the worker's heartbeats, its lease on kept slots. The
  // longest worker timeout makes the one acknowledgement of the first heartbeat last the whole file.
  acknowledgeHeartbeats(nc, 1);
  const config = loadWorkerConfig({
    NATS_URL: server.url,
    LAMBENT_WORKER_ID: "w3",
    LAMBENT_HEARTBEAT_MS: "60000",
    LAMBENT_WORKER_TIMEOUT_MS: "600000",
    LAMBENT_RUN_DIR: join(dir, "run"),
    LAMBENT_FETCH_ALLOW: "127.0.0.1",
  });
  const record = functionRecord({ timeout: 30 });
  worker = buildWorker(config, {
    nc,
    registry: { getRevision: async () => record, cachedRevision: () => record },
    bundles: {
      getBundle: async () => esmBundle(`const userModule = { handler: async (e) => e.wait ? { waited: await (await fetch(e.wait)).text() } : { echo: e } };`),
      getPackage: async () => undefined,
      getSourceMap: async () => undefined,
    },
    logger: createLogger({ service: "worker-test", level: "error", write: () => undefined }),
    drainGraceMs: 0,
  });
  await worker.start();
});

afterAll(async () => {
  await worker?.stop();
  await nc?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

function invocation(header: Partial<InvocationHeader>, event: unknown): Uint8Array {
  const base: InvocationHeader = { requestId: "r", functionName: "fn", qualifier: "$LATEST", version: "$LATEST", revisionId: "rev-1", invocationType: "RequestResponse", logType: "None" };
  return encodeInvocation({ header: { ...base, ...header }, payload: new TextEncoder().encode(JSON.stringify(event)) });
}

async function call(frame: Uint8Array): Promise<InvocationResult> {
  return decodeInvocationResult((await nc.request(Subjects.workerInvoke("w3"), frame, { timeout: 10_000 })).data);
}

const payloadOf = (result: InvocationResult): unknown => JSON.parse(new TextDecoder().decode(result.payload));

describe("the worker's warm path", () => {
  it("declines a call sent straight without a kept slot, keeps the slot of a kept lease, and runs later calls in it", async () => {
    const declined = await call(invocation({ requestId: "d1" }, { n: 1 }));
    expect(declined.header).toEqual({ requestId: "d1", executedVersion: "$LATEST", declined: true, workerId: "w3" });

    const releases = nc.subscribe(Subjects.schedulerRelease);
    const placed = await call(invocation({ requestId: "p1", lease: { term: 1, leaseId: 5, kept: true } }, { n: 2 }));
    expect(payloadOf(placed)).toEqual({ echo: { n: 2 } });
    expect(placed.header.workerId).toBe("w3");
    // The scheduler hears the environment is idle; the slot stays with the worker.
    for await (const message of releases) {
      expect(decodeJson(message.data)).toEqual({ workerId: "w3", releases: [{ term: 1, leaseId: 5, kept: true, idleEnvironment: key }] } satisfies LeaseReleases);
      break;
    }
    expect(worker.status().running).toEqual([{ term: 1, leaseId: 5, functionName: "fn", memoryMb: 128, kept: true, idle: true }]);

    const direct = await call(invocation({ requestId: "s1" }, { n: 3 }));
    expect(payloadOf(direct)).toEqual({ echo: { n: 3 } });
    expect(direct.header.declined).toBeUndefined();
  });

  it("runs no more calls sent straight than it keeps slots, over NATS or its Unix socket", async () => {
    const held = await holdingServer();
    try {
      const first = call(invocation({ requestId: "s2" }, { wait: held.url }));
      await held.arrived;
      // The one kept slot is busy: a second call is declined, nothing ran.
      expect((await call(invocation({ requestId: "s3" }, { n: 4 }))).header.declined).toBe(true);
      held.respond("done");
      expect(payloadOf(await first)).toEqual({ waited: "done" });
    } finally {
      held.close();
    }
    const socketPath = worker.status().socket!;
    const viaSocket = await overSocket(socketPath, invocation({ requestId: "s4" }, { n: 5 }));
    expect(payloadOf(viaSocket)).toEqual({ echo: { n: 5 } });
  });

  it("gives back its unused kept slots when the leader recalls them, the releases first", async () => {
    const releases = nc.subscribe(Subjects.schedulerRelease);
    const answer = await nc.request(Subjects.workerRecall("w3"), encodeJson({ functionName: "fn" }), { timeout: 5000 });
    expect(decodeJson(answer.data)).toEqual({ released: 1 });
    for await (const message of releases) {
      expect(decodeJson(message.data)).toEqual({ workerId: "w3", releases: [{ term: 1, leaseId: 5 }] });
      break;
    }
    expect(worker.status().running).toEqual([]);
    expect((await call(invocation({ requestId: "s5" }, { n: 6 }))).header.declined).toBe(true);
  });
});

/** One call over the worker's Unix socket, as a caller on the same node sends it. */
function overSocket(path: string, frame: Uint8Array): Promise<InvocationResult> {
  return new Promise((resolve, reject) => {
    const socket = connectSocket(path);
    const reader = new LocalFrameReader();
    socket.on("error", reject);
    socket.on("data", (chunk: Buffer) =>
      reader.push(chunk, (id, answer) => {
        expect(id).toBe(7);
        socket.end();
        resolve(decodeInvocationResult(answer));
      }),
    );
    new LocalFrameWriter(socket).write(7, frame);
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

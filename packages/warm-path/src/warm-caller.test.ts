// The warm path when a worker died without a word (SIGKILL leaves its socket file behind): a caller that
// still routes to it finds its socket refused and nobody on its NATS subject, so the call goes the long
// way, through the leader, at once, instead of waiting out its timeout. Real nats-server, no worker.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startNatsServer, type RunningNatsServer } from "@lambent/local-cluster";
import { Subjects, decodeInvocation, encodeInvocationResult, encodeJson, environmentKey, type InvocationHeader, type WorkerHeartbeat } from "@lambent/protocol";
import { WarmCaller } from "./warm-caller.js";

let directory: string;
let server: RunningNatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), "lambent-warm-caller-"));
  server = await startNatsServer({ storeDir: directory });
  nc = await connect({ servers: server.url });
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
  await rm(directory, { recursive: true, force: true });
});

describe("the warm caller", () => {
  it("goes through the leader when a routed worker's socket is refused and nothing answers on its subject", async () => {
    const header: InvocationHeader = { requestId: "r1", functionName: "fn", qualifier: "$LATEST", version: "$LATEST", revisionId: "rev", invocationType: "RequestResponse", logType: "None" };
    // A socket file no one listens on, as a killed worker leaves it.
    const deadSocket = join(directory, "dead-worker.sock");
    await writeFile(deadSocket, "");
    const leader = nc.subscribe(Subjects.schedulerInvoke("fn"), {
      callback: (_error, msg) => {
        const { header: asked } = decodeInvocation(msg.data);
        msg.respond(encodeInvocationResult({ header: { requestId: asked.requestId, executedVersion: "$LATEST", workerId: "w-live" }, payload: new TextEncoder().encode('"from the leader"') }));
      },
    });
    const caller = new WarmCaller({ nc, nodeId: "node-1", workerTimeoutMs: 60_000 });
    try {
      const beat: WorkerHeartbeat = {
        workerId: "w-dead",
        memoryMb: 1024,
        maxEnvironments: 10,
        environments: 1,
        busy: 0,
        busyMemoryMb: 0,
        idle: { [environmentKey("fn", "$LATEST", "rev")]: 1 },
        provisioned: {},
        running: [{ term: 1, leaseId: 1, functionName: "fn", memoryMb: 128, kept: true, idle: true }],
        draining: false,
        node: "node-1",
        socket: deadSocket,
      };
      // The caller learns the route from the worker's last heartbeat, as it would have before the kill.
      const heard = new Promise<void>((resolve) => {
        const probe = nc.subscribe(Subjects.workerHeartbeat, { max: 1, callback: () => resolve() });
        void probe;
      });
      nc.publish(Subjects.workerHeartbeat, encodeJson(beat));
      await heard;
      await nc.flush();
      const answer = await caller.call(header, new TextEncoder().encode("{}"), { timeoutMs: 60_000, memoryMb: 128 });
      expect(new TextDecoder().decode(answer.payload)).toBe('"from the leader"');
      expect(answer.header.workerId).toBe("w-live");
    } finally {
      caller.close();
      leader.unsubscribe();
    }
  });
});

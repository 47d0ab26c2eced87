// The warm path when a worker died without a word (SIGKILL leaves its socket file behind): a caller that
// still routes to it finds its socket refused and nobody on its NATS subject, so the call goes the long
// way, through the leader, at once, instead of waiting out its timeout. Real nats-server, no worker.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startNatsServer, type RunningNatsServer } from "@lambent/local-cluster";
import { createServer } from "node:net";
import { LocalFrameReader, LocalFrameWriter, Subjects, decodeInvocation, encodeInvocationResult, encodeJson, environmentKey, type InvocationHeader, type WorkerHeartbeat } from "@lambent/protocol";
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

function heartbeat(workerId: string, socket: string): WorkerHeartbeat {
  return {
    workerId,
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
    socket,
  };
}

/** Publishes a heartbeat and waits until it has gone round (the caller hears it in the same order). */
async function announce(beat: WorkerHeartbeat): Promise<void> {
  const heard = new Promise<void>((resolve) => {
    nc.subscribe(Subjects.workerHeartbeat, { max: 1, callback: () => resolve() });
  });
  nc.publish(Subjects.workerHeartbeat, encodeJson(beat));
  await heard;
  await nc.flush();
}

/** Answers like a leading scheduler that placed the call on `w-live`. */
function leaderAnswering(): { unsubscribe(): void } {
  return nc.subscribe(Subjects.schedulerInvoke("fn"), {
    callback: (_error, msg) => {
      const { header: asked } = decodeInvocation(msg.data);
      msg.respond(encodeInvocationResult({ header: { requestId: asked.requestId, executedVersion: "$LATEST", workerId: "w-live" }, payload: new TextEncoder().encode('"from the leader"') }));
    },
  });
}

const header: InvocationHeader = { requestId: "r1", functionName: "fn", qualifier: "$LATEST", version: "$LATEST", revisionId: "rev", invocationType: "RequestResponse", logType: "None" };

describe("the warm caller", () => {
  it("goes through the leader when a routed worker's socket is refused and nothing answers on its subject", async () => {
    // A socket file no one listens on, as a killed worker leaves it.
    const deadSocket = join(directory, "dead-worker.sock");
    await writeFile(deadSocket, "");
    const leader = leaderAnswering();
    const caller = new WarmCaller({ nc, nodeId: "node-1", workerTimeoutMs: 60_000 });
    try {
      // The caller learns the route from the worker's last heartbeat, as it would have before the kill.
      await announce(heartbeat("w-dead", deadSocket));
      const answer = await caller.call(header, new TextEncoder().encode("{}"), { timeoutMs: 60_000, memoryMb: 128 });
      expect(new TextDecoder().decode(answer.payload)).toBe('"from the leader"');
      expect(answer.header.workerId).toBe("w-live");
    } finally {
      caller.close();
      leader.unsubscribe();
    }
  });

  it("reaches a worker over its socket again once it announces a new one after a refused one", async () => {
    const refused = join(directory, "refused.sock");
    await writeFile(refused, "");
    const live = join(directory, "live.sock");
    // A worker's socket that answers every call itself.
    const server = createServer((socket) => {
      const reader = new LocalFrameReader();
      const writer = new LocalFrameWriter(socket);
      socket.on("data", (chunk: Buffer) =>
        reader.push(chunk, (id, frame) => {
          const { header: asked } = decodeInvocation(frame);
          writer.write(id, encodeInvocationResult({ header: { requestId: asked.requestId, executedVersion: "$LATEST", workerId: "w-back" }, payload: new TextEncoder().encode('"from the socket"') }));
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(live, resolve));
    const leader = leaderAnswering();
    const caller = new WarmCaller({ nc, nodeId: "node-1", workerTimeoutMs: 60_000 });
    try {
      await announce(heartbeat("w-back", refused));
      const first = await caller.call({ ...header, requestId: "r2" }, new TextEncoder().encode("{}"), { timeoutMs: 60_000, memoryMb: 128 });
      expect(new TextDecoder().decode(first.payload)).toBe('"from the leader"');
      // The worker restarted on a socket of its own: the refusal of the old one no longer counts.
      await announce(heartbeat("w-back", live));
      const second = await caller.call({ ...header, requestId: "r3" }, new TextEncoder().encode("{}"), { timeoutMs: 60_000, memoryMb: 128 });
      expect(new TextDecoder().decode(second.payload)).toBe('"from the socket"');
    } finally {
      caller.close();
      leader.unsubscribe();
      server.close();
    }
  });
});

// Raising Lambent's streams to the replicas asked for, on three clustered nats-servers; and refusing,
// with the reason, where NATS cannot hold that many copies (a single server).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { ensureEventStream } from "@lambent/event-queue";
import { startNatsServer } from "@lambent/local-cluster";
import { Buckets, Streams } from "@lambent/protocol";
import { eventually } from "@lambent/testkit";
import { startNatsCluster, type NatsCluster } from "../../../test/fixtures/nats-cluster.js";
import { raiseReplicas } from "./stream-replicas.js";

describe("stream replicas", () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;

  beforeAll(async () => {
    cluster = await startNatsCluster(3);
    nc = await connect({ servers: cluster.url.split(",") });
    // JetStream answers once the three servers have elected their meta leader.
    const jsm = await jetstreamManager(nc, { checkAPI: false });
    await eventually(async () => (await jsm.getAccountInfo().then(() => true, () => false)), { deadline: 60_000, message: "JetStream never became ready" });
  }, 90_000);

  afterAll(async () => {
    await nc?.close();
    await cluster?.stop();
  });

  it("raises streams and buckets made with one replica to three, and leaves them be after", async () => {
    await ensureEventStream(nc, { replicas: 1 });
    await new Kvm(nc).create(Buckets.functions, { history: 1, storage: "file", replicas: 1 });
    const jsm = await jetstreamManager(nc);
    expect(nc.info?.cluster).toBe("lambent-test");
    expect(await raiseReplicas(jsm, 3, nc.info?.cluster)).toEqual([Streams.events, Streams.keyValue(Buckets.functions)]);
    for (const name of [Streams.events, Streams.keyValue(Buckets.functions)]) {
      const info = await eventually(async () => {
        const current = await jsm.streams.info(name);
        return (current.cluster?.replicas ?? []).length === 2 && current;
      }, { deadline: 60_000, message: `${name} never had three replicas` });
      expect(info.config.num_replicas).toBe(3);
    }
    expect(await raiseReplicas(jsm, 3, nc.info?.cluster)).toEqual([]);
  }, 120_000);
});

describe("stream replicas on a single server", () => {
  it("refuses more than one replica, naming LAMBENT_JETSTREAM_REPLICAS, where NATS would keep one copy", async () => {
    const directory = await mkdtemp(join(tmpdir(), "lambent-replicas-"));
    const server = await startNatsServer({ storeDir: directory });
    const nc = await connect({ servers: server.url });
    try {
      await ensureEventStream(nc, { replicas: 1 });
      expect(nc.info?.cluster).toBeUndefined();
      await expect(raiseReplicas(await jetstreamManager(nc), 3, nc.info?.cluster)).rejects.toThrow(
        "LAMBENT_JETSTREAM_REPLICAS asks for 3 copies of every stream, but the NATS server is not part of a cluster: it would keep one",
      );
      expect(await raiseReplicas(await jetstreamManager(nc), 1, nc.info?.cluster)).toEqual([]);
    } finally {
      await nc.close();
      await server.stop();
      await rm(directory, { recursive: true, force: true });
    }
  });
});

// A Lambent cluster on three clustered nats-servers with every stream and bucket on three replicas: a
// NATS server killed and started again while the services keep running. Sync calls and deploys carry on
// through the other two servers (clients reconnect, JetStream elects new leaders), and the restarted
// server catches up. Each outcome is awaited, not timed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { eventually, lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { startNatsCluster, type NatsCluster } from "../fixtures/nats-cluster.js";

let nats: NatsCluster;
let cluster: TestCluster;
let lambda: LambdaClient;
let observer: NatsConnection;

/** Answers with the id it was given: which call ran. */
const counter = zipFiles({ "index.js": "exports.handler = async (event) => ({ id: event.id ?? null, at: Date.now() });" });

beforeAll(async () => {
  nats = await startNatsCluster(3);
  observer = await connect({ servers: nats.url.split(","), maxReconnectAttempts: -1 });
  const jsm = await jetstreamManager(observer, { checkAPI: false });
  await eventually(async () => jsm.getAccountInfo().then(() => true, () => false), { deadline: 60_000, message: "JetStream never became ready" });
  cluster = await startTestCluster({ natsUrl: nats.url, env: { LAMBENT_JETSTREAM_REPLICAS: "3" } });
  lambda = new LambdaClient({ ...lambdaClientConfig(cluster.httpUrl), maxAttempts: 3 });
}, 240_000);

afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
  await observer?.close();
  await nats?.stop();
});

async function answered(name: string, payload: unknown): Promise<unknown> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(payload) }));
  if (out.FunctionError) throw new Error(`function failed: ${Buffer.from(out.Payload!).toString()}`);
  return JSON.parse(Buffer.from(out.Payload!).toString());
}

describe("a NATS server lost and back, under a three-node NATS", () => {
  it("keeps serving calls and deploys through the other two, and the lost server rejoins", async () => {
    await createTestFunction(lambda, "failover-before", counter);
    expect(await answered("failover-before", { id: "before" })).toMatchObject({ id: "before" });
    const jsm = await jetstreamManager(observer, { checkAPI: false });
    // Every Lambent stream is on three servers.
    for await (const stream of jsm.streams.list()) expect(stream.config.num_replicas).toBe(3);

    await nats.servers[0]!.kill();
    // Calls go on once clients have moved to the other servers and JetStream has re-elected: retried
    // until they do, then every later call must succeed.
    await eventually(async () => answered("failover-before", { id: "during" }).then(() => true, () => false), { deadline: 120_000, message: "calls never resumed after the server was lost" });
    for (let call = 0; call < 20; call++) expect(await answered("failover-before", { id: `after-${call}` })).toMatchObject({ id: `after-${call}` });
    // A deploy writes the replicated KV bucket and object store with one server gone.
    await eventually(async () => createTestFunction(lambda, "failover-during", counter).then(() => true, () => false), { deadline: 120_000, message: "deploys never resumed" });
    expect(await answered("failover-during", { id: "new" })).toMatchObject({ id: "new" });

    await nats.restart(0);
    // The restarted server catches up: every stream has three current replicas again.
    await eventually(
      async () => {
        for await (const stream of jsm.streams.list()) {
          const peers = stream.cluster?.replicas ?? [];
          if (peers.length !== 2 || peers.some((peer) => !peer.current || peer.offline)) return false;
        }
        return true;
      },
      { deadline: 180_000, message: "the restarted server never caught up" },
    );
    expect(await answered("failover-during", { id: "rejoined" })).toMatchObject({ id: "rejoined" });
  });
});

// The functions bucket on a nats-server of the test's own (a temp dir, stopped afterwards), for registry
// tests that need real KV: `const bucket = useFunctionsBucket("my-test")`, then `bucket.kv` inside tests.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { KV } from "@nats-io/kv";
import { startNatsServer, type RunningNatsServer } from "@lambent/local-cluster";
import { openRegistryBuckets } from "../open.js";

export interface FunctionsBucket {
  readonly kv: KV;
  readonly nc: NatsConnection;
}

/** Starts the server before the suite's tests and stops it after them. */
export function useFunctionsBucket(name: string): FunctionsBucket {
  let server: RunningNatsServer | undefined;
  let dir: string | undefined;
  let nc: NatsConnection | undefined;
  let kv: KV | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `${name}-`));
    server = await startNatsServer({ storeDir: dir });
    nc = await connect({ servers: server.url });
    kv = (await openRegistryBuckets(nc)).functions;
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return {
    get kv() {
      if (!kv) throw new Error("the functions bucket is opened before the suite's tests run");
      return kv;
    },
    get nc() {
      if (!nc) throw new Error("the connection is opened before the suite's tests run");
      return nc;
    },
  };
}

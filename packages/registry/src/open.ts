// Opens (creating when missing) the buckets every service shares.
import type { NatsConnection } from "@nats-io/nats-core";
import { Kvm, type KV } from "@nats-io/kv";
import { Objm, type ObjectStore } from "@nats-io/obj";
import { Buckets } from "@lambent/protocol";

export interface RegistryBuckets {
  functions: KV;
  code: ObjectStore;
}

/** Replicas apply when a bucket is first created; an existing bucket keeps its own. */
export async function openRegistryBuckets(nc: NatsConnection, replicas = 1): Promise<RegistryBuckets> {
  const [functions, code] = await Promise.all([
    new Kvm(nc).create(Buckets.functions, { history: 1, storage: "file", replicas }),
    new Objm(nc).create(Buckets.code, { storage: "file", replicas }),
  ]);
  return { functions, code };
}

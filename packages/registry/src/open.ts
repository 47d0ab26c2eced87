// Opens (creating when missing) the buckets every service shares.
import type { NatsConnection } from "@nats-io/nats-core";
import { Kvm, type KV } from "@nats-io/kv";
import { Objm, type ObjectStore } from "@nats-io/obj";
import { Buckets } from "@lambent/protocol";

export interface RegistryBuckets {
  functions: KV;
  code: ObjectStore;
}

export async function openRegistryBuckets(nc: NatsConnection): Promise<RegistryBuckets> {
  const [functions, code] = await Promise.all([
    new Kvm(nc).create(Buckets.functions, { history: 1, storage: "file" }),
    new Objm(nc).create(Buckets.code, { storage: "file" }),
  ]);
  return { functions, code };
}

// Lambent's streams, KV buckets and object store at the replica count the operator asks for
// (LAMBENT_JETSTREAM_REPLICAS). Creating a stream sets its replicas; one made earlier with fewer (a
// cluster grown from one NATS server to three) is raised here, by each scheduler as it starts, and a
// raise JetStream refuses stops the scheduler with the reason, rather than leaving state on fewer
// copies than the operator believes. A stream with more replicas than asked keeps them.
import type { JetStreamManager } from "@nats-io/jetstream";
import { Buckets, Streams } from "@lambent/protocol";

/** Every stream Lambent creates: its queues and logs, and the streams behind its buckets. */
export const LAMBENT_STREAMS: readonly string[] = [
  Streams.events,
  Streams.logs,
  Streams.workflowHistory,
  Streams.keyValue(Buckets.functions),
  Streams.keyValue(Buckets.workflows),
  Streams.keyValue(Buckets.cluster),
  Streams.objectStore(Buckets.code),
];

export class ReplicaUpgradeError extends Error {
  override readonly name = "ReplicaUpgradeError";
}

/**
 * Raises each existing Lambent stream to `replicas`; answers the streams it raised. `cluster` is the
 * connected NATS server's cluster name (its INFO): a server that is not clustered keeps one copy of
 * everything whatever a stream asks, so more than one replica there is refused outright.
 */
export async function raiseReplicas(jsm: JetStreamManager, replicas: number, cluster: string | undefined): Promise<string[]> {
  if (replicas > 1 && cluster === undefined) {
    throw new ReplicaUpgradeError(`LAMBENT_JETSTREAM_REPLICAS asks for ${replicas} copies of every stream, but the NATS server is not part of a cluster: it would keep one`);
  }
  const raised: string[] = [];
  for (const name of LAMBENT_STREAMS) {
    let info;
    try {
      info = await jsm.streams.info(name);
    } catch {
      continue; // Not made yet: it is created with the replicas asked for.
    }
    if (info.config.num_replicas >= replicas) continue;
    const refused = (why: string): ReplicaUpgradeError =>
      new ReplicaUpgradeError(`stream ${name} has ${info.config.num_replicas} replica(s) and LAMBENT_JETSTREAM_REPLICAS asks for ${replicas}, but NATS refused to raise it: ${why}`);
    try {
      await jsm.streams.update(name, { num_replicas: replicas });
    } catch (error) {
      throw refused(error instanceof Error ? error.message : String(error));
    }
    raised.push(name);
  }
  return raised;
}

// Lambent's GetCluster: what the operator needs to see of the cluster in one answer. The leading
// scheduler's table of workers (asked over NATS), the NATS server this frontend is on, and every
// JetStream stream with its replicas' health (queues, logs, and the KV buckets and object stores that
// hold Lambent's state).
import type { NatsConnection } from "@nats-io/nats-core";
import type { JetStreamManager } from "@nats-io/jetstream";
import type { ClusterDescription, ClusterStream } from "@lambent/lambda-api";
import { Subjects, decodeJson, encodeJson, type ClusterStatus } from "@lambent/protocol";

export class ClusterOperations {
  constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
  ) {}

  async describe(): Promise<ClusterDescription> {
    const [status, streams] = await Promise.all([this.leaderStatus(), this.streams()]);
    const info = this.nc.info;
    return {
      Leader: status ? { SchedulerId: status.schedulerId, Term: status.term, InFlight: status.inFlight } : null,
      Workers: (status?.workerList ?? []).map((worker) => ({
        WorkerId: worker.workerId,
        Node: worker.node ?? null,
        MemoryMb: worker.memoryMb,
        MaxEnvironments: worker.maxEnvironments,
        Environments: worker.environments,
        Busy: worker.busy,
        BusyMemoryMb: worker.busyMemoryMb,
        Provisioned: worker.provisioned,
        Draining: worker.draining,
        HeardMsAgo: worker.heardMsAgo,
      })),
      Nats: {
        ServerName: info?.server_name ?? "",
        Version: info?.version ?? "",
        Cluster: info?.cluster ?? null,
        ConnectUrls: info?.connect_urls ?? [],
      },
      Streams: streams,
    };
  }

  /** Undefined when no scheduler leads (or none answered in time). */
  private async leaderStatus(): Promise<ClusterStatus | undefined> {
    try {
      const reply = await this.nc.request(Subjects.schedulerStatus, encodeJson({ detail: true }), { timeout: 2000 });
      return decodeJson(reply.data) as ClusterStatus;
    } catch {
      return undefined;
    }
  }

  private async streams(): Promise<ClusterStream[]> {
    const found: ClusterStream[] = [];
    for await (const stream of this.jsm.streams.list()) {
      found.push({
        Name: stream.config.name,
        Replicas: stream.config.num_replicas,
        Messages: stream.state.messages,
        Bytes: stream.state.bytes,
        Leader: stream.cluster?.leader ?? null,
        Peers: (stream.cluster?.replicas ?? []).map((peer) => ({ Name: peer.name, Current: peer.current, Offline: peer.offline, Lag: peer.lag })),
      });
    }
    return found.sort((a, b) => a.Name.localeCompare(b.Name));
  }
}

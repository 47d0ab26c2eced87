// Lambent's GetCluster: the operator's view of the cluster.

export interface ClusterWorker {
  WorkerId: string;
  Node: string | null;
  MemoryMb: number;
  MaxEnvironments: number;
  Environments: number;
  Busy: number;
  BusyMemoryMb: number;
  Provisioned: number;
  Draining: boolean;
  /** Milliseconds since the leader last heard from it. */
  HeardMsAgo: number;
}

export interface ClusterStream {
  Name: string;
  Replicas: number;
  Messages: number;
  Bytes: number;
  /** The server leading the stream's replicas, on a clustered NATS. */
  Leader: string | null;
  /** The other replicas and whether each is current. */
  Peers: { Name: string; Current: boolean; Offline: boolean; Lag: number }[];
}

export interface ClusterDescription {
  /** The leading scheduler, or null when none answered. */
  Leader: { SchedulerId: string; Term: number; InFlight: number } | null;
  Workers: ClusterWorker[];
  /** The NATS server this frontend is connected to, and the cluster it belongs to. */
  Nats: { ServerName: string; Version: string; Cluster: string | null; ConnectUrls: string[] };
  /** Every JetStream stream (queues, logs, and the KV buckets and object stores behind Lambent's state). */
  Streams: ClusterStream[];
}

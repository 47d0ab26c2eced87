// A whole cluster on one machine: nats-server (unless one is given), schedulers, workers, frontends.
import { join } from "node:path";
import { startNatsServer, type RunningNatsServer } from "./nats-server.js";
import { startService, type RunningService, type ServiceName } from "./service-process.js";

export interface LocalClusterOptions {
  /** Use this NATS instead of starting one. */
  natsUrl?: string;
  /** Where the started nats-server stores JetStream data (under `nats/`). */
  dataDir: string;
  natsPort?: number;
  frontends?: number;
  schedulers?: number;
  workers?: number;
  /** Ports of the first frontend; later ones (and 0) take free ports. */
  httpPort?: number;
  grpcPort?: number;
  /** Extra environment for every service. */
  env?: Record<string, string>;
  /** Extra Node.js flags for every service process (e.g. `--cpu-prof`). */
  nodeFlags?: string[];
  onLog?: (service: string, line: string) => void;
}

export interface LocalCluster {
  natsUrl: string;
  nats: RunningNatsServer | undefined;
  frontends: RunningService[];
  schedulers: RunningService[];
  workers: RunningService[];
  /** HTTP base URL and gRPC address of each frontend. */
  endpoints: { httpUrl: string; grpcAddress: string }[];
  /** Starts one more service of a kind, e.g. to replace one that was killed. */
  add(name: ServiceName, env?: Record<string, string>): Promise<RunningService>;
  stop(): Promise<void>;
}

export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const nats = options.natsUrl
    ? undefined
    : await startNatsServer({
        storeDir: join(options.dataDir, "nats"),
        ...(options.natsPort !== undefined ? { port: options.natsPort } : {}),
        ...(options.onLog ? { onLog: (line: string) => options.onLog!("nats", line) } : {}),
      });
  const natsUrl = options.natsUrl ?? nats!.url;
  const counters: Record<ServiceName, number> = { frontend: 0, scheduler: 0, worker: 0 };
  const cluster: LocalCluster = {
    natsUrl,
    nats,
    frontends: [],
    schedulers: [],
    workers: [],
    endpoints: [],
    add: async (name, env = {}) => {
      const index = counters[name]++;
      const serviceEnv: Record<string, string> = { NATS_URL: natsUrl, ...options.env, ...env };
      if (name === "frontend") {
        serviceEnv["LAMBENT_HTTP_PORT"] ??= String(index === 0 ? (options.httpPort ?? 0) : 0);
        serviceEnv["LAMBENT_GRPC_PORT"] ??= String(index === 0 ? (options.grpcPort ?? 0) : 0);
      }
      const service = await startService({
        name,
        env: serviceEnv,
        ...(options.nodeFlags ? { nodeFlags: options.nodeFlags } : {}),
        ...(options.onLog ? { onLog: (line: string) => options.onLog!(`${name}-${index}`, line) } : {}),
      });
      ({ frontend: cluster.frontends, scheduler: cluster.schedulers, worker: cluster.workers })[name].push(service);
      if (name === "frontend") {
        cluster.endpoints.push({
          httpUrl: `http://127.0.0.1:${String(service.ready["httpPort"])}`,
          grpcAddress: `127.0.0.1:${String(service.ready["grpcPort"])}`,
        });
      }
      return service;
    },
    stop: async () => {
      // Front to back, so no request arrives at a service that has already gone.
      for (const group of [cluster.frontends, cluster.schedulers, cluster.workers]) {
        await Promise.all(group.map((service) => service.stop()));
      }
      await nats?.stop();
    },
  };
  try {
    for (let i = 0; i < (options.schedulers ?? 1); i++) await cluster.add("scheduler");
    await Promise.all(Array.from({ length: options.workers ?? 1 }, () => cluster.add("worker")));
    for (let i = 0; i < (options.frontends ?? 1); i++) await cluster.add("frontend");
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

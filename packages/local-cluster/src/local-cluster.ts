// A whole cluster on one machine: nats-server (unless one is given), schedulers, workers, frontends. With
// `restart` on (as `npm start` runs it), a process that dies is started again with back-off (supervisor.ts);
// tests leave it off, so a service they kill stays dead.
import { join } from "node:path";
import { createNatsCredentials, natsAuthorizationBlock, natsCredentialEnv, type NatsCredentials } from "@lambent/nats-auth";
import { startNatsServer, type RunningNatsServer } from "./nats-server.js";
import { startService, type RunningService, type ServiceName } from "./service-process.js";
import { DEFAULT_RESTART_POLICY, Supervisor, type Launched, type RestartPolicy, type SupervisionEvent } from "./supervisor.js";

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
  /** A command every service runs under (see `ServiceOptions.launcher`), e.g. to run in a network namespace. */
  launcher?: string[];
  onLog?: (service: string, line: string) => void;
  /**
   * Start a process that dies (a service, or the nats-server started here) again, after a back-off; `true`
   * takes DEFAULT_RESTART_POLICY. Off by default. A process that dies while the cluster starts fails the start.
   */
  restart?: boolean | Partial<RestartPolicy>;
  /** Each end and restart of a supervised process, named like `onLog`'s services ("worker-0", "nats"). */
  onSupervision?: (service: string, event: SupervisionEvent) => void;
  /**
   * Each process in a process group of its own, out of reach of a terminal's Ctrl-C: the caller stops the
   * cluster on its signals, front to back with nats-server last, so every service drains while NATS is
   * still there.
   */
  detached?: boolean;
  /** Aborting it while the cluster starts stops whatever has started, and the start rejects. */
  signal?: AbortSignal;
  /**
   * Run the started nats-server with authorization: each service connects with its own NKey and
   * permissions (@lambent/nats-auth), and a client without one is refused; an operator credential (every
   * permission) is issued for the caller's own clients. Ignored with `natsUrl`: the services then use the
   * credentials `env` gives them.
   */
  natsAuth?: boolean;
}

/** Worker nodes the generated server config has credentials for (`worker-0`…): `add("worker")` takes the next. */
export const AUTHENTICATED_WORKER_IDS = 16;

export interface LocalCluster {
  natsUrl: string;
  /** The services' NATS credentials when the started nats-server requires them (`natsAuth`). */
  natsCredentials: NatsCredentials | undefined;
  nats: RunningNatsServer | undefined;
  frontends: RunningService[];
  schedulers: RunningService[];
  workers: RunningService[];
  /** HTTP base URL and gRPC address of each frontend. */
  endpoints: { httpUrl: string; grpcAddress: string }[];
  /** Starts one more service of a kind, e.g. to replace one that was killed. */
  add(name: ServiceName, env?: Record<string, string>): Promise<RunningService>;
  /** Stops every process, front to back; nothing is restarted from the moment it is called. */
  stop(): Promise<void>;
}

export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const policy = restartPolicy(options.restart);
  const supervisors: Supervisor<Launched>[] = [];
  /** Starts a process once, or, with restarts on, under a supervisor that the cluster halts when it stops. */
  const launch = async <T extends Launched>(label: string, start: (signal?: AbortSignal) => Promise<T>): Promise<Supervisor<T> | T> => {
    options.signal?.throwIfAborted();
    const first = await start(options.signal);
    if (!policy) return first;
    const supervisor = new Supervisor(first, start, policy, (event) => options.onSupervision?.(label, event));
    supervisors.push(supervisor);
    return supervisor;
  };

  let nats: RunningNatsServer | undefined;
  const natsCredentials =
    options.natsAuth && !options.natsUrl ? createNatsCredentials(
          Array.from({ length: AUTHENTICATED_WORKER_IDS }, (_, i) => `worker-${i}`),
          { operator: true },
        ) : undefined;
  if (!options.natsUrl) {
    const storeDir = join(options.dataDir, "nats");
    let port = options.natsPort;
    const started = await launch("nats", (signal) =>
      startNatsServer({
        storeDir,
        ...(port !== undefined ? { port } : {}),
        ...(options.onLog ? { onLog: (line: string) => options.onLog!("nats", line) } : {}),
        ...(signal ? { signal } : {}),
        ...(options.detached ? { detached: true } : {}),
        ...(natsCredentials ? { extraConfig: natsAuthorizationBlock(natsCredentials) } : {}),
      }),
    );
    nats = started instanceof Supervisor ? supervisedNats(started) : started;
    // A restarted server listens where clients already look for it.
    port = nats.port;
  }
  const natsUrl = options.natsUrl ?? nats!.url;
  const counters: Record<ServiceName, number> = { frontend: 0, scheduler: 0, worker: 0 };
  const cluster: LocalCluster = {
    natsUrl,
    natsCredentials,
    nats,
    frontends: [],
    schedulers: [],
    workers: [],
    endpoints: [],
    add: async (name, env = {}) => {
      const index = counters[name]++;
      const label = `${name}-${index}`;
      const serviceEnv: Record<string, string> = { NATS_URL: natsUrl, ...options.env, ...env, ...credentialEnv(natsCredentials, name, index) };
      if (name === "frontend") {
        serviceEnv["LAMBENT_HTTP_PORT"] ??= String(index === 0 ? (options.httpPort ?? 0) : 0);
        serviceEnv["LAMBENT_GRPC_PORT"] ??= String(index === 0 ? (options.grpcPort ?? 0) : 0);
      }
      const started = await launch(label, (signal) =>
        startService({
          name,
          env: serviceEnv,
          ...(options.nodeFlags ? { nodeFlags: options.nodeFlags } : {}),
          ...(options.launcher ? { launcher: options.launcher } : {}),
          ...(options.onLog ? { onLog: (line: string) => options.onLog!(label, line) } : {}),
          ...(signal ? { signal } : {}),
          ...(options.detached ? { detached: true } : {}),
        }),
      );
      const service = started instanceof Supervisor ? supervisedService(started) : started;
      ({ frontend: cluster.frontends, scheduler: cluster.schedulers, worker: cluster.workers })[name].push(service);
      if (name === "frontend") {
        // A restarted frontend binds the ports this one bound, so its endpoint stays the same.
        serviceEnv["LAMBENT_HTTP_PORT"] = String(service.ready["httpPort"]);
        serviceEnv["LAMBENT_GRPC_PORT"] = String(service.ready["grpcPort"]);
        cluster.endpoints.push({
          httpUrl: `http://127.0.0.1:${String(service.ready["httpPort"])}`,
          grpcAddress: `127.0.0.1:${String(service.ready["grpcPort"])}`,
        });
      }
      return service;
    },
    stop: async () => {
      for (const supervisor of supervisors) supervisor.halt();
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

/** The credential a service started by the cluster connects with (none when the server needs none). */
function credentialEnv(credentials: NatsCredentials | undefined, name: ServiceName, index: number): Record<string, string> {
  if (!credentials) return {};
  if (name !== "worker") return natsCredentialEnv(credentials[name]);
  const worker = credentials.workers.get(`worker-${index}`);
  if (!worker) throw new Error(`the authenticated nats-server has credentials for ${AUTHENTICATED_WORKER_IDS} workers; worker ${index} has none`);
  return natsCredentialEnv(worker);
}

function restartPolicy(restart: LocalClusterOptions["restart"]): RestartPolicy | undefined {
  if (!restart) return undefined;
  return restart === true ? DEFAULT_RESTART_POLICY : { ...DEFAULT_RESTART_POLICY, ...restart };
}

/** A supervised service seen as one service: `process` and `ready` are the running process's. */
function supervisedService(supervisor: Supervisor<RunningService>): RunningService {
  return {
    name: supervisor.running.name,
    get process() {
      return supervisor.running.process;
    },
    get ready() {
      return supervisor.running.ready;
    },
    stop: () => supervisor.stop(),
    kill: () => supervisor.running.kill(),
  };
}

function supervisedNats(supervisor: Supervisor<RunningNatsServer>): RunningNatsServer {
  const { url, port } = supervisor.running;
  return {
    url,
    port,
    get process() {
      return supervisor.running.process;
    },
    stop: () => supervisor.stop(),
    kill: () => supervisor.running.kill(),
  };
}

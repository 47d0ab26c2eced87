// The worker service: takes invocations from its NATS subject, runs them in the warm pool, answers each
// caller directly, gives leases back to the scheduler, and reports capacity in heartbeats.
// `buildWorker` gets its NATS connection and registry from the caller, so tests run it in-process.
import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import type { WorkerConfig } from "@lambent/config";
import { Subjects, encodeJson, type LeaseRelease, type WorkerHeartbeat } from "@lambent/protocol";
import { ReleaseBatcher } from "./release-batcher.js";
import { TraceMaps } from "./trace-maps.js";
import { createLogger, type Logger } from "@lambent/telemetry";
import { CodeCache, DEFAULT_CODE_CACHE_BYTES, type BundleSource } from "./code-cache.js";
import { Invoker, type InvocationReply, type RevisionLookup } from "./invoke.js";
import { SandboxHost } from "./host/sandbox-host.js";
import { discardLogs, type InvocationLogSink } from "./log-buffer.js";
import type { Environment } from "./pool/environment.js";
import { WarmPool } from "./pool/warm-pool.js";

export interface WorkerDeps {
  nc: NatsConnection;
  /** Function configuration by revision (a started RegistryView). */
  registry: RevisionLookup;
  /** Built bundles and deployment packages by object name (a CodeStore). */
  bundles: BundleSource;
  logger?: Logger;
  /** Receives every invocation's log; dropped when absent. */
  logSink?: InvocationLogSink;
  /** Byte cap of the bundle text cache. */
  codeCacheBytes?: number;
  /**
   * How long a draining worker keeps taking calls after announcing it, so calls the schedulers
   * placed before they heard are still served. Defaults to one heartbeat interval.
   */
  drainGraceMs?: number;
}

export interface WorkerStatus extends WorkerHeartbeat {
  inFlight: number;
}

export interface Worker {
  /** Subscribes to the worker's invoke subject and starts heartbeats. */
  start(): Promise<void>;
  /** Drains: announces it, stops taking calls, finishes running ones, says goodbye. Leaves the connection open. */
  stop(): Promise<void>;
  status(): WorkerStatus;
  /** Runs one encoded invocation without NATS (benchmarks and tests). */
  handle(data: Uint8Array): Promise<InvocationReply>;
}

export function buildWorker(config: WorkerConfig, deps: WorkerDeps): Worker {
  const { nc } = deps;
  const logger = (deps.logger ?? createLogger({ service: "worker", level: config.logLevel })).child({ workerId: config.workerId });
  const pool = new WarmPool<Environment>({
    maxEnvironments: config.maxEnvironments,
    memoryMb: config.memoryMb,
    idleTimeoutMs: config.idleTimeoutMs,
    onDiscard: (environment, reason) => logger.debug("environment discarded", { key: environment.key, reason }),
  });
  const invoker = new Invoker({
    region: config.region,
    accountId: config.accountId,
    registry: deps.registry,
    code: new CodeCache(deps.bundles, new SandboxHost({ fetch: config.fetch, packages: deps.bundles }), deps.codeCacheBytes ?? DEFAULT_CODE_CACHE_BYTES),
    pool,
    logSink: deps.logSink ?? discardLogs,
    logger,
    traceMaps: new TraceMaps(deps.bundles),
  });

  let subscription: Subscription | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let draining = false;
  let inFlight = 0;
  let idleWaiters: (() => void)[] = [];

  const status = (): WorkerStatus => ({
    workerId: config.workerId,
    memoryMb: config.memoryMb,
    maxEnvironments: config.maxEnvironments,
    ...pool.stats(),
    draining,
    inFlight,
  });

  const publishHeartbeat = (): void => {
    const { inFlight: _running, ...beat } = status();
    nc.publish(Subjects.workerHeartbeat, encodeJson(beat satisfies WorkerHeartbeat));
  };

  const releases = new ReleaseBatcher(nc, config.workerId);

  const answer = (msg: Msg, reply: InvocationReply): void => {
    if (msg.reply) msg.respond(reply.result);
    if (reply.lease) {
      const release: LeaseRelease = { leaseId: reply.lease.leaseId };
      if (reply.idleEnvironment !== undefined) release.idleEnvironment = reply.idleEnvironment;
      releases.add(reply.lease.schedulerId, release);
    }
  };

  const settled = (): void => {
    inFlight--;
    if (inFlight === 0 && idleWaiters.length > 0) {
      for (const wake of idleWaiters) wake();
      idleWaiters = [];
    }
  };

  const onMessage = (msg: Msg): void => {
    inFlight++;
    invoker
      .handle(msg.data)
      .then((reply) => answer(msg, reply))
      .catch((error: unknown) => logger.error("could not answer an invocation", { err: error }))
      .finally(settled);
  };

  return {
    async start() {
      subscription = nc.subscribe(Subjects.workerInvoke(config.workerId), {
        callback: (error, msg) => {
          if (error) logger.error("invoke subscription failed", { err: error });
          else onMessage(msg);
        },
      });
      publishHeartbeat();
      heartbeat = setInterval(publishHeartbeat, config.heartbeatMs);
      heartbeat.unref();
      await nc.flush();
    },

    async stop() {
      if (draining) return;
      draining = true;
      publishHeartbeat();
      const grace = deps.drainGraceMs ?? config.heartbeatMs;
      if (grace > 0) await new Promise((resolve) => setTimeout(resolve, grace));
      await subscription?.drain();
      if (inFlight > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
      if (heartbeat) clearInterval(heartbeat);
      publishHeartbeat();
      // Releases first: the scheduler frees those slots before it hears the worker has gone.
      releases.flush();
      nc.publish(Subjects.workerGone, encodeJson({ workerId: config.workerId }));
      await nc.flush();
      pool.close();
    },

    status,
    handle: (data) => invoker.handle(data),
  };
}

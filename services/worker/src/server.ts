// The worker service: takes invocations from its NATS subject, runs them in the warm pool, answers each
// caller directly, gives leases back to the scheduler, keeps the provisioned environments the scheduler
// asks for, and reports capacity and running leases in heartbeats (at once when a new leader asks).
// `buildWorker` gets its NATS connection and registry from the caller, so tests run it in-process.
import { randomUUID } from "node:crypto";
import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import type { WorkerConfig } from "@lambent/config";
import type { RegistryView } from "@lambent/registry/functions";
import { Subjects, decodeJson, encodeJson, parseProvisionRequest, traceparentOf, type LeaseRelease, type WorkerHeartbeat } from "@lambent/protocol";
import { ReleaseBatcher } from "./release-batcher.js";
import { TraceMaps } from "./trace-maps.js";
import { createLogger, type Logger } from "@lambent/telemetry";
import { tracer } from "@lambent/telemetry";
import { CodeCache, DEFAULT_CODE_CACHE_BYTES, type BundleSource } from "./code-cache.js";
import { startEnvironment, type EnvironmentRuntime } from "./cold-start.js";
import { EntryModes } from "./pool/entry-modes.js";
import { Invoker, type InvocationReply, type RevisionLookup } from "./invoke.js";
import { SandboxHost } from "./host/sandbox-host.js";
import type { StorageMeter } from "./host/filesystem.js";
import { NatsFunctionCalls } from "./host/function-calls.js";
import { discardLogs, type InvocationLogSink } from "./log-buffer.js";
import type { Environment } from "./pool/environment.js";
import { WarmPool } from "./pool/warm-pool.js";
import { Provisioner } from "./provisioner.js";
import { RunningLeases } from "./running-leases.js";
import { MetricsRegistry } from "@lambent/telemetry";
import { WorkerMetrics } from "./metrics/worker-metrics.js";

export interface WorkerDeps {
  nc: NatsConnection;
  /** Function configuration by revision (a started RegistryView). */
  registry: RevisionLookup;
  /**
   * Where functions' calls of other functions (`lambent:functions`) resolve their targets: the same
   * started RegistryView. Without it those calls fail with ServiceException.
   */
  targets?: RegistryView;
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
  /** Where the worker's metrics go; a registry of its own when absent. */
  metrics?: MetricsRegistry;
  /** Who hears of inline entries and of catastrophic isolate errors (the sandbox process's watchdog). */
  environmentRuntime?: Partial<EnvironmentRuntime>;
  /** Hears how much functions hold in /tmp across the process (the sandbox process's memory wall). */
  storageMeter?: StorageMeter;
}

export interface WorkerStatus extends WorkerHeartbeat {
  inFlight: number;
}

export interface Worker {
  /** Subscribes to the worker's invoke, provision and report subjects and starts heartbeats. */
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
    onProvisionedLost: (key) => provisioner.replace(key),
  });
  const metrics = new WorkerMetrics(deps.metrics ?? new MetricsRegistry(), { nc, pool });
  const functions = deps.targets
    ? new NatsFunctionCalls({ nc, view: deps.targets, scope: { region: config.region, accountId: config.accountId }, metrics })
    : undefined;
  const code = new CodeCache(deps.bundles, new SandboxHost({ fetch: config.fetch, packages: deps.bundles, functions, storageMeter: deps.storageMeter }), deps.codeCacheBytes ?? DEFAULT_CODE_CACHE_BYTES);
  const running = new RunningLeases();
  const runtime: EnvironmentRuntime = { modes: new EntryModes(), ...deps.environmentRuntime };
  const invoker = new Invoker({
    runtime,
    region: config.region,
    accountId: config.accountId,
    registry: deps.registry,
    code,
    pool,
    logSink: deps.logSink ?? discardLogs,
    logger,
    traceMaps: new TraceMaps(deps.bundles),
    leases: running,
    metrics,
  });
  const provisioner: Provisioner<Environment> = new Provisioner({
    pool,
    registry: deps.registry,
    start: async (key, record) => {
      const environment = await startEnvironment(code, runtime, { key, record, region: config.region, requestId: randomUUID() });
      // No call owns this init, so its lines are not an invocation's log.
      const lines = environment.takeInitLines();
      if (lines.length > 0) logger.debug("provisioned environment initialised", { key, lines });
      return environment;
    },
    logger,
    onChange: () => publishHeartbeat(),
  });

  let invokeSubscription: Subscription | undefined;
  /** Provision and report requests: heard until the worker has gone, so a new leader learns of a draining worker's calls. */
  let controlSubscriptions: Subscription[] = [];
  let heartbeat: NodeJS.Timeout | undefined;
  let draining = false;
  let gone = false;
  let inFlight = 0;
  let idleWaiters: (() => void)[] = [];

  const status = (): WorkerStatus => ({
    workerId: config.workerId,
    memoryMb: config.memoryMb,
    maxEnvironments: config.maxEnvironments,
    ...pool.stats(),
    running: running.list(),
    draining,
    node: config.nodeId,
    inFlight,
  });

  function publishHeartbeat(): void {
    if (gone) return;
    const { inFlight: _inFlight, ...beat } = status();
    nc.publish(Subjects.workerHeartbeat, encodeJson(beat satisfies WorkerHeartbeat));
  }

  const releases = new ReleaseBatcher(nc, config.workerId);

  const answer = (msg: Msg, reply: InvocationReply): void => {
    const lease = reply.lease;
    if (lease) {
      // Out of the running list before the release is queued: no heartbeat shows a released call.
      running.finished(lease);
      const release: LeaseRelease = { term: lease.term, leaseId: lease.leaseId };
      if (reply.idleEnvironment !== undefined) release.idleEnvironment = reply.idleEnvironment;
      releases.add(release);
      // The last running call: the release goes out before the answer, so NATS delivers it to the
      // scheduler before any call the caller makes next, and that call finds this environment warm.
      // Under load releases still go once per event-loop turn.
      if (inFlight === 1) releases.flush();
    }
    if (msg.reply) msg.respond(reply.result);
  };

  const settled = (): void => {
    inFlight--;
    if (inFlight === 0 && idleWaiters.length > 0) {
      for (const wake of idleWaiters) wake();
      idleWaiters = [];
    }
  };

  const tracing = tracer();
  const onInvoke = (msg: Msg): void => {
    inFlight++;
    invoker
      .handle(msg.data, tracing.enabled ? traceparentOf(msg) : undefined)
      .then((reply) => answer(msg, reply))
      .catch((error: unknown) => logger.error("could not answer an invocation", { err: error }))
      .finally(settled);
  };

  const onProvision = (msg: Msg): void => {
    let request;
    try {
      request = parseProvisionRequest(decodeJson(msg.data));
    } catch (error) {
      logger.warn("malformed provision request", { err: error });
      return;
    }
    if (!request) {
      logger.warn("malformed provision request", { subject: msg.subject });
      return;
    }
    // Resolves once done (never rejects); a draining worker's provisioner takes no more requests.
    void provisioner.request(request);
  };

  const subscribe = (subject: string, onMsg: (msg: Msg) => void): Subscription =>
    nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error) logger.error("subscription failed", { subject, err: error });
        else onMsg(msg);
      },
    });

  return {
    async start() {
      invokeSubscription = subscribe(Subjects.workerInvoke(config.workerId), onInvoke);
      controlSubscriptions = [
        subscribe(Subjects.workerProvision(config.workerId), onProvision),
        subscribe(Subjects.workerReport, () => publishHeartbeat()),
      ];
      publishHeartbeat();
      heartbeat = setInterval(publishHeartbeat, config.heartbeatMs);
      heartbeat.unref();
      await nc.flush();
    },

    async stop() {
      if (draining) return;
      draining = true;
      publishHeartbeat();
      const stopProvisioning = provisioner.close();
      const grace = deps.drainGraceMs ?? config.heartbeatMs;
      if (grace > 0) await new Promise((resolve) => setTimeout(resolve, grace));
      await invokeSubscription?.drain();
      if (inFlight > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
      await stopProvisioning;
      if (heartbeat) clearInterval(heartbeat);
      publishHeartbeat();
      // Releases first: the scheduler frees those slots before it hears the worker has gone.
      releases.flush();
      nc.publish(Subjects.workerGone, encodeJson({ workerId: config.workerId }));
      gone = true;
      for (const subscription of controlSubscriptions) subscription.unsubscribe();
      await nc.flush();
      functions?.close();
      pool.close();
    },

    status,
    handle: async (data) => {
      const reply = await invoker.handle(data);
      if (reply.lease) running.finished(reply.lease);
      return reply;
    },
  };
}

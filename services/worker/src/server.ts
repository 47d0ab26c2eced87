// The worker service: takes invocations from its NATS subject, runs them in the warm pool, answers each
// caller directly, gives leases back to the scheduler, keeps the provisioned environments the scheduler
// asks for, and reports capacity and running leases in heartbeats (at once when a new leader asks); the
// leader's acknowledgements of those heartbeats are its lease on its kept slots (scheduler-lease.ts).
// `buildWorker` gets its NATS connection and registry from the caller, so tests run it in-process.
import { NatsResponseSink } from "./response-sink.js";
import { randomUUID } from "node:crypto";
import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import type { WorkerConfig } from "@lambent/config";
import type { RegistryView } from "@lambent/registry/functions";
import {
  Subjects,
  decodeJson,
  encodeJson,
  parseHeartbeatAck,
  parseJson,
  parseProvisionRequest,
  parseSlotRecall,
  traceparentOf,
  type SlotRecall,
  type SlotRecallAnswer,
  type WorkerHeartbeat,
} from "@lambent/protocol";
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
import { NatsFunctionApiCalls } from "./host/function-api-calls.js";
import { discardLogs, type InvocationLogSink } from "./log-buffer.js";
import type { Environment } from "./pool/environment.js";
import { WarmPool } from "./pool/warm-pool.js";
import { PythonSpares } from "./python/python-spares.js";
import { FunctionSnapshots, SNAPSHOT_BUDGET_BYTES } from "./python/function-snapshots.js";
import { Provisioner } from "./provisioner.js";
import { RunningLeases } from "./running-leases.js";
import { CallIntake } from "./call-intake.js";
import { KeptSlots, type KeptSlot } from "./kept-slots.js";
import { SchedulerLease } from "./scheduler-lease.js";
import { LocalCalls, localSocketPath } from "./local-calls.js";
import { MetricsRegistry } from "@lambent/telemetry";
import { WorkerMetrics } from "./metrics/worker-metrics.js";
import { PlatformVariables, type RoleCredentialsLookup } from "./platform-variables.js";

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
  /** Execution roles' credentials (a started RoleCredentialsView); without it functions get none. */
  roleCredentials?: RoleCredentialsLookup;
  /** Execution roles' policies (a started RolePoliciesView); without it a function may call any other. */
  rolePolicies?: { get(roleArn: string): { policy: unknown } | undefined };
}

/** How often kept slots are checked for having gone unused too long. */
const KEPT_SLOT_SWEEP_MS = 500;

export interface WorkerStatus extends WorkerHeartbeat {
  inFlight: number;
}

export interface Worker {
  /** Subscribes to the worker's invoke, provision and report subjects and starts heartbeats. */
  start(): Promise<void>;
  /** Drains: announces it, stops taking calls, finishes running ones, says goodbye. Leaves the connection open. */
  stop(): Promise<void>;
  /**
   * Stops taking calls at once and says so, without waiting for anything: the process is about to end
   * (a fatal error in one of its isolates), and its supervisor will announce it gone.
   */
  abandon(): void;
  status(): WorkerStatus;
  /** Runs one encoded invocation without NATS (benchmarks and tests). */
  handle(data: Uint8Array): Promise<InvocationReply>;
}

export function buildWorker(config: WorkerConfig, deps: WorkerDeps): Worker {
  const { nc } = deps;
  const logger = (deps.logger ?? createLogger({ service: "worker", level: config.logLevel })).child({ workerId: config.workerId });
  // One Python interpreter started ahead of cold starts, once a Python function has started here, when the memory has room.
  const pythonSpares: PythonSpares = new PythonSpares({ roomFor: (memoryMb: number): boolean => config.pythonSpares > 0 && pool.hasRoomFor(memoryMb) });
  // Python functions whose import is slow cold-start again from a snapshot of their own, a few per process.
  const pythonSnapshots = new FunctionSnapshots({ maxSnapshots: config.pythonFunctionSnapshots, maxBytes: config.pythonFunctionSnapshots * SNAPSHOT_BUDGET_BYTES });
  const pool = new WarmPool<Environment>({
    maxEnvironments: config.maxEnvironments,
    memoryMb: config.memoryMb,
    spareMemory: pythonSpares,
    idleTimeoutMs: config.idleTimeoutMs,
    onDiscard: (environment, reason) => logger.debug("environment discarded", { key: environment.key, reason }),
    onProvisionedLost: (key) => provisioner.replace(key),
  });
  const metrics = new WorkerMetrics(deps.metrics ?? new MetricsRegistry(), { nc, pool });
  const functions = deps.targets
    ? new NatsFunctionCalls({
        nc,
        nodeId: config.nodeId,
        workerTimeoutMs: config.workerTimeoutMs,
        view: deps.targets,
        scope: { region: config.region, accountId: config.accountId },
        metrics,
        rolePolicies: deps.rolePolicies,
      })
    : undefined;
  const functionApi = deps.targets ? new NatsFunctionApiCalls(nc) : undefined;
  const code = new CodeCache(deps.bundles, new SandboxHost({ fetch: config.fetch, packages: deps.bundles, functions, functionApi, storageMeter: deps.storageMeter }), deps.codeCacheBytes ?? DEFAULT_CODE_CACHE_BYTES);
  const running = new RunningLeases();
  const runtime: EnvironmentRuntime = {
    modes: new EntryModes(),
    platform: new PlatformVariables(config.awsEndpoints, deps.roleCredentials),
    pythonSpares,
    pythonSnapshots,
    ...deps.environmentRuntime,
  };
  const lease = new SchedulerLease(config.workerTimeoutMs / 2);
  const invoker = new Invoker({
    workerId: config.workerId,
    placement: lease,
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
    responseSink: (subject) => new NatsResponseSink(nc, subject),
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
  let lingerSweep: NodeJS.Timeout | undefined;
  let draining = false;
  let gone = false;

  const releases = new ReleaseBatcher(nc, config.workerId);
  const kept = new KeptSlots();
  // Half the worker timeout: the leader frees a silent worker's slots only after the whole of it.
  let leaseHeld = false;
  const intake = new CallIntake({ workerId: config.workerId, invoker, running, kept, lease, releases, logger });
  metrics.trackConcurrency(() => intake.runningPerFunction());
  const local = config.runDir ? new LocalCalls(localSocketPath(config.runDir, config.workerId), intake, logger, config.workerId) : undefined;

  const status = (): WorkerStatus => {
    // A kept slot's first call is also a running lease until it ends: reported once.
    const keptSlots = kept.list();
    const keptKeys = new Set(keptSlots.map((slot) => `${slot.term}.${slot.leaseId}`));
    return {
      workerId: config.workerId,
      memoryMb: config.memoryMb,
      maxEnvironments: config.maxEnvironments,
      ...pool.stats(),
      running: [...running.list().filter((lease) => !keptKeys.has(`${lease.term}.${lease.leaseId}`)), ...keptSlots],
      draining,
      node: config.nodeId,
      ...(local ? { socket: local.path } : {}),
      inFlight: intake.running,
    };
  };

  function publishHeartbeat(): void {
    if (gone) return;
    const { inFlight: _inFlight, ...beat } = status();
    nc.publish(Subjects.workerHeartbeat, encodeJson({ ...beat, sentAt: lease.sendTime() } satisfies WorkerHeartbeat));
  }

  const onLeaseAck = (msg: Msg): void => {
    const ack = parseHeartbeatAck(parseJson(msg.data));
    if (ack && !lease.acknowledged(ack)) logger.debug("heartbeat acknowledged by an earlier term's leader: ignored", { term: ack.term, highestTerm: lease.term });
  };

  const onReportRequest = (msg: Msg): void => {
    const request = parseJson(msg.data);
    if (typeof request === "object" && request !== null && "term" in request && typeof request.term === "number") lease.heardOfTerm(request.term);
    publishHeartbeat();
  };

  /** Gives back kept slots gone unused, or every one once the lease has lapsed; says when the lease lapses or returns. */
  const sweepKeptSlots = (): void => {
    const held = lease.held();
    if (held !== leaseHeld) {
      leaseHeld = held;
      if (held) logger.info("a leader acknowledges heartbeats: calls sent straight here run in kept slots", { term: lease.term });
      else logger.warn("no leader acknowledged a heartbeat within half the worker timeout: calls sent straight here are declined", { keptSlots: kept.size });
    }
    intake.giveBackLingering();
  };

  const tracing = tracer();
  const onInvoke = (msg: Msg): void => {
    intake.take(msg.data, tracing.enabled ? traceparentOf(msg) : undefined, msg.reply ? (result) => msg.respond(result) : undefined);
  };

  const onRecall = (msg: Msg): void => {
    let recall: SlotRecall | undefined;
    try {
      recall = parseSlotRecall(decodeJson(msg.data));
    } catch {
      recall = undefined;
    }
    const functionName = recall?.functionName;
    const chosen = (slot: KeptSlot): boolean => functionName === undefined || slot.functionName === functionName;
    const released = intake.giveBack(chosen);
    if (recall?.inUseToo) intake.giveBackWhenDone(chosen);
    // The releases went out first: the scheduler has them when it reads this answer.
    if (msg.reply) msg.respond(encodeJson({ released } satisfies SlotRecallAnswer));
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
      await local?.listen();
      invokeSubscription = subscribe(Subjects.workerInvoke(config.workerId), onInvoke);
      controlSubscriptions = [
        subscribe(Subjects.workerProvision(config.workerId), onProvision),
        subscribe(Subjects.workerRecall(config.workerId), onRecall),
        subscribe(Subjects.workerReport, onReportRequest),
        subscribe(Subjects.workerLease(config.workerId), onLeaseAck),
      ];
      publishHeartbeat();
      heartbeat = setInterval(publishHeartbeat, config.heartbeatMs);
      heartbeat.unref();
      lingerSweep = setInterval(sweepKeptSlots, KEPT_SLOT_SWEEP_MS);
      lingerSweep.unref();
      await nc.flush();
    },

    async stop() {
      if (draining) return;
      draining = true;
      intake.drain();
      publishHeartbeat();
      const stopProvisioning = provisioner.close();
      const grace = deps.drainGraceMs ?? config.heartbeatMs;
      if (grace > 0) await new Promise((resolve) => setTimeout(resolve, grace));
      await invokeSubscription?.drain();
      await intake.idle();
      await local?.close();
      await stopProvisioning;
      if (heartbeat) clearInterval(heartbeat);
      if (lingerSweep) clearInterval(lingerSweep);
      intake.giveBack(() => true);
      publishHeartbeat();
      // Releases first: the scheduler frees those slots before it hears the worker has gone.
      releases.flush();
      nc.publish(Subjects.workerGone, encodeJson({ workerId: config.workerId }));
      gone = true;
      for (const subscription of controlSubscriptions) subscription.unsubscribe();
      await nc.flush();
      functions?.close();
      functionApi?.close();
      pythonSpares.close();
      pythonSnapshots.close();
      pool.close();
    },

    abandon() {
      draining = true;
      intake.drain();
      invokeSubscription?.unsubscribe();
      publishHeartbeat();
      void nc.flush().catch(() => undefined);
    },

    status,
    handle: async (data) => {
      const reply = await invoker.handle(data);
      if (reply.lease) running.finished(reply.lease);
      return reply;
    },
  };
}

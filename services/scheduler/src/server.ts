// Builds the scheduler from its configuration and a NATS connection, and starts and stops it; tests run it
// in-process. One leader at a time admits calls within the concurrency limits and places each on a worker
// (placement/); the worker answers the caller and releases the slot here. The leader also runs queued
// events (async-queue/) and event-source batches (event-sources/) through the same dispatcher and fires
// triggers into the event stream (triggers/; every scheduler serves topic triggers). Every scheduler
// follows workers' heartbeats, so a standby can take over without losing count of running calls
// (leadership/); the leader acknowledges each, which is the worker's lease on its kept slots. This file only wires those parts together and subscribes them to their subjects.
import type { Msg, NatsConnection, Subscription } from "@nats-io/nats-core";
import { Kvm } from "@nats-io/kv";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { SchedulerConfig } from "@lambent/config";
import { Buckets, QueueGroups, RequestReply, Subjects, encodeJson, type ClusterStatus, type HeartbeatAck, type SlotRecall, type WorkerSummary } from "@lambent/protocol";
import { EnvironmentCipher, RegistryView, functionArn, openRegistryBuckets } from "@lambent/registry/functions";
import { ensureEventStream, readQueueStats } from "@lambent/event-queue";
import { MetricsRecorder, ensureMetricsStream } from "@lambent/log-stream";
import { MetricsRegistry, type Logger } from "@lambent/telemetry";
import { MeteredConcurrencyAccounting } from "./metrics/metered-concurrency.js";
import { MeteredEventCounterBook } from "./metrics/metered-event-counters.js";
import { SchedulerMetrics } from "./metrics/scheduler-metrics.js";
import { registerEventSourceMetrics } from "./metrics/event-source-metrics.js";
import { Leadership } from "./leadership/leadership.js";
import { LeaderRecovery, type SchedulerRole } from "./leadership/recovery.js";
import { Containment } from "./admission/containment.js";
import { Dispatcher } from "./placement/dispatcher.js";
import { LeaseKeeper } from "./placement/lease-keeper.js";
import { Provisioning } from "./placement/provisioning.js";
import { WorkerTable } from "./placement/worker-table.js";
import { TurnPublisher } from "./placement/turn-publisher.js";
import { raiseReplicas } from "./stream-replicas.js";
import type { InvocationRunner } from "./invocation/run-invocation.js";
import { LoopStops } from "./invocation/loop-stops.js";
import { destinationSender } from "./async-queue/destinations.js";
import { EventRunner } from "./async-queue/event-runner.js";
import { readEventSettings } from "./async-queue/event-settings.js";
import { MappingSupervisor } from "./event-sources/mapping-supervisor.js";
import { BatchInvoker } from "./event-sources/batch-invoker.js";
import { Triggers } from "./triggers/triggers.js";
import { LeaderTasks } from "./leader-task.js";
import { buildDeploymentRunner } from "./deployments/build.js";
import { WorkflowStore, ensureHistoryStream, openWorkflowBucket } from "@lambent/workflow-store";
import { LambdaTaskCalls } from "./workflows/task-calls.js";
import { S3ItemSource } from "./workflows/item-source.js";
import { WorkflowRunner } from "./workflows/workflow-runner.js";
import { WorkflowMetrics } from "./workflows/workflow-observer.js";
import { parseHeartbeat, parseJson, parseLeaseReleases, parseWorkerGone } from "@lambent/protocol";

/** How often workers' silence, overdue leases and provisioned environments are checked. */
const SWEEP_INTERVAL_MS = 500;

export interface SchedulerDeps {
  nc: NatsConnection;
  logger: Logger;
  now?: () => number;
  /** Where the scheduler's metrics go; a registry of its own when absent. */
  metrics?: MetricsRegistry;
}

export interface SchedulerState extends ClusterStatus {
  role: SchedulerRole;
}

export interface Scheduler {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): SchedulerState;
}

/** A status request asking for every worker: `{ "detail": true }`; an empty one is the health check's. */
function wantsDetail(data: Uint8Array): boolean {
  if (data.length === 0) return false;
  const asked = parseJson(data);
  return typeof asked === "object" && asked !== null && (asked as { detail?: unknown }).detail === true;
}

function workerSummaries(workers: WorkerTable, at: number): WorkerSummary[] {
  return [...workers.all()]
    .map((worker) => ({
      workerId: worker.workerId,
      node: worker.node,
      memoryMb: worker.memoryMb,
      maxEnvironments: worker.maxEnvironments,
      environments: worker.environments,
      busy: worker.busy,
      busyMemoryMb: worker.busyMemoryMb,
      provisioned: Object.values(worker.provisioned).reduce((sum, count) => sum + count, 0),
      draining: worker.draining,
      heardMsAgo: Math.max(0, at - worker.lastSeen),
    }))
    .sort((a, b) => a.workerId.localeCompare(b.workerId));
}

export async function buildScheduler(config: SchedulerConfig, deps: SchedulerDeps): Promise<Scheduler> {
  const { nc, logger } = deps;
  const now = deps.now ?? Date.now;
  const [buckets, clusterKv] = await Promise.all([
    openRegistryBuckets(nc, config.jetstreamReplicas),
    new Kvm(nc).create(Buckets.cluster, { history: 1, storage: "file", replicas: config.jetstreamReplicas }),
    ensureEventStream(nc, { replicas: config.jetstreamReplicas }),
    ensureMetricsStream(nc, config.jetstreamReplicas),
  ]);
  const jsm = await jetstreamManager(nc);
  const raised = await raiseReplicas(jsm, config.jetstreamReplicas, nc.info?.cluster);
  if (raised.length > 0) logger.info("streams raised to the replicas asked for", { streams: raised, replicas: config.jetstreamReplicas });
  const view = new RegistryView(buckets.functions, EnvironmentCipher.fromSecrets(config.secrets, (message, fields) => logger.warn(message, fields)));
  const scope = { region: config.region, accountId: config.accountId };
  const metricsRegistry = deps.metrics ?? new MetricsRegistry();

  // Admission and placement.
  const admission = new MeteredConcurrencyAccounting(config.concurrency, () => view.concurrencySettings());
  const workers = new WorkerTable();
  const provisioning = new Provisioning({ nc, view, workers, now });
  const leases = new LeaseKeeper({
    admission,
    workers,
    term: (): number => recovery.term,
    cachedTimeout: (functionName) => view.cached(functionName)?.timeout,
    publish: (subject, data) => nc.publish(subject, data),
    keptCallEnded: (workerId, functionName) => {
      if (admission.overLimit(functionName)) void recallKeptSlots(nc, [workerId], functionName, true);
    },
    workerTimeoutMs: config.workerTimeoutMs,
    logger,
    now,
  });
  const metrics = new SchedulerMetrics(metricsRegistry, {
    nc,
    admission,
    isLeading: () => recovery.role === "leader",
    readQueue: (functionName) => readQueueStats(nc, buckets.functions, functionName),
    logger,
    history: new MetricsRecorder(nc, (error) => logger.warn("metrics not recorded", { err: error })),
  });
  const containment = new Containment(now);
  const toWorkers = new TurnPublisher(
    (subject, data, options) => nc.publish(subject, data, options),
    (error, subject) => logger.error("message to a worker not sent", { subject, err: error }),
  );
  const dispatcher = new Dispatcher({
    containment,
    admission,
    workers,
    leases,
    cachedRecord: (functionName, version) => view.cached(functionName, version),
    publish: (subject, data, options) => toWorkers.publish(subject, data, options),
    refused: (header, error) => metrics.refused(header, error),
    recall: (workerIds, functionName) => recallKeptSlots(nc, workerIds, functionName),
    logger,
  });
  /**
   * A limit lowered under calls already admitted: the slots workers keep above it go back, the ones in
   * use as their calls end. Calls on kept slots never reach the leader, so without this a function kept
   * busy would go on running past a reservation lowered to 0.
   */
  const enforceLoweredLimits = (): void => {
    const { functions, unreservedPool } = admission.excess();
    for (const functionName of functions) void recallKeptSlots(nc, leases.keptSlotHolders(functionName), functionName, true);
    if (unreservedPool) void recallKeptSlots(nc, leases.keptSlotHolders(undefined), undefined, true);
  };
  const status = (): SchedulerState => ({ schedulerId: config.schedulerId, role: recovery.role, term: recovery.term, workers: workers.size, inFlight: admission.inFlight });

  // Work the scheduler raises itself, dispatched like a synchronous call with the answer coming here.
  const js = jetstream(nc);
  // Their answers come here, so the answer itself releases the slot (no separate release from the worker).
  const ownCalls: InvocationRunner = {
    requests: new RequestReply(nc),
    dispatch: (request, replyTo, span) => dispatcher.admit(request, replyTo, span, { answerReleases: true }),
    answered: (lease, idleEnvironment) => leases.answered({ term: lease.term, leaseId: lease.leaseId, ...(idleEnvironment !== undefined ? { idleEnvironment } : {}) }),
  };
  // Every hop the scheduler makes (a destination, a trigger, an event source batch) counts towards a
  // recursive loop's depth; the hops it refuses are reported here.
  const loops = new LoopStops(metricsRegistry, logger);
  const destinations = destinationSender(nc, js, view, scope, now, loops);
  const events = new EventRunner({
    ...ownCalls,
    js,
    destinations,
    counters: new MeteredEventCounterBook(buckets.functions, logger, metrics),
    loops,
    logger,
    now,
    retryBaseMs: config.asyncRetryBaseMs,
    record: (functionName, version) => view.get(functionName, version),
    settings: (record, qualifier) => readEventSettings(view, record, qualifier),
    functionArn: (functionName) => functionArn(scope, functionName),
  });
  const triggers = new Triggers({ nc, js, jsm, kv: buckets.functions, view, scope, logger, metrics: metricsRegistry, loops, now, kvTriggerCacheBytes: config.kvTriggerCacheBytes });
  const eventSources = new MappingSupervisor({
    kv: buckets.functions,
    owner: () => `${config.schedulerId}/${recovery.term}`,
    js,
    jsm,
    invoker: new BatchInvoker({ runner: ownCalls, view, scope, logger }),
    destinations,
    loops,
    scope,
    logger,
    now,
    retryBaseMs: config.esmRetryBaseMs,
  });
  registerEventSourceMetrics(metricsRegistry, eventSources);
  const [workflowBucket] = await Promise.all([openWorkflowBucket(nc, config.jetstreamReplicas), ensureHistoryStream(nc, config.jetstreamReplicas)]);
  const itemSource = new S3ItemSource(config.workflowS3, config.region);
  const workflows: WorkflowRunner = new WorkflowRunner({
    nc,
    js,
    store: new WorkflowStore(workflowBucket),
    calls: new LambdaTaskCalls({ runner: ownCalls, js, view, scope, logger, running: () => workflows.running }),
    items: itemSource,
    metrics: new WorkflowMetrics(metricsRegistry),
    logger,
    region: config.region,
    now,
  });
  const deployments = await buildDeploymentRunner({ nc, js, functionsKv: buckets.functions, view, scope, runner: ownCalls, replicas: config.jetstreamReplicas, timeScale: config.deploymentTimeScale, errorRate: config.deploymentErrorRate, logger, now });
  /** Everything besides admission that only the leader runs. */
  const leaderTasks = new LeaderTasks(
    [{ name: "event runner", essential: true, start: () => events.start(), stop: () => events.stop() }, triggers.leaderTask, eventSources, workflows, deployments],
    logger,
    undefined,
    // A leader whose JetStream API stays unavailable (its server never caught up after a partition)
    // could go on admitting calls while accepted events wait: it hands over to a standby that can run them.
    { afterMs: ESSENTIAL_TASK_STUCK_MS, onStuck: () => void leadership.handOver(STAND_BACK_MS) },
  );

  // Leadership: elected, recover the running calls from the workers, then lead; deposed, stand by.
  /** Subscriptions held only while leading. */
  let leaderSubscriptions: Subscription[] = [];
  const recovery = new LeaderRecovery({
    knownWorkers: () => [...workers.all()].map((worker) => worker.workerId),
    requestReports: (term) => nc.publish(Subjects.workerReport, encodeJson({ term })),
    forgetCalls: () => leases.forget(),
    lead: () => {
      leaderSubscriptions = [
        nc.subscribe(Subjects.schedulerInvokeAll, { queue: QueueGroups.schedulers, callback: subscriber(logger, (msg) => dispatcher.place(msg)) }),
        nc.subscribe(Subjects.schedulerStatus, {
          queue: QueueGroups.schedulers,
          callback: subscriber(logger, (msg) => msg.respond(encodeJson(wantsDetail(msg.data) ? { ...status(), workerList: workerSummaries(workers, now()) } : status()))),
        }),
        nc.subscribe(Subjects.schedulerProvisioned, { queue: QueueGroups.schedulers, callback: subscriber(logger, (msg) => provisioning.answerStatus(msg)) }),
      ];
      provisioning.reconcile();
      leaderTasks.start();
    },
    standDown: () => {
      for (const subscription of leaderSubscriptions) subscription.unsubscribe();
      leaderSubscriptions = [];
      void leaderTasks.stop();
    },
    adoptedCalls: () => leases.size,
    workerTimeoutMs: config.workerTimeoutMs,
    logger,
  });
  const leadership = new Leadership({
    kv: clusterKv,
    schedulerId: config.schedulerId,
    renewMs: config.leaderRenewMs,
    timeoutMs: config.leaderTimeoutMs,
    logger,
    now,
    onElected: (term) => recovery.elected(term),
    onDeposed: () => recovery.deposed(),
  });

  // Every scheduler drops silent workers, so a standby's table is current when it takes over; only the
  // leader reclaims overdue leases and keeps provisioned environments topped up.
  const sweep = (): void => {
    leases.loseSilentWorkers();
    if (recovery.role !== "leader") return;
    leases.expireOverdue();
    provisioning.reconcile();
  };
  const subscriptions: Subscription[] = [];
  let sweeper: NodeJS.Timeout | undefined;

  return {
    status,
    async start() {
      await view.start();
      view.onConcurrencySettings(() => {
        if (recovery.role !== "leader") return;
        provisioning.reconcile();
        enforceLoweredLimits();
      });
      subscriptions.push(
        nc.subscribe(Subjects.workerHeartbeat, {
          callback: clusterMessage(logger, parseHeartbeat, (beat) => {
            leases.heartbeat(beat);
            recovery.reported(beat.workerId);
            // The leader (or the scheduler recovering to lead) answers: the worker's lease on its kept slots.
            const term = recovery.term;
            if (term !== 0 && beat.sentAt !== undefined) toWorkers.publish(Subjects.workerLease(beat.workerId), encodeJson({ term, sentAt: beat.sentAt } satisfies HeartbeatAck));
          }),
        }),
        nc.subscribe(Subjects.workerGone, {
          callback: clusterMessage(logger, parseWorkerGone, (gone) => {
            if (gone.culprit) containment.crashed(gone.culprit.functionName);
            leases.workerLost(gone);
          }),
        }),
        nc.subscribe(Subjects.schedulerRelease, { callback: clusterMessage(logger, parseLeaseReleases, (releases) => leases.released(releases)) }),
      );
      await triggers.start();
      await nc.flush();
      sweeper = setInterval(sweep, SWEEP_INTERVAL_MS);
      metrics.start();
      leadership.start();
    },
    async stop() {
      clearInterval(sweeper);
      metrics.stop();
      await leadership.stop();
      await leaderTasks.stop();
      await triggers.stop();
      ownCalls.requests.close();
      itemSource.close();
      for (const subscription of subscriptions) subscription.unsubscribe();
      view.stop();
    },
  };
}

/** How long the event runner may fail to start before its leader hands the leadership over. */
const ESSENTIAL_TASK_STUCK_MS = 30_000;
/** How long a scheduler that handed its leadership over claims nothing (a standby that can lead takes it). */
const STAND_BACK_MS = 60_000;

/** How long the leader waits for a worker to give back kept slots before refusing the call anyway. */
const RECALL_TIMEOUT_MS = 250;

/** Asks each worker for its unused kept slots; resolves once every one has answered (its releases came first) or timed out. */
async function recallKeptSlots(nc: NatsConnection, workerIds: string[], functionName: string | undefined, inUseToo = false): Promise<void> {
  const recall = encodeJson({ ...(functionName !== undefined ? { functionName } : {}), ...(inUseToo ? { inUseToo } : {}) } satisfies SlotRecall);
  await Promise.all(workerIds.map((workerId) => nc.request(Subjects.workerRecall(workerId), recall, { timeout: RECALL_TIMEOUT_MS }).catch(() => undefined)));
}

/** A subscription callback that logs a failed subscription or a handler's error rather than losing it. */
function subscriber(logger: Logger, handler: (msg: Msg) => void) {
  return (error: Error | null, msg: Msg): void => {
    if (error) {
      logger.error("subscription failed", { err: error });
      return;
    }
    try {
      handler(msg);
    } catch (failure) {
      logger.error("message handling failed", { subject: msg.subject, err: failure });
    }
  };
}

/** A subscription callback for a JSON cluster message: `parse` checks its shape, and a malformed one is ignored. */
function clusterMessage<T>(logger: Logger, parse: (value: unknown) => T | undefined, handler: (message: T) => void) {
  return subscriber(logger, (msg) => {
    const message = parse(parseJson(msg.data));
    if (message) handler(message);
  });
}

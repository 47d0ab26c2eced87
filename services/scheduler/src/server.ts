// The scheduler: one leader at a time admits synchronous calls within the concurrency limits and places
// each on a worker, preferring a warm environment; the worker answers the frontend directly and
// releases the slot here. The leader also runs asynchronous events from the event stream
// (async-queue/), through the same admission and placement, and fires schedule, bucket and KV triggers
// into that stream (triggers/; every scheduler serves topic triggers). Every scheduler follows workers' heartbeats, so a standby can take over: it
// first asks every worker to report, adopts the calls they run, and only then admits more.
import type { Msg, NatsConnection, Subscription } from "@nats-io/nats-core";
import { Kvm } from "@nats-io/kv";
import type { SchedulerConfig } from "@lambent/config";
import { serviceError, throttled, type LambdaError } from "@lambent/errors";
import {
  Buckets,
  QueueGroups,
  RequestReply,
  Subjects,
  decodeInvocation,
  traceparentOf,
  encodeInvocation,
  encodeJson,
  environmentKey,
  failureResult,
  parseHeartbeat,
  parseJson,
  parseLeaseReleases,
  parseWorkerGone,
  type ClusterStatus,
  type InvocationRequest,
} from "@lambent/protocol";
import {
  DEFAULT_MAXIMUM_EVENT_AGE_SECONDS,
  DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
  EnvironmentCipher,
  RegistryView,
  functionArn,
  openRegistryBuckets,
  type FunctionVersionRecord,
} from "@lambent/registry/functions";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { ensureEventStream, readQueueStats } from "@lambent/event-queue";
import type { Logger } from "@lambent/telemetry";
import { MetricsRegistry } from "@lambent/telemetry";
import { tracer, type TraceSpan } from "@lambent/telemetry";
import { endAdmission, startAdmission, workerPublishOptions } from "./tracing/admission-spans.js";
import { MeteredConcurrencyAccounting } from "./metrics/metered-concurrency.js";
import { MeteredEventCounterBook } from "./metrics/metered-event-counters.js";
import { SchedulerMetrics } from "./metrics/scheduler-metrics.js";
import { Leadership } from "./leadership/leadership.js";
import { LeaseTable, type Lease } from "./placement/leases.js";
import { Provisioning } from "./placement/provisioning.js";
import { WorkerTable, type WorkerState } from "./placement/worker-table.js";
import { destinationSender } from "./async-queue/destinations.js";
import { EventRunner, type EventSettings } from "./async-queue/event-runner.js";
import { startLeaderTasks, stopLeaderTasks, type LeaderTask } from "./leader-task.js";
import { Triggers } from "./triggers/triggers.js";
import { MappingSupervisor } from "./event-sources/mapping-supervisor.js";
import { BatchInvoker } from "./event-sources/batch-invoker.js";
import { registerEventSourceMetrics } from "./metrics/event-source-metrics.js";

/** How long past a function's timeout a lease may live before its slot is reclaimed. */
const LEASE_GRACE_MS = 30_000;
const SWEEP_INTERVAL_MS = 500;
/** A new leader waits at most this long for every worker's report before admitting calls. */
const RECOVERY_LIMIT_MS = 2_000;
const DEFAULT_MEMORY_MB = 128;
const DEFAULT_TIMEOUT_S = 900;

export interface SchedulerDeps {
  nc: NatsConnection;
  logger: Logger;
  now?: () => number;
  /** Where the scheduler's metrics go; a registry of its own when absent. */
  metrics?: MetricsRegistry;
}

export type SchedulerRole = "standby" | "recovering" | "leader";

export interface SchedulerState extends ClusterStatus {
  role: SchedulerRole;
}

export interface Scheduler {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): SchedulerState;
}

export async function buildScheduler(config: SchedulerConfig, deps: SchedulerDeps): Promise<Scheduler> {
  const { nc, logger } = deps;
  const now = deps.now ?? Date.now;
  const [buckets, clusterKv] = await Promise.all([
    openRegistryBuckets(nc, config.jetstreamReplicas),
    new Kvm(nc).create(Buckets.cluster, { history: 1, storage: "file", replicas: config.jetstreamReplicas }),
    ensureEventStream(nc, { replicas: config.jetstreamReplicas }),
  ]);
  const view = new RegistryView(buckets.functions, EnvironmentCipher.fromSecrets(config.secrets, (message, fields) => logger.warn(message, fields)));
  const admission = new MeteredConcurrencyAccounting(config.concurrency, () => view.concurrencySettings());
  const metricsRegistry = deps.metrics ?? new MetricsRegistry();
  const metrics = new SchedulerMetrics(metricsRegistry, {
    nc,
    admission,
    isLeading: () => role === "leader",
    readQueue: (functionName) => readQueueStats(nc, buckets.functions, functionName),
    logger,
  });
  const workers = new WorkerTable();
  const leases = new LeaseTable();
  const provisioning = new Provisioning({ nc, view, workers, now });
  const subscriptions: Subscription[] = [];
  /** Subscriptions held only while leading. */
  let leaderSubscriptions: Subscription[] = [];
  let role: SchedulerRole = "standby";
  let term = 0;
  /** Workers a recovering leader still waits to hear from. */
  let awaitingReports = new Set<string>();
  let recoveryTimer: NodeJS.Timeout | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  const tracing = tracer();

  const answerFailure = (msg: Msg, requestId: string, version: string, error: LambdaError): void => {
    if (!msg.reply) return;
    const failure = { type: error.type, message: error.message, ...(Object.keys(error.fields).length ? { fields: { ...error.fields } } : {}) };
    msg.respond(failureResult(requestId, version, failure));
  };

  // The hot path: admit, place, forward. No disk write, no KV read: limits and records are cached.
  const place = (msg: Msg): void => {
    let request: InvocationRequest;
    try {
      request = decodeInvocation(msg.data);
    } catch (error) {
      logger.warn("malformed invocation dropped", { err: error });
      answerFailure(msg, "unknown", "$LATEST", serviceError("Malformed invocation message"));
      return;
    }
    const span = tracing.enabled ? startAdmission(tracing, traceparentOf(msg), request.header) : undefined;
    const refused = dispatch(request, msg.reply, span);
    if (span) endAdmission(span, refused);
    if (refused) answerFailure(msg, request.header.requestId, request.header.version, refused);
  };

  /**
   * Admission and placement, shared by synchronous calls and events: takes a slot, picks a worker, opens
   * a lease and forwards the call with `replyTo` as the answer's destination. An error when it cannot run now.
   */
  const dispatch = (request: InvocationRequest, replyTo: string | undefined, span?: TraceSpan): LambdaError | undefined => {
    const { header, payload } = request;
    const throttle = admission.tryAcquire(header.functionName);
    if (throttle) return metrics.refused(header, throttle);
    const record = view.cached(header.functionName, header.version);
    const memoryMb = record?.memorySize ?? DEFAULT_MEMORY_MB;
    const worker = workers.place(environmentKey(header.functionName, header.version, header.revisionId), memoryMb);
    if (!worker) {
      admission.release(header.functionName);
      return metrics.refused(header, noRoom(workers.size));
    }
    const lease = leases.open(term, {
      workerId: worker.workerId,
      functionName: header.functionName,
      memoryMb,
      requestId: header.requestId,
      version: header.version,
      replyTo,
      expiresAt: now() + (record?.timeout ?? DEFAULT_TIMEOUT_S) * 1000 + LEASE_GRACE_MS,
    });
    header.lease = { term, leaseId: lease.leaseId };
    const options = span ? workerPublishOptions(replyTo, span, worker.workerId) : replyTo ? { reply: replyTo } : undefined;
    nc.publish(Subjects.workerInvoke(worker.workerId), encodeInvocation({ header, payload }), options);
    return undefined;
  };

  const release = (msg: Msg): void => {
    if (role === "standby") return;
    const message = parseLeaseReleases(parseJson(msg.data));
    if (!message) return;
    for (const { term: leaseTerm, leaseId, idleEnvironment } of message.releases) {
      // A lease already closed (its worker was declared lost, or it expired) is not released twice.
      const lease = leases.close(leaseTerm, leaseId);
      if (!lease) continue;
      admission.release(lease.functionName);
      workers.released(message.workerId, lease.memoryMb, idleEnvironment);
    }
  };

  const heartbeat = (msg: Msg): void => {
    const beat = parseHeartbeat(parseJson(msg.data));
    if (!beat) return;
    const worker = workers.heartbeat(beat, now());
    if (role === "standby") return;
    adoptRunning(worker);
    if (role === "recovering") {
      awaitingReports.delete(worker.workerId);
      if (awaitingReports.size === 0) finishRecovery();
    }
  };

  /**
   * A worker's report is the truth about its calls: calls it runs that we hold no lease for (placed by an
   * earlier leader) are counted, and an earlier leader's calls it no longer runs have ended. Our own
   * leases it does not list may still be on their way to it, so those stay.
   */
  const adoptRunning = (worker: WorkerState): void => {
    const listed = new Set<string>();
    for (const running of worker.running) {
      listed.add(`${running.term}.${running.leaseId}`);
      if (leases.has(running.term, running.leaseId)) continue;
      leases.adopt({
        ...running,
        workerId: worker.workerId,
        requestId: "",
        version: "",
        replyTo: undefined,
        expiresAt: now() + (view.cached(running.functionName)?.timeout ?? DEFAULT_TIMEOUT_S) * 1000 + LEASE_GRACE_MS,
      });
      admission.take(running.functionName);
    }
    const ended = leases.closeWhere((lease) => lease.workerId === worker.workerId && lease.term !== term && !listed.has(`${lease.term}.${lease.leaseId}`));
    for (const lease of ended) admission.release(lease.functionName);
  };

  /** A lost worker's calls fail now rather than waiting out their timeouts. */
  const loseWorker = (workerId: string, reason: string): void => {
    workers.remove(workerId);
    if (role === "standby") return;
    const lost = leases.closeWhere((lease) => lease.workerId === workerId);
    for (const lease of lost) failLease(lease, `The worker running this invocation was lost (${reason})`);
    if (lost.length > 0 || reason !== "left") logger.warn("worker removed", { workerId, reason, failedCalls: lost.length });
  };

  const failLease = (lease: Lease, message: string): void => {
    admission.release(lease.functionName);
    if (lease.replyTo) nc.publish(lease.replyTo, failureResult(lease.requestId, lease.version, { type: "ServiceException", message }));
  };

  const sweep = (): void => {
    for (const workerId of workers.silentSince(now() - config.workerTimeoutMs)) loseWorker(workerId, "heartbeat missed");
    if (role !== "leader") return;
    for (const lease of leases.closeWhere((candidate) => candidate.expiresAt < now())) {
      admission.release(lease.functionName);
      logger.warn("lease expired", { term: lease.term, leaseId: lease.leaseId, workerId: lease.workerId, requestId: lease.requestId });
    }
    provisioning.reconcile();
  };

  const status = (): SchedulerState => ({ schedulerId: config.schedulerId, role, term, workers: workers.size, inFlight: admission.inFlight });

  const callback = (handler: (msg: Msg) => void) => (error: Error | null, msg: Msg) => {
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

  const onElected = (electedTerm: number): void => {
    term = electedTerm;
    role = "recovering";
    leases.clear();
    admission.clear();
    awaitingReports = new Set([...workers.all()].map((worker) => worker.workerId));
    if (awaitingReports.size === 0) {
      finishRecovery();
      return;
    }
    nc.publish(Subjects.workerReport, encodeJson({ term }));
    recoveryTimer = setTimeout(() => {
      if (awaitingReports.size > 0) logger.warn("workers did not report before admitting calls", { workers: [...awaitingReports] });
      finishRecovery();
    }, Math.min(RECOVERY_LIMIT_MS, config.workerTimeoutMs));
  };

  const finishRecovery = (): void => {
    if (role !== "recovering") return;
    clearTimeout(recoveryTimer);
    role = "leader";
    leaderSubscriptions = [
      nc.subscribe(Subjects.schedulerInvokeAll, { queue: QueueGroups.schedulers, callback: callback(place) }),
      nc.subscribe(Subjects.schedulerStatus, { queue: QueueGroups.schedulers, callback: callback((msg) => msg.respond(encodeJson(status()))) }),
      nc.subscribe(Subjects.schedulerProvisioned, { queue: QueueGroups.schedulers, callback: callback((msg) => provisioning.answerStatus(msg)) }),
    ];
    provisioning.reconcile();
    startLeaderTasks(leaderTasks, logger);
    logger.info("scheduler leading", { term, workers: workers.size, adoptedCalls: leases.size });
  };

  const onDeposed = (): void => {
    clearTimeout(recoveryTimer);
    for (const subscription of leaderSubscriptions) subscription.unsubscribe();
    leaderSubscriptions = [];
    void stopLeaderTasks(leaderTasks, logger);
    role = "standby";
    term = 0;
    leases.clear();
    admission.clear();
  };

  const eventSettings = async (record: FunctionVersionRecord, qualifier: string): Promise<EventSettings> => {
    const configured = await view.eventInvokeConfig(record.functionName, qualifier);
    const settings: EventSettings = {
      maximumRetryAttempts: configured?.maximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
      maximumEventAgeInSeconds: configured?.maximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS,
    };
    if (configured?.onSuccess) settings.onSuccess = configured.onSuccess;
    if (configured?.onFailure) settings.onFailure = configured.onFailure;
    if (record.deadLetterTargetArn) settings.deadLetterTargetArn = record.deadLetterTargetArn;
    return settings;
  };
  const scope = { region: config.region, accountId: config.accountId };
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const eventAnswers = new RequestReply(nc);
  const destinations = destinationSender(nc, js, view, scope, now);
  const events = new EventRunner({
    js,
    requests: eventAnswers,
    destinations,
    counters: new MeteredEventCounterBook(buckets.functions, logger, metrics),
    logger,
    now,
    retryBaseMs: config.asyncRetryBaseMs,
    record: (functionName, version) => view.get(functionName, version),
    settings: eventSettings,
    functionArn: (functionName) => functionArn(scope, functionName),
    dispatch,
  });

  const triggers = new Triggers({ nc, js, jsm, kv: buckets.functions, view, scope, logger, metrics: metricsRegistry, now, kvTriggerCacheBytes: config.kvTriggerCacheBytes });

  const eventSources = new MappingSupervisor({
    kv: buckets.functions,
    owner: () => `${config.schedulerId}/${term}`,
    js,
    jsm,
    invoker: new BatchInvoker({ runner: { requests: eventAnswers, dispatch }, view, scope, logger }),
    destinations,
    scope,
    logger,
    now,
    retryBaseMs: config.esmRetryBaseMs,
  });
  registerEventSourceMetrics(metricsRegistry, eventSources);

  /** Everything besides admission that only the leader runs. */
  const leaderTasks: LeaderTask[] = [{ name: "event runner", start: () => events.start(), stop: () => events.stop() }, triggers.leaderTask, eventSources];

  const leadership = new Leadership({
    kv: clusterKv,
    schedulerId: config.schedulerId,
    renewMs: config.leaderRenewMs,
    timeoutMs: config.leaderTimeoutMs,
    logger,
    now,
    onElected,
    onDeposed,
  });

  return {
    status,
    async start() {
      await view.start();
      view.onConcurrencySettings(() => {
        if (role === "leader") provisioning.reconcile();
      });
      subscriptions.push(
        nc.subscribe(Subjects.workerHeartbeat, { callback: callback(heartbeat) }),
        nc.subscribe(Subjects.workerGone, {
          callback: callback((msg) => {
            const gone = parseWorkerGone(parseJson(msg.data));
            if (gone) loseWorker(gone.workerId, "left");
          }),
        }),
        nc.subscribe(Subjects.schedulerRelease, { callback: callback(release) }),
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
      await stopLeaderTasks(leaderTasks, logger);
      await triggers.stop();
      eventAnswers.close();
      for (const subscription of subscriptions) subscription.unsubscribe();
      view.stop();
    },
  };
}

/** No worker can take the call: none at all is a service failure; all full is a throttle. */
function noRoom(workerCount: number): LambdaError {
  if (workerCount === 0) return serviceError("No worker is available to run the invocation");
  return throttled("ConcurrentInvocationLimitExceeded", "Rate Exceeded. No worker has room for another execution environment.");
}

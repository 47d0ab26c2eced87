// The scheduler: one leader at a time admits synchronous calls within the concurrency limits and places
// each on a worker, preferring a warm environment; the worker answers the frontend directly and
// releases the slot here. The leader also runs asynchronous events from the event stream
// (async-queue/), through the same admission and placement, and fires schedule, bucket and KV triggers
// into that stream (triggers/; every scheduler serves topic triggers). Every scheduler follows workers' heartbeats, so a standby can take over: it
// first asks every worker to report, adopts the calls they run, and only then admits more.
import type { Msg, NatsConnection, Subscription } from "@nats-io/nats-core";
import { Kvm } from "@nats-io/kv";
import type { SchedulerConfig } from "@lambent/config";
import { Buckets, QueueGroups, RequestReply, Subjects, encodeJson, type ClusterStatus } from "@lambent/protocol";
import { EnvironmentCipher, RegistryView, functionArn, openRegistryBuckets } from "@lambent/registry";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { ensureEventStream, readQueueStats } from "@lambent/event-queue";
import type { Logger } from "@lambent/telemetry";
import { MetricsRegistry } from "@lambent/telemetry";
import { MeteredConcurrencyAccounting } from "./metrics/metered-concurrency.js";
import { MeteredEventCounterBook } from "./metrics/metered-event-counters.js";
import { SchedulerMetrics } from "./metrics/scheduler-metrics.js";
import { Leadership } from "./leadership/leadership.js";
import { Dispatcher } from "./placement/dispatcher.js";
import { LeaseKeeper } from "./placement/lease-keeper.js";
import { Provisioning } from "./placement/provisioning.js";
import { WorkerTable } from "./placement/worker-table.js";
import { destinationSender } from "./async-queue/destinations.js";
import { EventRunner } from "./async-queue/event-runner.js";
import { readEventSettings } from "./async-queue/event-settings.js";
import { parseHeartbeat, parseJson, parseLeaseReleases, parseWorkerGone } from "./messages.js";
import { startLeaderTasks, stopLeaderTasks, type LeaderTask } from "./leader-task.js";
import { Triggers } from "./triggers/triggers.js";
import { MappingSupervisor } from "./event-sources/mapping-supervisor.js";
import { BatchInvoker } from "./event-sources/batch-invoker.js";
import { registerEventSourceMetrics } from "./metrics/event-source-metrics.js";

const SWEEP_INTERVAL_MS = 500;
/** A new leader waits at most this long for every worker's report before admitting calls. */
const RECOVERY_LIMIT_MS = 2_000;

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
  const leases = new LeaseKeeper({
    admission,
    workers,
    term: () => term,
    cachedTimeout: (functionName) => view.cached(functionName)?.timeout,
    publish: (subject, data) => nc.publish(subject, data),
    workerTimeoutMs: config.workerTimeoutMs,
    logger,
    now,
  });
  const dispatcher = new Dispatcher({
    admission,
    workers,
    leases,
    cachedRecord: (functionName, version) => view.cached(functionName, version),
    publish: (subject, data, options) => nc.publish(subject, data, options),
    refused: (header, error) => metrics.refused(header, error),
    logger,
  });
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

  const sweep = (): void => {
    leases.loseSilentWorkers();
    if (role !== "leader") return;
    leases.expireOverdue();
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
    leases.forget();
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
      nc.subscribe(Subjects.schedulerInvokeAll, { queue: QueueGroups.schedulers, callback: callback((msg) => dispatcher.place(msg)) }),
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
    leases.forget();
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
    settings: (record, qualifier) => readEventSettings(view, record, qualifier),
    functionArn: (functionName) => functionArn(scope, functionName),
    dispatch: (request, replyTo, span) => dispatcher.dispatch(request, replyTo, span),
  });

  const triggers = new Triggers({ nc, js, jsm, kv: buckets.functions, view, scope, logger, metrics: metricsRegistry, now, kvTriggerCacheBytes: config.kvTriggerCacheBytes });

  const eventSources = new MappingSupervisor({
    kv: buckets.functions,
    owner: () => `${config.schedulerId}/${term}`,
    js,
    jsm,
    invoker: new BatchInvoker({ runner: { requests: eventAnswers, dispatch: (request, replyTo, span) => dispatcher.dispatch(request, replyTo, span) }, view, scope, logger }),
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
        nc.subscribe(Subjects.workerHeartbeat, {
          callback: callback((msg) => {
            const beat = parseHeartbeat(parseJson(msg.data));
            if (!beat) return;
            leases.heartbeat(beat);
            if (role === "recovering") {
              awaitingReports.delete(beat.workerId);
              if (awaitingReports.size === 0) finishRecovery();
            }
          }),
        }),
        nc.subscribe(Subjects.workerGone, {
          callback: callback((msg) => {
            const gone = parseWorkerGone(parseJson(msg.data));
            if (gone) leases.workerLost(gone.workerId, "left");
          }),
        }),
        nc.subscribe(Subjects.schedulerRelease, {
          callback: callback((msg) => {
            const message = parseLeaseReleases(parseJson(msg.data));
            if (message) leases.released(message);
          }),
        }),
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

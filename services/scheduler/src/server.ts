// The scheduler: admits synchronous calls within the concurrency limit and places each on a worker,
// preferring a warm environment. The worker answers the frontend directly and releases the slot here.
import type { Msg, NatsConnection, Subscription } from "@nats-io/nats-core";
import type { SchedulerConfig } from "@lambent/config";
import { serviceError, type LambdaError } from "@lambent/errors";
import {
  QueueGroups,
  Subjects,
  decodeInvocation,
  decodeJson,
  encodeInvocation,
  encodeJson,
  environmentKey,
  failureResult,
  type ClusterStatus,
  type InvocationRequest,
} from "@lambent/protocol";
import { EnvironmentCipher, RegistryView, openRegistryBuckets } from "@lambent/registry";
import type { Logger } from "@lambent/telemetry";
import { AccountConcurrency } from "./admission/account-concurrency.js";
import { LeaseTable, type Lease } from "./placement/leases.js";
import { WorkerTable } from "./placement/worker-table.js";
import { parseHeartbeat, parseLeaseReleases, parseWorkerGone } from "./messages.js";

/** How long past a function's timeout a lease may live before its slot is reclaimed. */
const LEASE_GRACE_MS = 30_000;
const SWEEP_INTERVAL_MS = 500;

export interface SchedulerDeps {
  nc: NatsConnection;
  logger: Logger;
  now?: () => number;
}

export interface Scheduler {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): ClusterStatus;
}

export async function buildScheduler(config: SchedulerConfig, deps: SchedulerDeps): Promise<Scheduler> {
  const { nc, logger } = deps;
  const now = deps.now ?? Date.now;
  const buckets = await openRegistryBuckets(nc, config.jetstreamReplicas);
  const view = new RegistryView(buckets.functions, EnvironmentCipher.fromSecrets(config.secrets, (message, fields) => logger.warn(message, fields)));
  const admission = new AccountConcurrency(config.accountConcurrency);
  const workers = new WorkerTable();
  const leases = new LeaseTable();
  const subscriptions: Subscription[] = [];
  let sweeper: NodeJS.Timeout | undefined;

  const answerFailure = (msg: Msg, requestId: string, version: string, error: LambdaError): void => {
    if (!msg.reply) return;
    const failure = { type: error.type, message: error.message, ...(Object.keys(error.fields).length ? { fields: { ...error.fields } } : {}) };
    msg.respond(failureResult(requestId, version, failure));
  };

  const place = (msg: Msg): void => {
    let request: InvocationRequest;
    try {
      request = decodeInvocation(msg.data);
    } catch (error) {
      logger.warn("malformed invocation dropped", { err: error });
      answerFailure(msg, "unknown", "$LATEST", serviceError("Malformed invocation message"));
      return;
    }
    const { header, payload } = request;
    const throttle = admission.tryAcquire();
    if (throttle) {
      answerFailure(msg, header.requestId, header.version, throttle);
      return;
    }
    const worker = workers.place(environmentKey(header.functionName, header.version, header.revisionId));
    if (!worker) {
      admission.release();
      answerFailure(msg, header.requestId, header.version, serviceError("No worker is available to run the invocation"));
      return;
    }
    const timeoutMs = (view.cached(header.functionName, header.version)?.timeout ?? 900) * 1000;
    const lease = leases.open({
      workerId: worker.workerId,
      requestId: header.requestId,
      version: header.version,
      replyTo: msg.reply,
      expiresAt: now() + timeoutMs + LEASE_GRACE_MS,
    });
    header.lease = { schedulerId: config.schedulerId, leaseId: lease.leaseId };
    nc.publish(Subjects.workerInvoke(worker.workerId), encodeInvocation({ header, payload }), msg.reply ? { reply: msg.reply } : undefined);
  };

  const release = (msg: Msg): void => {
    const message = parseLeaseReleases(safeJson(msg.data));
    if (!message) return;
    for (const { leaseId, idleEnvironment } of message.releases) {
      // A lease already closed (its worker was declared lost, or it expired) is not released twice.
      if (!leases.close(leaseId)) continue;
      admission.release();
      workers.released(message.workerId, idleEnvironment);
    }
  };

  /** A lost worker's calls fail now rather than waiting out their timeouts. */
  const loseWorker = (workerId: string, reason: string): void => {
    workers.remove(workerId);
    const lost = leases.closeAllOn(workerId);
    for (const lease of lost) failLease(lease, `The worker running this invocation was lost (${reason})`);
    if (lost.length > 0 || reason !== "left") logger.warn("worker removed", { workerId, reason, failedCalls: lost.length });
  };

  const failLease = (lease: Lease, message: string): void => {
    admission.release();
    if (lease.replyTo) {
      nc.publish(lease.replyTo, failureResult(lease.requestId, lease.version, { type: "ServiceException", message }));
    }
  };

  const sweep = (): void => {
    for (const workerId of workers.silentSince(now() - config.workerTimeoutMs)) loseWorker(workerId, "heartbeat missed");
    for (const lease of leases.closeExpired(now())) {
      admission.release();
      logger.warn("lease expired", { leaseId: lease.leaseId, workerId: lease.workerId, requestId: lease.requestId });
    }
  };

  const status = (): ClusterStatus => ({ schedulerId: config.schedulerId, workers: workers.size, inFlight: admission.inFlight });

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

  return {
    status,
    async start() {
      await view.start();
      subscriptions.push(
        nc.subscribe(Subjects.workerHeartbeat, {
          callback: callback((msg) => {
            const beat = parseHeartbeat(safeJson(msg.data));
            if (beat) workers.heartbeat(beat, now());
          }),
        }),
        nc.subscribe(Subjects.workerGone, {
          callback: callback((msg) => {
            const gone = parseWorkerGone(safeJson(msg.data));
            if (gone) loseWorker(gone.workerId, "left");
          }),
        }),
        nc.subscribe(Subjects.schedulerRelease(config.schedulerId), { callback: callback(release) }),
        nc.subscribe(Subjects.schedulerInvokeAll, { queue: QueueGroups.schedulers, callback: callback(place) }),
        nc.subscribe(Subjects.schedulerStatus, {
          queue: QueueGroups.schedulers,
          callback: callback((msg) => msg.respond(encodeJson(status()))),
        }),
      );
      sweeper = setInterval(sweep, SWEEP_INTERVAL_MS);
      await nc.flush();
    },
    async stop() {
      clearInterval(sweeper);
      for (const subscription of subscriptions) subscription.unsubscribe();
      view.stop();
    },
  };
}

function safeJson(bytes: Uint8Array): unknown {
  try {
    return decodeJson(bytes);
  } catch {
    return undefined;
  }
}

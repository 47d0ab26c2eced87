// The slots running calls hold, from the lease the dispatcher opens until it closes: released by the
// worker, failed when the worker is lost, reclaimed when it outlives the call, or adopted from a worker's
// report when an earlier leader opened it. Leases exist only while this scheduler leads or recovers.
import { failureResult, outOfMemoryResult, type WorkerGone, type WorkerLossReason, type LeaseRelease, type LeaseReleases, type WorkerHeartbeat } from "@lambent/protocol";
import type { Logger } from "@lambent/telemetry";
import type { ConcurrencyAccounting } from "../admission/concurrency-accounting.js";
import { LeaseTable, type Lease } from "./leases.js";
import type { WorkerState, WorkerTable } from "./worker-table.js";

/** How long past a function's timeout a lease may live before its slot is reclaimed. */
export const LEASE_GRACE_MS = 30_000;
/** The timeout a lease is given when its function's configuration is not cached (Lambda's maximum). */
const DEFAULT_TIMEOUT_S = 900;

export interface LeaseKeeperOptions {
  admission: ConcurrencyAccounting;
  workers: WorkerTable;
  /** The leadership term leases open in; 0 while this scheduler stands by, when it keeps no leases. */
  term(): number;
  /** The function's timeout in seconds from the registry cache ($LATEST); undefined when not cached. */
  cachedTimeout(functionName: string): number | undefined;
  /** Sends a lost call's failure to the caller waiting for it. */
  publish(subject: string, data: Uint8Array): void;
  /**
   * A call on a kept slot ended and the worker keeps the slot: the scheduler takes it back if the limits
   * were lowered below what runs (a recall can miss a slot whose call had not reached its worker yet).
   */
  keptCallEnded?(workerId: string, functionName: string): void;
  /** A worker silent this long is lost. */
  workerTimeoutMs: number;
  logger: Logger;
  now: () => number;
}

const LOSS_DESCRIPTIONS: Record<WorkerLossReason, string> = {
  left: "left",
  crashed: "its process crashed",
  "out-of-memory": "another call in its process ran out of memory",
  hung: "its process stopped responding",
  silent: "heartbeat missed",
};

export type LeaseFields = Omit<Lease, "term" | "leaseId" | "expiresAt" | "kept"> & { kept?: boolean };

export class LeaseKeeper {
  private readonly leases = new LeaseTable();

  constructor(private readonly options: LeaseKeeperOptions) {}

  /** Opens a lease in the current term for a call of `timeoutSeconds` (DEFAULT_TIMEOUT_S when unknown). */
  open(fields: LeaseFields, timeoutSeconds: number | undefined): Lease {
    // Named fields rather than a spread: a lease is opened per admitted call.
    const { workerId, functionName, memoryMb, requestId, version, replyTo } = fields;
    return this.leases.open(this.options.term(), { workerId, functionName, memoryMb, requestId, version, replyTo, kept: fields.kept === true, expiresAt: this.expiry(timeoutSeconds) });
  }

  /** Records a worker's heartbeat and, unless standing by, reconciles its running calls with our leases. */
  heartbeat(beat: WorkerHeartbeat): void {
    const worker = this.options.workers.heartbeat(beat, this.options.now());
    if (this.options.term() !== 0) this.adoptRunning(worker);
  }

  /** A worker's calls ended: their slots come back and their environments are idle again. */
  released(message: LeaseReleases): void {
    if (this.options.term() === 0) return;
    const { admission, workers } = this.options;
    for (const { term, leaseId, idleEnvironment, kept } of message.releases) {
      // A call on a kept slot ended: the worker keeps the slot, only its environment is idle again.
      if (kept) {
        const lease = this.leases.get(term, leaseId);
        if (!lease) continue;
        if (idleEnvironment !== undefined) workers.environmentIdle(message.workerId, idleEnvironment);
        this.options.keptCallEnded?.(message.workerId, lease.functionName);
        continue;
      }
      // A lease already closed (its worker was declared lost, or it expired) is not released twice.
      const lease = this.leases.close(term, leaseId);
      if (!lease) continue;
      admission.release(lease.functionName);
      workers.released(message.workerId, lease.memoryMb, idleEnvironment);
    }
  }

  /**
   * The answer to a call this scheduler raised came back (its lease marked `answerReleases`): the slot is
   * free and the environment idle again, as a worker's release would say. A lease already closed (its
   * worker lost, the lease expired) or of a term this scheduler no longer leads is left alone.
   */
  answered(release: Pick<LeaseRelease, "term" | "leaseId" | "idleEnvironment">): void {
    if (this.options.term() === 0) return;
    const lease = this.leases.close(release.term, release.leaseId);
    if (!lease) return;
    this.options.admission.release(lease.functionName);
    this.options.workers.released(lease.workerId, lease.memoryMb, release.idleEnvironment);
  }

  /** Workers that keep slots (of `functionName`, or of any function): a recall may free some. */
  keptSlotHolders(functionName: string | undefined): string[] {
    const holders = new Set<string>();
    for (const lease of this.leases.all()) {
      if (lease.kept && (functionName === undefined || lease.functionName === functionName)) holders.add(lease.workerId);
    }
    return [...holders];
  }

  /**
   * A lost worker's calls fail now rather than waiting out their timeouts. The call that brought its
   * sandbox process down, when named, fails as the function's own out-of-memory error; the others were
   * lost by the platform.
   */
  workerLost(gone: WorkerGone): void {
    const { workerId, culprit } = gone;
    const reason = gone.reason ?? "left";
    this.options.workers.remove(workerId);
    if (this.options.term() === 0) return;
    const lost = this.leases.closeWhere((lease) => lease.workerId === workerId);
    for (const lease of lost) {
      if (culprit && lease.requestId === culprit.requestId && lease.replyTo) {
        this.options.admission.release(lease.functionName);
        this.options.publish(lease.replyTo, outOfMemoryResult(lease.requestId, lease.version, lease.memoryMb));
      } else {
        this.fail(lease, `The worker running this invocation was lost (${LOSS_DESCRIPTIONS[reason]})`);
      }
    }
    if (lost.length > 0 || reason !== "left") this.options.logger.warn("worker removed", { workerId, reason, failedCalls: lost.length, ...(culprit ? { culprit } : {}) });
  }

  /** Workers not heard from within the worker timeout are lost. */
  loseSilentWorkers(): void {
    const { workers, now, workerTimeoutMs } = this.options;
    for (const workerId of workers.silentSince(now() - workerTimeoutMs)) this.workerLost({ workerId, reason: "silent" });
  }

  /** Reclaims the slots of leases that outlived their call (a worker that never released them). */
  expireOverdue(): void {
    const { admission, logger, now } = this.options;
    // A kept slot ends when its worker releases it or is lost, however long it is kept.
    for (const lease of this.leases.closeWhere((candidate) => !candidate.kept && candidate.expiresAt < now())) {
      admission.release(lease.functionName);
      logger.warn("lease expired", { term: lease.term, leaseId: lease.leaseId, workerId: lease.workerId, requestId: lease.requestId });
    }
  }

  /** Forgets every lease and count: a new term rebuilds them from workers' reports, and a standby keeps none. */
  forget(): void {
    this.leases.clear();
    this.options.admission.clear();
  }

  get size(): number {
    return this.leases.size;
  }

  /**
   * A worker's report is the truth about its calls: calls it runs that we hold no lease for (placed by an
   * earlier leader) are counted, and an earlier leader's calls it no longer runs have ended. Our own
   * leases it does not list may still be on their way to it, so those stay.
   */
  private adoptRunning(worker: WorkerState): void {
    const { admission, cachedTimeout } = this.options;
    const term = this.options.term();
    const listed = new Set<string>();
    for (const running of worker.running) {
      listed.add(`${running.term}.${running.leaseId}`);
      if (this.leases.has(running.term, running.leaseId)) continue;
      this.leases.adopt({
        ...running,
        workerId: worker.workerId,
        requestId: "",
        version: "",
        replyTo: undefined,
        expiresAt: this.expiry(cachedTimeout(running.functionName)),
        kept: running.kept === true,
      });
      admission.take(running.functionName);
    }
    // Only earlier terms' leases are looked at: every heartbeat comes here, and scanning the current
    // term's leases (all of the calls in flight) for each one cost the leader more as it got busier.
    const ended = this.leases.closeWhere((lease) => lease.workerId === worker.workerId && !listed.has(`${lease.term}.${lease.leaseId}`), term);
    for (const lease of ended) admission.release(lease.functionName);
  }

  private fail(lease: Lease, message: string): void {
    this.options.admission.release(lease.functionName);
    if (lease.replyTo) this.options.publish(lease.replyTo, failureResult(lease.requestId, lease.version, { type: "ServiceException", message }));
  }

  private expiry(timeoutSeconds: number = DEFAULT_TIMEOUT_S): number {
    return this.options.now() + timeoutSeconds * 1000 + LEASE_GRACE_MS;
  }
}

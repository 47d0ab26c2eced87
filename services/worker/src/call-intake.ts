// Every call message a worker takes, from NATS or from a caller on the same node (local-calls.ts), and
// what happens to its slot. Three kinds:
//   placed by the scheduler, one-shot lease  → run, release the slot (events, event-source batches: their
//                                              answer goes to the scheduler and releases it there)
//   placed by the scheduler, kept lease      → run, keep the slot for later calls; tell the scheduler the
//                                              environment is idle again
//   sent straight here, no lease             → run within a free kept slot of the function while the
//                                              leader's lease holds (scheduler-lease.ts), or decline
//                                              (nothing runs; the caller goes through the scheduler)
// A worker therefore never runs more of a function's calls than the scheduler admitted, and a warm call
// needs no scheduler for as long as the leader has lately acknowledged the worker's heartbeats.
import { LATEST } from "@lambent/registry/functions";
import { decodeInvocation, declinedResult, failureResult, type InvocationRequest, type LeaseRelease } from "@lambent/protocol";
import type { Logger } from "@lambent/telemetry";
import type { Invoker, InvocationReply } from "./invoke.js";
import type { KeptSlot, KeptSlots } from "./kept-slots.js";
import type { ReleaseBatcher } from "./release-batcher.js";
import type { RunningLeases } from "./running-leases.js";
import type { SchedulerLease } from "./scheduler-lease.js";

/** How long a kept slot may go unused before the worker gives it back to the scheduler. */
export const KEPT_SLOT_LINGER_MS = 2_000;

export interface CallIntakeOptions {
  workerId: string;
  invoker: Invoker;
  running: RunningLeases;
  kept: KeptSlots;
  /** Whether a leader has lately acknowledged a heartbeat: without it, kept slots are not used. */
  lease: Pick<SchedulerLease, "held">;
  releases: ReleaseBatcher;
  logger: Logger;
}

const everySlot = (): boolean => true;

/** Sends a call's answer back the way the call came. */
export type Respond = (result: Uint8Array) => void;

export class CallIntake {
  private inFlight = 0;
  /** Calls running now per function; a function once seen stays listed (at 0). */
  private readonly perFunction = new Map<string, number>();
  private draining = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: CallIntakeOptions) {}

  get running(): number {
    return this.inFlight;
  }

  /** Calls running now, per function (those that ran here since start, at 0 when idle). */
  runningPerFunction(): ReadonlyMap<string, number> {
    return this.perFunction;
  }

  /** Takes one call message; `respond` gets its answer (never called for a call nobody waits for). */
  take(data: Uint8Array, traceparent: string | undefined, respond: Respond | undefined): void {
    let request: InvocationRequest;
    try {
      request = decodeInvocation(data);
    } catch (error) {
      this.options.logger.warn("malformed invocation message", { err: error });
      respond?.(failureResult("", LATEST, { type: "ServiceException", message: "Malformed invocation message" }));
      return;
    }
    const { header } = request;
    let slot: KeptSlot | undefined;
    if (!header.lease) {
      slot = this.draining || !this.options.lease.held() ? undefined : this.options.kept.take(header.functionName);
      if (!slot) {
        respond?.(declinedResult(header.requestId, header.version, this.options.workerId));
        return;
      }
    } else if (header.lease.kept) {
      slot = this.options.kept.add(header.lease, header.functionName, 0);
    }
    this.inFlight++;
    const functionName = header.functionName;
    this.perFunction.set(functionName, (this.perFunction.get(functionName) ?? 0) + 1);
    const done = (): void => {
      this.perFunction.set(functionName, (this.perFunction.get(functionName) ?? 1) - 1);
      this.settled();
    };
    const reply = this.options.invoker.handleRequest(request, traceparent ?? header.traceparent);
    if (reply instanceof Promise) {
      reply
        .then((answer) => this.finish(request, answer, slot, respond))
        .catch((error: unknown) => this.options.logger.error("could not answer an invocation", { err: error }))
        .finally(done);
      return;
    }
    // A warm inline call: answered before the next message is read.
    try {
      this.finish(request, reply, slot, respond);
    } finally {
      done();
    }
  }

  private finish(request: InvocationRequest, reply: InvocationReply, slot: KeptSlot | undefined, respond: Respond | undefined): void {
    const { header } = request;
    const lease = reply.lease;
    if (lease) this.options.running.finished(lease);
    if (slot) {
      if (reply.memoryMb !== undefined) slot.memoryMb = reply.memoryMb;
      this.options.kept.free(slot);
      if (reply.stale) {
        // Placed by a leader that may no longer count the slot: it goes back rather than stay kept here.
        this.giveBack((candidate) => candidate === slot);
      } else if (lease) {
        // The scheduler placed this call: it learns the environment is idle (the slot stays here).
        const note: LeaseRelease = { term: lease.term, leaseId: lease.leaseId, kept: true };
        if (reply.idleEnvironment !== undefined) note.idleEnvironment = reply.idleEnvironment;
        this.release(note);
      } else if (reply.noRoom) {
        // Straight to us, but no room for another environment here: nothing ran, the scheduler places it.
        this.returnIfRecalled(slot);
        respond?.(declinedResult(header.requestId, header.version, this.options.workerId));
        return;
      }
      this.returnIfRecalled(slot);
    } else if (lease && !(lease.answerReleases && respond)) {
      // (A lease the answer releases is closed by the scheduler that gets the answer.)
      const release: LeaseRelease = { term: lease.term, leaseId: lease.leaseId };
      if (reply.idleEnvironment !== undefined) release.idleEnvironment = reply.idleEnvironment;
      this.release(release);
    }
    respond?.(reply.result);
  }

  /**
   * Queues a release for the scheduler. The last running call's goes out before its answer, so NATS
   * delivers it to the scheduler before any call the caller makes next; under load releases still go
   * once per event-loop turn.
   */
  private release(release: LeaseRelease): void {
    this.options.releases.add(release);
    if (this.inFlight === 1) this.options.releases.flush();
  }

  /** Gives back the free kept slots `give` chooses (all unused ones of `functionName`, say); returns how many. */
  giveBack(give: (slot: KeptSlot) => boolean): number {
    const given = this.options.kept.giveBack(give);
    for (const slot of given) this.options.releases.add({ term: slot.lease.term, leaseId: slot.lease.leaseId });
    if (given.length > 0) this.options.releases.flush();
    return given.length;
  }

  /** Marks the kept slots in use that `give` chooses to go back as their calls end (a lowered limit). */
  giveBackWhenDone(give: (slot: KeptSlot) => boolean): number {
    return this.options.kept.returnWhenDone(give);
  }

  /** A slot recalled while its call ran goes back now that the call has ended. */
  private returnIfRecalled(slot: KeptSlot): void {
    if (slot.returning) this.giveBack((candidate) => candidate === slot);
  }

  /**
   * Kept slots unused for KEPT_SLOT_LINGER_MS go back to the scheduler. With the lease lapsed every one
   * goes back, the ones in use as their calls end: the leader may already count them free.
   */
  giveBackLingering(): void {
    if (this.options.kept.size === 0) return;
    if (!this.options.lease.held()) {
      this.giveBack(everySlot);
      this.giveBackWhenDone(everySlot);
      return;
    }
    this.giveBack(this.options.kept.idleSince(performance.now() - KEPT_SLOT_LINGER_MS));
  }

  /** Stops taking calls sent straight here (the scheduler's own still run while it hears of the drain). */
  drain(): void {
    this.draining = true;
  }

  /** Resolves once no call is running. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private settled(): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.idleWaiters.length > 0) {
      for (const wake of this.idleWaiters) wake();
      this.idleWaiters = [];
    }
  }
}

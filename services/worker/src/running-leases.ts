// The calls this worker is running under a scheduler lease, as its heartbeats report them: a new
// scheduler leader rebuilds its concurrency accounting from these before it admits more calls.
import type { Lease, RunningLease } from "@lambent/protocol";

/** The memory reported for a call whose function record is not loaded yet, in MB (Lambda's smallest size). */
export const UNKNOWN_MEMORY_MB = 128;

/** Told about each leased call as the invoker learns of it. */
export interface LeaseObserver {
  /** The call's message is decoded. */
  started(lease: Lease, functionName: string): void;
  /** The call's function record is loaded: its memory size is known. */
  sized(lease: Lease, memoryMb: number): void;
}

export class RunningLeases implements LeaseObserver {
  /** By term, then lease id: number lookups, no key built per call. */
  private readonly byTerm = new Map<number, Map<number, RunningLease>>();
  private newestTerm = -Infinity;

  started(lease: Lease, functionName: string): void {
    let leases = this.byTerm.get(lease.term);
    if (!leases) {
      leases = new Map();
      this.byTerm.set(lease.term, leases);
      if (lease.term > this.newestTerm) this.forgetOldTerms(lease.term);
    }
    leases.set(lease.leaseId, { term: lease.term, leaseId: lease.leaseId, functionName, memoryMb: UNKNOWN_MEMORY_MB });
  }

  sized(lease: Lease, memoryMb: number): void {
    const running = this.byTerm.get(lease.term)?.get(lease.leaseId);
    if (running) running.memoryMb = memoryMb;
  }

  /** The call has been answered: it is no longer reported (call before its release is sent). */
  finished(lease: Lease): void {
    const leases = this.byTerm.get(lease.term);
    if (!leases?.delete(lease.leaseId)) return;
    // The newest term's map stays, so a worker that goes idle and busy again does not build a new one.
    if (leases.size === 0 && lease.term !== this.newestTerm) this.byTerm.delete(lease.term);
  }

  /** A snapshot for a heartbeat. */
  list(): RunningLease[] {
    const list: RunningLease[] = [];
    for (const leases of this.byTerm.values()) for (const running of leases.values()) list.push({ ...running });
    return list;
  }

  private forgetOldTerms(newest: number): void {
    this.newestTerm = newest;
    for (const [term, leases] of this.byTerm) if (term !== newest && leases.size === 0) this.byTerm.delete(term);
  }
}

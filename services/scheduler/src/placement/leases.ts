// Calls placed and not yet finished: each holds a concurrency slot until the worker releases it, the
// worker is lost, or the lease outlives the function's timeout. Leases are named by the leadership term
// that opened them and a number, so a new leader can adopt its predecessor's from workers' reports.

export interface Lease {
  term: number;
  leaseId: number;
  workerId: string;
  functionName: string;
  /** The function's memory size, held on the worker while the call runs. */
  memoryMb: number;
  requestId: string;
  version: string;
  /** Where the caller waits for the answer, so a lost call can be failed fast (absent for adopted calls). */
  replyTo: string | undefined;
  expiresAt: number;
  /** A kept slot: the worker holds it between calls until it releases it, so it never expires. */
  kept: boolean;
}

export class LeaseTable {
  /**
   * Term → lease id → lease. Numbers as keys, not a `${term}.${leaseId}` string per lookup: a lease is
   * opened and closed for every admitted call, and building and hashing those strings was a measurable
   * part of the leader's CPU per call.
   */
  private readonly terms = new Map<number, Map<number, Lease>>();
  private count = 0;
  private nextId = 1;

  /** Opens a lease in `term` with the next number. */
  open(term: number, fields: Omit<Lease, "leaseId" | "term">): Lease {
    // Named fields rather than a spread: a lease is opened per admitted call.
    const { workerId, functionName, memoryMb, requestId, version, replyTo, expiresAt, kept } = fields;
    const lease: Lease = { term, leaseId: this.nextId++, workerId, functionName, memoryMb, requestId, version, replyTo, expiresAt, kept };
    this.put(lease);
    return lease;
  }

  /** Records a lease another term opened (a call a worker reports running). */
  adopt(lease: Lease): void {
    this.put(lease);
  }

  has(term: number, leaseId: number): boolean {
    return this.terms.get(term)?.has(leaseId) === true;
  }

  get(term: number, leaseId: number): Lease | undefined {
    return this.terms.get(term)?.get(leaseId);
  }

  /** Closes a lease; undefined when it was already closed (a late or duplicate release). */
  close(term: number, leaseId: number): Lease | undefined {
    const leases = this.terms.get(term);
    const lease = leases?.get(leaseId);
    if (!lease) return undefined;
    leases!.delete(leaseId);
    this.count -= 1;
    if (leases!.size === 0) this.terms.delete(term);
    return lease;
  }

  /** Closes and returns the leases matching `predicate`; of terms other than `exceptTerm` only, when given. */
  closeWhere(predicate: (lease: Lease) => boolean, exceptTerm?: number): Lease[] {
    const closed: Lease[] = [];
    for (const [term, leases] of this.terms) {
      if (term === exceptTerm) continue;
      for (const [leaseId, lease] of leases) {
        if (!predicate(lease)) continue;
        leases.delete(leaseId);
        closed.push(lease);
      }
      if (leases.size === 0) this.terms.delete(term);
    }
    this.count -= closed.length;
    return closed;
  }

  *all(): IterableIterator<Lease> {
    for (const leases of this.terms.values()) yield* leases.values();
  }

  clear(): void {
    this.terms.clear();
    this.count = 0;
  }

  get size(): number {
    return this.count;
  }

  private put(lease: Lease): void {
    let leases = this.terms.get(lease.term);
    if (!leases) this.terms.set(lease.term, (leases = new Map()));
    if (!leases.has(lease.leaseId)) this.count += 1;
    leases.set(lease.leaseId, lease);
  }
}

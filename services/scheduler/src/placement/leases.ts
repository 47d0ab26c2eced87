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

const leaseKey = (term: number, leaseId: number): string => `${term}.${leaseId}`;

export class LeaseTable {
  private readonly leases = new Map<string, Lease>();
  private nextId = 1;

  /** Opens a lease in `term` with the next number. */
  open(term: number, fields: Omit<Lease, "leaseId" | "term">): Lease {
    const lease: Lease = { ...fields, term, leaseId: this.nextId++ };
    this.leases.set(leaseKey(term, lease.leaseId), lease);
    return lease;
  }

  /** Records a lease another term opened (a call a worker reports running). */
  adopt(lease: Lease): void {
    this.leases.set(leaseKey(lease.term, lease.leaseId), lease);
  }

  has(term: number, leaseId: number): boolean {
    return this.leases.has(leaseKey(term, leaseId));
  }

  /** Closes a lease; undefined when it was already closed (a late or duplicate release). */
  close(term: number, leaseId: number): Lease | undefined {
    const key = leaseKey(term, leaseId);
    const lease = this.leases.get(key);
    if (lease) this.leases.delete(key);
    return lease;
  }

  /** Closes and returns the leases matching `predicate`. */
  closeWhere(predicate: (lease: Lease) => boolean): Lease[] {
    const closed: Lease[] = [];
    for (const [key, lease] of this.leases) {
      if (!predicate(lease)) continue;
      this.leases.delete(key);
      closed.push(lease);
    }
    return closed;
  }

  all(): IterableIterator<Lease> {
    return this.leases.values();
  }

  clear(): void {
    this.leases.clear();
  }

  get size(): number {
    return this.leases.size;
  }
}

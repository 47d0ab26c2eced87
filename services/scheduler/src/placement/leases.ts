// Calls placed and not yet finished: each holds a concurrency slot until the worker releases it,
// the worker is lost, or the lease outlives the function's timeout.

export interface Lease {
  leaseId: number;
  workerId: string;
  requestId: string;
  version: string;
  /** Where the caller waits for the answer, so a lost call can be failed fast. */
  replyTo: string | undefined;
  expiresAt: number;
}

export class LeaseTable {
  private readonly leases = new Map<number, Lease>();
  private nextId = 1;

  open(fields: Omit<Lease, "leaseId">): Lease {
    const lease = { ...fields, leaseId: this.nextId++ };
    this.leases.set(lease.leaseId, lease);
    return lease;
  }

  /** Closes a lease; undefined when it was already closed (a late or duplicate release). */
  close(leaseId: number): Lease | undefined {
    const lease = this.leases.get(leaseId);
    if (lease) this.leases.delete(leaseId);
    return lease;
  }

  /** Closes and returns every lease held on a worker. */
  closeAllOn(workerId: string): Lease[] {
    const closed = [...this.leases.values()].filter((lease) => lease.workerId === workerId);
    for (const lease of closed) this.leases.delete(lease.leaseId);
    return closed;
  }

  /** Closes and returns the leases that expired before `now`. */
  closeExpired(now: number): Lease[] {
    const expired = [...this.leases.values()].filter((lease) => lease.expiresAt < now);
    for (const lease of expired) this.leases.delete(lease.leaseId);
    return expired;
  }

  get size(): number {
    return this.leases.size;
  }
}

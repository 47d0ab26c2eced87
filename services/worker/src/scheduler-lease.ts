// The worker's lease on its kept slots: how long it may still run calls sent straight to it without asking
// the leader. The leader acknowledges each heartbeat with its term, echoing when the worker sent it; the
// lease runs for half the worker timeout from that send. The leader frees a silent worker's slots only
// after the whole worker timeout since it last heard one, so a worker cut off from the leader stops using
// its kept slots before the leader can give them to anyone else (docs/scheduling.md, "Fencing").
import type { HeartbeatAck } from "@lambent/protocol";

export class SchedulerLease {
  /** The highest leadership term heard of: an acknowledgement from an earlier term renews nothing. */
  private highestTerm = 0;
  /** Monotonic milliseconds at which the lease ends; -Infinity until the first acknowledgement. */
  private endsAt = Number.NEGATIVE_INFINITY;
  /** When the lease was last renewed after being out for its whole duration or longer; -Infinity if never. */
  private lastLongLapseEnd = Number.NEGATIVE_INFINITY;

  constructor(
    /** Half the worker timeout. */
    private readonly durationMs: number,
    /** Monotonic milliseconds (performance.now in the service; a fake clock in tests). */
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** For the heartbeat: the time the leader echoes back. */
  sendTime(): number {
    return this.now();
  }

  /** One comparison: whether calls sent straight here may still run in kept slots. */
  held(): boolean {
    return this.now() < this.endsAt;
  }

  get term(): number {
    return this.highestTerm;
  }

  /**
   * A leader heard the heartbeat sent at `ack.sentAt`. Renews the lease unless the acknowledgement comes
   * from an earlier term than one already heard of (a deposed leader that does not know it yet). Returns
   * whether the lease was renewed.
   */
  acknowledged(ack: HeartbeatAck): boolean {
    if (ack.term < this.highestTerm) return false;
    this.highestTerm = ack.term;
    // A send time from the future is not believed: the lease never runs past now plus its duration.
    const now = this.now();
    const sentAt = Math.min(ack.sentAt, now);
    // A long lapse ends here (a call that arrived before it may have had its slot given away).
    if (this.longLapse(now)) this.lastLongLapseEnd = now;
    this.endsAt = Math.max(this.endsAt, sentAt + this.durationMs);
    return true;
  }

  /** Monotonic milliseconds now, on the lease's clock: what `mayStart` compares a call's arrival with. */
  time(): number {
    return this.now();
  }

  /**
   * Whether a call the scheduler placed in `term`, which arrived here at `arrivedAt` (`time()`), may still
   * start. Not when a later leader is known: its placer no longer leads, and the new leader may not count
   * it. Nor when, since it arrived, the lease has been out for its whole duration (the call waited for its
   * code, cut off from JetStream, say): by then no leader has heard this worker for the worker timeout, so
   * the leader may have counted it lost and given the slot to another call. A shorter lapse cannot have.
   */
  mayStart(term: number, arrivedAt: number): boolean {
    if (term < this.highestTerm) return false;
    return !this.longLapse(this.now()) && this.lastLongLapseEnd <= arrivedAt;
  }

  /** Out now, and for at least the lease's duration: half the worker timeout after the lease, the whole timeout after the last acknowledged heartbeat. */
  private longLapse(now: number): boolean {
    return this.endsAt !== Number.NEGATIVE_INFINITY && now - this.endsAt >= this.durationMs;
  }

  /** A leader of `term` announced itself (its request for reports): earlier terms' acknowledgements stop counting. */
  heardOfTerm(term: number): void {
    if (term > this.highestTerm) this.highestTerm = term;
  }
}

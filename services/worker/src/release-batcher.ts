// Gathers lease releases over one event-loop turn and sends them to the leading scheduler as one message,
// so a busy worker does not send one NATS message per finished call.
import type { NatsConnection } from "@nats-io/nats-core";
import { Subjects, encodeJson, type LeaseRelease, type LeaseReleases } from "@lambent/protocol";

export class ReleaseBatcher {
  private pending: LeaseRelease[] = [];
  private scheduled = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly workerId: string,
  ) {}

  add(release: LeaseRelease): void {
    this.pending.push(release);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Sends everything gathered so far (also called before the worker leaves). */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const message: LeaseReleases = { workerId: this.workerId, releases: this.pending };
    this.pending = [];
    this.nc.publish(Subjects.schedulerRelease, encodeJson(message));
  }
}

// Gathers lease releases per scheduler and sends each scheduler one message per event-loop turn, so a
// busy worker does not send one NATS message per finished call.
import type { NatsConnection } from "@nats-io/nats-core";
import { Subjects, encodeJson, type LeaseRelease, type LeaseReleases } from "@lambent/protocol";

export class ReleaseBatcher {
  private readonly pending = new Map<string, LeaseRelease[]>();
  private scheduled = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly workerId: string,
  ) {}

  add(schedulerId: string, release: LeaseRelease): void {
    let releases = this.pending.get(schedulerId);
    if (!releases) {
      releases = [];
      this.pending.set(schedulerId, releases);
    }
    releases.push(release);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Sends everything gathered so far (also called before the worker leaves). */
  flush(): void {
    this.scheduled = false;
    for (const [schedulerId, releases] of this.pending) {
      const message: LeaseReleases = { workerId: this.workerId, releases };
      this.nc.publish(Subjects.schedulerRelease(schedulerId), encodeJson(message));
    }
    this.pending.clear();
  }
}

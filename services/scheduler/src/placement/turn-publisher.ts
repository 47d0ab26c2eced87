// Sends the leader's messages to workers (placed calls, heartbeat acks) once per event-loop turn. The
// NATS client writes its outgoing buffer to the socket after each chunk it reads, so a publish straight
// from a subscription costs about one socket write per admitted call or heartbeat; those writes were the
// largest part of the leader's CPU per admission. Gathered over the turn, the messages of every chunk
// read in it leave in one write. Admission and placement stay synchronous: only the sending waits, for
// at most the rest of the turn.
import type { PublishOptions } from "@nats-io/nats-core";

interface Pending {
  subject: string;
  data: Uint8Array;
  options: Partial<PublishOptions> | undefined;
}

export type Publish = (subject: string, data: Uint8Array, options?: Partial<PublishOptions>) => void;

export class TurnPublisher {
  private pending: Pending[] = [];
  private scheduled = false;

  /** `onError` hears a publish that failed (the connection closing); a placed call's lease then expires. */
  constructor(
    private readonly send: Publish,
    private readonly onError: (error: unknown, subject: string) => void,
  ) {}

  publish(subject: string, data: Uint8Array, options?: Partial<PublishOptions>): void {
    this.pending.push({ subject, data, options });
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Sends everything gathered so far, in the order it was published. */
  flush(): void {
    this.scheduled = false;
    const pending = this.pending;
    this.pending = [];
    for (const { subject, data, options } of pending) {
      try {
        this.send(subject, data, options);
      } catch (error) {
        this.onError(error, subject);
      }
    }
  }
}

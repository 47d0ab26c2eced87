// The caller's end of a streamed response (@lambent/protocol's response-stream.ts): pieces arrive on an
// inbox of this call's own, in order, and each is handed to the consumer; once the consumer has passed it
// on (its promise settles, e.g. when the HTTP response drained) the bytes are acknowledged, which lets the
// function write as many more. So a slow client holds the function back instead of filling this process;
// a client that went away lets it run to its end, its bytes dropped here.
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import { LambdaError } from "@lambent/errors";
import { connectionInbox, decodeResponsePiece, encodeResponseAck } from "@lambent/protocol";

/** Where the pieces go, as they come. */
export interface ResponseConsumer {
  /** The first piece (or the end, for a stream without bytes) is here: the content type the function set. */
  start(contentType: string | undefined, call: StreamedCall): void | Promise<void>;
  /** Passes bytes on; the next piece waits until it settles. */
  write(bytes: Uint8Array): void | Promise<void>;
}

/** The call a stream answers, known before the function runs. */
export interface StreamedCall {
  requestId: string;
  executedVersion: string;
}

/** Once the call's result is in, the pieces it counts must follow within this long. */
const STRAGGLER_WAIT_MS = 30_000;

export class ResponseStreamReader {
  /** Where the worker sends the pieces: an inbox under this frontend's own prefix. */
  readonly subject: string;
  private readonly subscription: Subscription;
  private received = 0;
  private passedOn = 0;
  private expected: number | undefined;
  private readonly done: Promise<void>;
  private failure: unknown;
  private started = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly consumer: ResponseConsumer,
    private readonly call: StreamedCall,
  ) {
    this.subject = connectionInbox(nc);
    this.subscription = nc.subscribe(this.subject);
    // Kept, not thrown: finish() reports it once the call's result is in.
    this.done = this.read().catch((error: unknown) => {
      this.failure = error;
      this.subscription.unsubscribe();
    });
  }

  /** Whether the consumer has been started (bytes went out, or the end did). */
  get hasStarted(): boolean {
    return this.started;
  }

  /** The call's result says how many pieces were sent: resolves once they have all been passed on. */
  async finish(pieces: number): Promise<void> {
    this.expected = pieces;
    if (this.received >= pieces) this.subscription.unsubscribe();
    const timer = setTimeout(() => this.subscription.unsubscribe(), STRAGGLER_WAIT_MS);
    try {
      await this.done;
    } finally {
      clearTimeout(timer);
    }
    if (this.failure !== undefined) throw this.failure;
    if (this.received < pieces) throw new LambdaError("ServiceException", "The response stream lost pieces on the way");
    if (!this.started) await this.begin(undefined);
  }

  /** The call failed before it streamed: nothing more will come. */
  abandon(): void {
    this.subscription.unsubscribe();
  }

  private async begin(contentType: string | undefined): Promise<void> {
    this.started = true;
    await this.consumer.start(contentType, this.call);
  }

  private async read(): Promise<void> {
    let ackTo: string | undefined;
    for await (const message of this.subscription) {
      const piece = decodeResponsePiece(message.data);
      if (piece.header.seq !== this.received) throw new LambdaError("ServiceException", "The response stream's pieces came out of order");
      this.received++;
      if (piece.header.ackTo !== undefined) ackTo = piece.header.ackTo;
      // Once the client is gone the rest is read and dropped, still acknowledged, so the function runs to
      // its end rather than waiting for room until its timeout; the first failure is what finish() reports.
      if (this.failure === undefined) {
        try {
          if (!this.started) await this.begin(piece.header.contentType);
          await this.consumer.write(piece.payload);
        } catch (error) {
          this.failure = error;
        }
      }
      this.passedOn += piece.payload.length;
      if (ackTo !== undefined) this.nc.publish(ackTo, encodeResponseAck(this.passedOn));
      if (this.expected !== undefined && this.received >= this.expected) break;
    }
  }
}

// The worker's end of a streamed response (@lambent/protocol's response-stream.ts): the function's bytes
// go to the caller's subject in pieces, in order, as the environment takes them from the sandbox, and the
// caller's acknowledgements come back on an inbox of this sink's own. What the function may still write is
// the window less what the caller has not acknowledged, so nothing here holds bytes for a slow client.
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import {
  connectionInbox,
  RESPONSE_STREAM_PIECE_BYTES,
  RESPONSE_STREAM_WINDOW_BYTES,
  decodeResponseAck,
  encodeResponsePiece,
  type ResponsePieceHeader,
} from "@lambent/protocol";
import type { ResponseSink } from "./pool/environment.js";

export class NatsResponseSink implements ResponseSink {
  readonly window = RESPONSE_STREAM_WINDOW_BYTES;
  /** Pieces published so far; the result frame names the count. */
  pieces = 0;
  private sent = 0;
  private acknowledged = 0;
  private contentType: string | undefined;
  private listener: ((bytes: number) => void) | undefined;
  /** Where the caller's acknowledgements come: an inbox under this worker's own prefix. */
  private readonly ackTo: string;
  private readonly acks: Subscription;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subject: string,
  ) {
    this.ackTo = connectionInbox(nc);
    this.acks = nc.subscribe(this.ackTo, {
      callback: (error, message) => {
        if (error) return;
        const total = decodeResponseAck(message.data);
        // A total is a running count: older or impossible ones say nothing new.
        if (total === undefined || total <= this.acknowledged || total > this.sent) return;
        const more = total - this.acknowledged;
        this.acknowledged = total;
        this.listener?.(more);
      },
    });
  }

  write(bytes: Uint8Array, contentType: string | undefined): void {
    if (contentType !== undefined && this.pieces === 0) this.contentType = contentType;
    for (let offset = 0; offset < bytes.length; offset += RESPONSE_STREAM_PIECE_BYTES) {
      const piece = bytes.subarray(offset, offset + RESPONSE_STREAM_PIECE_BYTES);
      const header: ResponsePieceHeader = { seq: this.pieces };
      if (this.pieces === 0) {
        header.ackTo = this.ackTo;
        if (this.contentType !== undefined) header.contentType = this.contentType;
      }
      this.nc.publish(this.subject, encodeResponsePiece({ header, payload: piece }));
      this.pieces++;
      this.sent += piece.length;
    }
  }

  onDrain(listener: (bytes: number) => void): void {
    this.listener = listener;
  }

  /** The call ended: acknowledgements are no longer heard. */
  close(): void {
    this.listener = undefined;
    this.acks.unsubscribe();
  }
}

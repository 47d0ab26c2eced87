// Calls between services on one node go over a Unix socket, not NATS: each message is
//   [u32 big-endian length of the rest][u32 big-endian call id][an invocation or result frame]
// The caller numbers its calls; the worker answers each with the same id. Writes are gathered over one
// event-loop turn and go out as one write.
import type { Socket } from "node:net";

const HEAD = 8;
/** Largest message accepted: a 6 MB payload, its header and room to spare. */
export const MAX_LOCAL_MESSAGE_BYTES = 8 * 1024 * 1024;

export class LocalFrameError extends Error {
  override readonly name = "LocalFrameError";
}

/** Splits a byte stream into (call id, frame) messages. */
export class LocalFrameReader {
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;

  /** The complete messages `chunk` finishes; throws LocalFrameError on a message past the size limit. */
  push(chunk: Buffer, onMessage: (id: number, frame: Uint8Array) => void): void {
    let data = chunk;
    if (this.bufferedBytes > 0) {
      this.buffered.push(chunk);
      data = Buffer.concat(this.buffered, this.bufferedBytes + chunk.length);
      this.buffered = [];
      this.bufferedBytes = 0;
    }
    let offset = 0;
    while (data.length - offset >= HEAD) {
      const length = data.readUInt32BE(offset);
      if (length < 4 || length > MAX_LOCAL_MESSAGE_BYTES) throw new LocalFrameError(`local message of ${length} bytes`);
      if (data.length - offset < 4 + length) break;
      const id = data.readUInt32BE(offset + 4);
      onMessage(id, data.subarray(offset + HEAD, offset + 4 + length));
      offset += 4 + length;
    }
    if (offset < data.length) {
      const rest = data.subarray(offset);
      this.buffered.push(rest);
      this.bufferedBytes = rest.length;
    }
  }
}

/** Writes messages to one socket, corked over an event-loop turn so they leave in one write (no copy). */
export class LocalFrameWriter {
  private corked = false;

  constructor(private readonly socket: Socket) {}

  write(id: number, frame: Uint8Array): void {
    if (this.socket.destroyed) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    const head = Buffer.allocUnsafe(HEAD);
    head.writeUInt32BE(4 + frame.length, 0);
    head.writeUInt32BE(id, 4);
    this.socket.write(head);
    this.socket.write(frame);
  }
}

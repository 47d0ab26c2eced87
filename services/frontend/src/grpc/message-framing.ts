// gRPC's length-prefixed messages on an HTTP/2 stream: a flag byte (1 = compressed), a 4-byte big-endian
// length, then the message. The reader refuses a message over the limit as soon as its prefix says so,
// before buffering any of it.
const PREFIX_BYTES = 5;

export interface ReceivedMessage {
  compressed: boolean;
  bytes: Buffer;
}

/** A prefix declared a message longer than the receive limit. */
export class MessageTooLargeError extends Error {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`Received message larger than max (${size} vs. ${limit})`);
    this.name = "MessageTooLargeError";
  }
}

export class MessageReader {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  /** The length and flag of the message being received, once its prefix is in. */
  private expected: { length: number; compressed: boolean } | undefined;

  constructor(private readonly maxMessageBytes: number) {}

  /** The whole messages completed by this chunk, in order; throws MessageTooLargeError. */
  push(chunk: Buffer): ReceivedMessage[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const messages: ReceivedMessage[] = [];
    for (;;) {
      if (this.expected === undefined) {
        if (this.buffered < PREFIX_BYTES) break;
        const prefix = this.take(PREFIX_BYTES);
        const length = prefix.readUInt32BE(1);
        if (length > this.maxMessageBytes) throw new MessageTooLargeError(length, this.maxMessageBytes);
        this.expected = { length, compressed: prefix[0] !== 0 };
      }
      if (this.buffered < this.expected.length) break;
      messages.push({ compressed: this.expected.compressed, bytes: this.take(this.expected.length) });
      this.expected = undefined;
    }
    return messages;
  }

  /** True when the stream ended part way through a message (a truncated frame). */
  get partial(): boolean {
    return this.buffered > 0 || this.expected !== undefined;
  }

  /** The next `length` bytes; a view when one chunk holds them, else one copy. */
  private take(length: number): Buffer {
    this.buffered -= length;
    const first = this.chunks[0];
    if (first !== undefined && first.length >= length) {
      if (first.length === length) this.chunks.shift();
      else this.chunks[0] = first.subarray(length);
      return first.subarray(0, length);
    }
    const whole = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const chunk = this.chunks[0]!;
      const used = Math.min(chunk.length, length - filled);
      chunk.copy(whole, filled, 0, used);
      filled += used;
      if (used === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(used);
    }
    return whole;
  }
}

/** One message with its prefix, uncompressed. */
export function frameMessage(message: Uint8Array): Buffer {
  const framed = Buffer.allocUnsafe(PREFIX_BYTES + message.length);
  framed[0] = 0;
  framed.writeUInt32BE(message.length, 1);
  framed.set(message, PREFIX_BYTES);
  return framed;
}

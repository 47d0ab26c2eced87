// One gRPC call on one HTTP/2 stream, the server's side: response headers (with any metadata a handler
// adds first), messages, and the status as trailers — or as a trailers-only response when nothing was
// sent before it. Also the call's deadline (`grpc-timeout`) and its cancellation by the client, and the
// call objects handlers see, in @grpc/grpc-js's shapes so the health and reflection services run as they are.
import { EventEmitter } from "node:events";
import type { ServerHttp2Stream, IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http2";
import { Metadata, status as GrpcStatus } from "@grpc/grpc-js";
import { frameMessage } from "./message-framing.js";

/** A status to end a call with: grpc-js's ServiceError and StatusObject both fit. */
export interface CallStatus {
  code?: number | undefined;
  details?: string | undefined;
  message?: string | undefined;
  metadata?: Metadata | null | undefined;
}

/** Headers that are the transport's, not metadata a handler should see. */
const TRANSPORT_HEADERS = ["te", "content-type", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding"];

const TIMEOUT_UNIT_MS: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 0.001, n: 0.000_001 };

/** `grpc-timeout` in milliseconds: up to 8 digits and a unit; undefined when absent, NaN when malformed. */
export function parseGrpcTimeout(value: string | string[] | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = typeof value === "string" ? /^(\d{1,8})([HMSmun])$/.exec(value) : null;
  return match ? Number(match[1]) * TIMEOUT_UNIT_MS[match[2]!]! : Number.NaN;
}

/** grpc-message is percent-encoded: everything outside printable ASCII, and `%` itself. */
function encodeGrpcMessage(text: string): string {
  return /^[\x20-\x24\x26-\x7e]*$/.test(text) ? text : Buffer.from(text).reduce((encoded, byte) => encoded + (byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`), "");
}

/** How one method's messages become bytes and back (a grpc-js MethodDefinition has both). */
export interface MessageCodec {
  serialize(value: unknown): Uint8Array;
}

export class ServerCall extends EventEmitter {
  cancelled = false;
  /** The request message, for unary and server-streaming calls. */
  request: unknown;
  private finished = false;
  private headersSent = false;
  private extraHeaders: OutgoingHttpHeaders | undefined;
  private trailers: OutgoingHttpHeaders | undefined;
  private metadataRead: Metadata | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private readonly deadline: Date | number;

  constructor(
    readonly stream: ServerHttp2Stream,
    private readonly headers: IncomingHttpHeaders,
    readonly path: string,
    private readonly codec: MessageCodec,
    private readonly maxSendBytes: number,
    timeoutMs: number | undefined,
  ) {
    super();
    this.deadline = timeoutMs === undefined ? Infinity : new Date(Date.now() + timeoutMs);
    if (timeoutMs !== undefined) {
      this.deadlineTimer = setTimeout(() => {
        this.sendStatus({ code: GrpcStatus.DEADLINE_EXCEEDED, details: "Deadline exceeded" });
        this.cancel();
      }, timeoutMs);
    }
    // A handler ends a streaming call with an error by emitting it, as with grpc-js.
    this.on("error", (error: CallStatus) => this.sendStatus(error));
    stream.once("close", () => {
      // The stream closed before the status went out: the client cancelled, or the connection went.
      if (!this.finished) {
        this.finished = true;
        this.cancel();
      }
      clearTimeout(this.deadlineTimer);
      this.emit("close");
    });
  }

  /** The request's metadata, `-bin` values decoded; built on first use (the warm path rarely reads it). */
  get metadata(): Metadata {
    if (!this.metadataRead) {
      this.metadataRead = Metadata.fromHttp2Headers(this.headers);
      for (const name of TRANSPORT_HEADERS) this.metadataRead.remove(name);
    }
    return this.metadataRead;
  }

  get done(): boolean {
    return this.finished;
  }

  getPath(): string {
    return this.path;
  }

  getDeadline(): Date | number {
    return this.deadline;
  }

  getPeer(): string {
    const socket = this.stream.session?.socket;
    return socket ? `${socket.remoteAddress ?? "unknown"}:${socket.remotePort ?? 0}` : "unknown";
  }

  /** Metadata for the response headers; it goes out with the first message, or in a trailers-only status. */
  sendMetadata(metadata: Metadata): void {
    if (this.headersSent || this.finished) return;
    this.extraHeaders = { ...this.extraHeaders, ...metadata.toHttp2Headers() };
  }

  /** Sends one serialized message; false (and the call ended with RESOURCE_EXHAUSTED) when it is over the limit. */
  sendMessage(message: Uint8Array, written?: (error?: Error | null) => void): boolean {
    if (this.finished || this.stream.destroyed) {
      written?.(new Error("the call has ended"));
      return false;
    }
    if (message.length > this.maxSendBytes) {
      this.sendStatus({ code: GrpcStatus.RESOURCE_EXHAUSTED, details: `Sent message larger than max (${message.length} vs. ${this.maxSendBytes})` });
      written?.(new Error("the message is over the send limit"));
      return false;
    }
    this.respond();
    this.stream.write(frameMessage(message), written);
    return true;
  }

  /** Unary's answer: one message then OK, written together. */
  sendLastMessage(message: Uint8Array, trailer?: Metadata | null): void {
    if (this.finished || this.stream.destroyed) return;
    if (message.length > this.maxSendBytes) {
      this.sendStatus({ code: GrpcStatus.RESOURCE_EXHAUSTED, details: `Sent message larger than max (${message.length} vs. ${this.maxSendBytes})` });
      return;
    }
    this.finish({ code: GrpcStatus.OK, details: "OK", metadata: trailer }, frameMessage(message));
  }

  /** A streaming response's next message; `written` runs once the stream took it. */
  write(value: unknown, written?: (error?: Error | null) => void): boolean {
    return this.sendMessage(this.codec.serialize(value), written);
  }

  /** A streaming response's end: status OK, with optional trailing metadata. */
  end(trailer?: Metadata): void {
    this.sendStatus({ code: GrpcStatus.OK, details: "OK", metadata: trailer });
  }

  /** Ends the call with a status; the first status wins. */
  sendStatus(status: CallStatus): void {
    this.finish(status, undefined);
  }

  private finish(status: CallStatus, lastMessage: Buffer | undefined): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.deadlineTimer);
    if (this.stream.destroyed || this.stream.closed) return;
    const code = status.code ?? GrpcStatus.UNKNOWN;
    const statusHeaders: OutgoingHttpHeaders = {
      ...status.metadata?.toHttp2Headers(),
      "grpc-status": String(code),
      "grpc-message": encodeGrpcMessage(status.details ?? status.message ?? ""),
    };
    if (!this.headersSent && lastMessage === undefined) {
      // Trailers-only: the status rides on the only HEADERS frame.
      this.headersSent = true;
      this.stream.respond({ ...this.responseHeaders(), ...statusHeaders }, { endStream: true });
      return;
    }
    this.trailers = statusHeaders;
    this.respond();
    if (lastMessage) this.stream.end(lastMessage);
    else this.stream.end();
  }

  /** Response headers, once; every response that is not trailers-only ends in trailers. */
  private respond(): void {
    if (this.headersSent) return;
    this.headersSent = true;
    this.stream.once("wantTrailers", () => {
      if (!this.stream.destroyed) this.stream.sendTrailers(this.trailers ?? { "grpc-status": String(GrpcStatus.OK), "grpc-message": "OK" });
    });
    this.stream.respond(this.responseHeaders(), { waitForTrailers: true });
  }

  private responseHeaders(): OutgoingHttpHeaders {
    return { ":status": 200, "content-type": "application/grpc+proto", "grpc-accept-encoding": "identity", ...this.extraHeaders };
  }

  private cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.emit("cancelled", "cancelled");
  }
}

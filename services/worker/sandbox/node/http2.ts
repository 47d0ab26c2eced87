// `http2`: client sessions carried out by the host with Node's own http2 client (host/http2-client.ts),
// over a connection dialled under the egress policy as `net`'s are. `connect(authority)` gives a session
// whose `request(headers)` gives a Duplex stream: its response's headers come as 'response', its body as
// data, and its writes go to the server. Events wait on the host until the sandbox polls for them, as a
// socket's do (node/net.ts); every session closes with the invocation that opened it. No servers.
import { callHost } from "../host-access.js";
import { unref } from "../timers.js";
import { vendor } from "../vendor.js";
import { Buffer } from "./buffer.js";
import { refHost, socketError, watchHost, type SocketErrorData, type TlsSettings } from "./net.js";
import { createUnsupported, type NodeError } from "./unsupported.js";

/** The most bytes one host write carries (the host's SOCKET_WRITE_BUFFER_BYTES). */
const WRITE_PIECE_BYTES = 64 * 1024;
/** Methods whose request has no body: the stream's writable side ends at once, as in Node. */
const NO_PAYLOAD = new Set(["GET", "HEAD", "DELETE"]);

type Listener = (...args: unknown[]) => void;
type Headers = Record<string, string | number | string[]>;

interface EmitterBase {
  on(event: string, listener: Listener): this;
  once(event: string, listener: Listener): this;
  emit(event: string, ...args: unknown[]): boolean;
  listenerCount(event: string): number;
}
type EmitterClass = new () => EmitterBase;

interface DuplexBase extends EmitterBase {
  destroyed: boolean;
  readableEnded: boolean;
  push(chunk: unknown): boolean;
  destroy(error?: Error): this;
  end(...args: unknown[]): this;
}
type DuplexClass = new (options: Record<string, unknown>) => DuplexBase;

function nodeError(message: string, code: string): NodeError {
  const error = new Error(message) as NodeError;
  error.code = code;
  return error;
}

/** Node's headers object from the host's pairs: `:status` a number, repeated names (set-cookie) a list. */
function headersOf(pairs: [string, string][]): Record<string, string | number | string[]> {
  const headers: Record<string, string | number | string[]> = {};
  for (const [name, value] of pairs) {
    const previous = headers[name];
    if (name === ":status") headers[name] = Number(value);
    else if (previous === undefined) headers[name] = name === "set-cookie" ? [value] : value;
    else headers[name] = Array.isArray(previous) ? [...previous, value] : `${String(previous)}, ${value}`;
  }
  return headers;
}

/** The request's headers as the host takes them: string pairs. */
function headerPairs(headers: Headers): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    for (const one of Array.isArray(value) ? value : [value]) pairs.push([name, String(one)]);
  }
  return pairs;
}

interface SessionOptions {
  servername?: string;
  rejectUnauthorized?: boolean;
  ca?: unknown;
  cert?: unknown;
  key?: unknown;
  createConnection?: unknown;
}

function pem(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return Buffer().from(value).toString("utf8");
  return undefined;
}

function tlsSettings(options: SessionOptions): TlsSettings {
  const settings: TlsSettings = { rejectUnauthorized: options.rejectUnauthorized !== false };
  if (typeof options.servername === "string") settings.servername = options.servername;
  const ca = (Array.isArray(options.ca) ? options.ca : options.ca === undefined ? [] : [options.ca]).map(pem).filter((entry): entry is string => entry !== undefined);
  if (ca.length > 0) settings.ca = ca;
  const cert = pem(options.cert);
  const key = pem(options.key);
  if (cert !== undefined) settings.cert = cert;
  if (key !== undefined) settings.key = key;
  return settings;
}

/** An idle timer that emits 'timeout' on `target` after `ms` without activity; it keeps no event loop alive. */
class IdleTimer {
  private ms = 0;
  private timer: unknown;
  constructor(private readonly target: EmitterBase) {}
  set(ms: number, listener?: Listener): void {
    this.ms = Number(ms) || 0;
    if (listener) this.target.once("timeout", listener);
    this.touch();
  }
  touch(): void {
    this.stop();
    if (this.ms > 0) this.timer = unref(setTimeout(() => this.target.emit("timeout"), this.ms));
  }
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

let built: Record<string, unknown> | undefined;

export function createHttp2(): Record<string, unknown> {
  if (built) return built;
  const EventEmitter = vendor.events() as unknown as EmitterClass;
  const Duplex = vendor.stream()["Duplex"] as DuplexClass;

  class ClientHttp2Stream extends Duplex {
    id: number | undefined;
    hostId: number | undefined;
    rstCode: number | undefined;
    aborted = false;
    pending = true;
    sentHeaders: Headers;
    readonly session: ClientHttp2Session;
    private readonly idle = new IdleTimer(this);
    private flowing = true;
    private drained: (() => void) | undefined;
    private readonly waitingReady: (() => void)[] = [];
    private endReceived = false;
    private readonly endedAtStart: boolean;

    constructor(session: ClientHttp2Session, headers: Headers, endStream: boolean) {
      super({ allowHalfOpen: true, emitClose: true, autoDestroy: true, decodeStrings: true });
      this.session = session;
      this.sentHeaders = headers;
      this.endedAtStart = endStream;
      if (endStream) this.end();
    }

    /** The session is up: the host opens the stream. */
    open(): void {
      if (this.destroyed) return;
      try {
        this.hostId = callHost("net.h2request", this.session.hostId, headerPairs(this.sentHeaders), this.endedAtStart) as number;
      } catch (error) {
        queueMicrotask(() => this.destroy(error as Error));
        return;
      }
      this.pending = false;
      watchHost(this.hostId, (kind, value) => this.hostEvent(kind, value), this.session.refed);
      this.emit("ready");
      for (const resume of this.waitingReady.splice(0)) resume();
    }

    private hostEvent(kind: string, value: unknown): void {
      this.idle.touch();
      this.session.touch();
      switch (kind) {
        case "response": {
          const headers = headersOf(value as [string, string][]);
          const status = Number(headers[":status"]);
          this.emit(status >= 100 && status < 200 ? "headers" : "response", headers, 0);
          return;
        }
        case "trailers":
          this.emit("trailers", headersOf(value as [string, string][]), 0);
          return;
        case "data": {
          const bytes = value as Uint8Array;
          const chunk = (Buffer() as unknown as { from(buffer: ArrayBufferLike, offset: number, length: number): Uint8Array }).from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          if (!this.push(chunk) && this.flowing && this.hostId !== undefined) {
            this.flowing = false;
            callHost("net.flow", this.hostId, false);
          }
          return;
        }
        case "drain": {
          const drained = this.drained;
          this.drained = undefined;
          drained?.();
          return;
        }
        case "end":
          this.endReceived = true;
          this.push(null);
          return;
        case "error":
          this.hostId = undefined;
          this.destroy(socketError(value as SocketErrorData));
          return;
        case "close":
        case "abandon":
          this.hostId = undefined;
          this.idle.stop();
          if (this.readableEnded || this.destroyed) this.destroy();
          else if (this.endReceived) this.once("end", () => queueMicrotask(() => this.destroy()));
          else {
            this.aborted = true;
            this.emit("aborted");
            this.destroy();
          }
          return;
      }
    }

    _read(): void {
      if (!this.flowing && this.hostId !== undefined) {
        this.flowing = true;
        callHost("net.flow", this.hostId, true);
      }
    }

    _write(chunk: Uint8Array, _encoding: string, callback: (error?: Error | null) => void): void {
      if (this.pending) {
        this.waitingReady.push(() => this._write(chunk, _encoding, callback));
        return;
      }
      this.send(chunk, 0, callback);
    }

    private send(chunk: Uint8Array, offset: number, callback: (error?: Error | null) => void): void {
      while (offset < chunk.length) {
        if (this.hostId === undefined) return callback(nodeError("The stream has been destroyed", "ERR_HTTP2_INVALID_STREAM"));
        const piece = chunk.subarray(offset, offset + WRITE_PIECE_BYTES);
        let more: boolean;
        try {
          more = callHost("net.write", this.hostId, new Uint8Array(piece)) as boolean;
        } catch (error) {
          return callback(error as Error);
        }
        offset += piece.length;
        this.idle.touch();
        if (!more) {
          const from = offset;
          this.drained = () => this.send(chunk, from, callback);
          return;
        }
      }
      callback();
    }

    _final(callback: (error?: Error | null) => void): void {
      const finish = (): void => {
        try {
          if (this.hostId !== undefined && !this.endedAtStart) callHost("net.end", this.hostId);
        } catch {
          // The host closed the stream already: nothing to end.
        }
        callback();
      };
      if (this.pending && !this.destroyed) this.waitingReady.push(finish);
      else finish();
    }

    _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
      this.idle.stop();
      const id = this.hostId;
      this.hostId = undefined;
      if (id !== undefined) {
        try {
          callHost("net.destroy", id);
        } catch {
          // The host has already dropped it (the invocation ended).
        }
      }
      callback(error);
    }

    setTimeout(ms: number, listener?: Listener): this {
      this.idle.set(ms, listener);
      return this;
    }

    /** Node's close(code[, callback]): the stream is reset. */
    close(code?: number, callback?: Listener): void {
      this.rstCode = Number(code ?? 0);
      if (callback) this.once("close", callback);
      this.destroy();
    }

    priority(): void {
      // Priorities are advisory, and Node's own client dropped them; nothing to send.
    }
  }

  class ClientHttp2Session extends EventEmitter {
    hostId: number;
    connecting = true;
    closed = false;
    destroyed = false;
    encrypted = false;
    alpnProtocol: string | undefined;
    type = 1;
    refed = true;
    private readonly idle = new IdleTimer(this);
    private readonly streams = new Set<ClientHttp2Stream>();
    private readonly waiting: ClientHttp2Stream[] = [];
    private closing = false;

    constructor(authority: string, options: SessionOptions) {
      super();
      const secure = authority.startsWith("https:");
      this.hostId = callHost("net.h2connect", authority, secure ? tlsSettings(options) : null) as number;
      watchHost(this.hostId, (kind, value) => this.hostEvent(kind, value));
    }

    private hostEvent(kind: string, value: unknown): void {
      this.touch();
      switch (kind) {
        case "session": {
          const info = value as { alpnProtocol: string; encrypted: boolean };
          this.connecting = false;
          this.alpnProtocol = info.alpnProtocol;
          this.encrypted = info.encrypted;
          this.emit("connect", this, null);
          for (const stream of this.waiting.splice(0)) stream.open();
          if (this.closing) callHost("net.h2close", this.hostId);
          return;
        }
        case "goaway":
          this.emit("goaway", Number(value), 0);
          return;
        case "error":
          this.finish(socketError(value as SocketErrorData));
          return;
        case "close":
        case "abandon":
          this.finish(undefined);
          return;
      }
    }

    /** Activity on the session or one of its streams: its idle timer starts again. */
    touch(): void {
      this.idle.touch();
    }

    request(headers: Headers = {}, options: { endStream?: boolean } = {}): ClientHttp2Stream {
      if (this.closed || this.destroyed) throw nodeError("The session has been destroyed", "ERR_HTTP2_INVALID_SESSION");
      const method = String(headers[":method"] ?? "GET").toUpperCase();
      const endStream = options.endStream ?? NO_PAYLOAD.has(method);
      const stream = new ClientHttp2Stream(this, { ...headers }, endStream);
      this.streams.add(stream);
      stream.once("close", () => this.streams.delete(stream));
      if (this.connecting) this.waiting.push(stream);
      else stream.open();
      return stream;
    }

    /** Closes once the open streams are done; no new ones may start. */
    close(callback?: Listener): void {
      if (callback) this.once("close", callback);
      if (this.closed) return;
      this.closed = true;
      if (this.connecting) this.closing = true;
      else callHost("net.h2close", this.hostId);
    }

    destroy(error?: Error): void {
      if (this.destroyed) return;
      try {
        callHost("net.destroy", this.hostId);
      } catch {
        // The host has already dropped it (the invocation ended).
      }
      for (const stream of this.streams) if (!this.waiting.includes(stream)) stream.destroy();
      this.finish(error);
    }

    private finish(error: Error | undefined): void {
      if (this.destroyed) return;
      this.destroyed = true;
      this.closed = true;
      this.connecting = false;
      this.idle.stop();
      // As Node's: streams still waiting for the session are cancelled, the session's error their cause.
      const cancel = nodeError(`The pending stream has been canceled${error ? ` (caused by: ${error.message})` : ""}`, "ERR_HTTP2_STREAM_CANCEL");
      if (error) (cancel as NodeError & { cause?: unknown }).cause = error;
      for (const stream of this.waiting.splice(0)) stream.destroy(cancel);
      queueMicrotask(() => {
        if (error && this.listenerCount("error") > 0) this.emit("error", error);
        this.emit("close");
      });
    }

    setTimeout(ms: number, listener?: Listener): this {
      this.idle.set(ms, listener);
      return this;
    }

    ref(): void {
      this.refed = true;
      refHost(this.hostId, true);
      for (const stream of this.streams) if (stream.hostId !== undefined) refHost(stream.hostId, true);
    }

    unref(): void {
      this.refed = false;
      refHost(this.hostId, false);
      for (const stream of this.streams) if (stream.hostId !== undefined) refHost(stream.hostId, false);
    }

    ping(): boolean {
      throw nodeError("The http2 session's ping method is not implemented in Lambent's isolate runtime", "ERR_METHOD_NOT_IMPLEMENTED");
    }

    settings(): void {
      // The host's session keeps Node's default settings.
    }
  }

  /** connect(authority[, options][, listener]) */
  const connect = (authority: unknown, ...rest: unknown[]): ClientHttp2Session => {
    const listener = typeof rest[rest.length - 1] === "function" ? (rest.pop() as Listener) : undefined;
    const options = (typeof rest[0] === "object" && rest[0] !== null ? rest[0] : {}) as SessionOptions;
    if (options.createConnection !== undefined) throw nodeError("http2.connect's createConnection option is not available in Lambent's isolate runtime", "ERR_METHOD_NOT_IMPLEMENTED");
    const text = typeof authority === "string" ? authority : String((authority as { href?: unknown } | null)?.href ?? authority);
    const session = new ClientHttp2Session(text, options);
    if (listener) session.once("connect", listener);
    return session;
  };

  built = {
    ...createUnsupported("http2", { functions: ["createServer", "createSecureServer"], classes: ["Http2ServerRequest", "Http2ServerResponse"] }),
    connect,
    ClientHttp2Session,
    ClientHttp2Stream,
    constants: HTTP2_CONSTANTS,
    sensitiveHeaders: Symbol("nodejs.http2.sensitiveHeaders"),
    getDefaultSettings: () => ({ headerTableSize: 4096, enablePush: true, initialWindowSize: 65535, maxFrameSize: 16384, maxConcurrentStreams: 4294967295, maxHeaderListSize: 65535, maxHeaderSize: 65535, enableConnectProtocol: false }),
  };
  return built;
}

/** The constants code reads most (header names, methods, status codes, error codes). */
const HTTP2_CONSTANTS: Record<string, string | number> = {
  NGHTTP2_SESSION_CLIENT: 1,
  NGHTTP2_NO_ERROR: 0,
  NGHTTP2_PROTOCOL_ERROR: 1,
  NGHTTP2_INTERNAL_ERROR: 2,
  NGHTTP2_FLOW_CONTROL_ERROR: 3,
  NGHTTP2_SETTINGS_TIMEOUT: 4,
  NGHTTP2_STREAM_CLOSED: 5,
  NGHTTP2_FRAME_SIZE_ERROR: 6,
  NGHTTP2_REFUSED_STREAM: 7,
  NGHTTP2_CANCEL: 8,
  NGHTTP2_COMPRESSION_ERROR: 9,
  NGHTTP2_CONNECT_ERROR: 10,
  NGHTTP2_ENHANCE_YOUR_CALM: 11,
  NGHTTP2_INADEQUATE_SECURITY: 12,
  NGHTTP2_HTTP_1_1_REQUIRED: 13,
  HTTP2_HEADER_STATUS: ":status",
  HTTP2_HEADER_METHOD: ":method",
  HTTP2_HEADER_AUTHORITY: ":authority",
  HTTP2_HEADER_SCHEME: ":scheme",
  HTTP2_HEADER_PATH: ":path",
  HTTP2_HEADER_CONTENT_TYPE: "content-type",
  HTTP2_HEADER_CONTENT_LENGTH: "content-length",
  HTTP2_HEADER_ACCEPT: "accept",
  HTTP2_HEADER_ACCEPT_ENCODING: "accept-encoding",
  HTTP2_HEADER_AUTHORIZATION: "authorization",
  HTTP2_HEADER_USER_AGENT: "user-agent",
  HTTP2_METHOD_GET: "GET",
  HTTP2_METHOD_POST: "POST",
  HTTP2_METHOD_PUT: "PUT",
  HTTP2_METHOD_DELETE: "DELETE",
  HTTP2_METHOD_HEAD: "HEAD",
  HTTP2_METHOD_PATCH: "PATCH",
  HTTP2_METHOD_OPTIONS: "OPTIONS",
  HTTP_STATUS_OK: 200,
  HTTP_STATUS_NO_CONTENT: 204,
  HTTP_STATUS_NOT_FOUND: 404,
  HTTP_STATUS_INTERNAL_SERVER_ERROR: 500,
};

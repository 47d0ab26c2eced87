// `net`: TCP client sockets carried out by the host (host/sockets.ts), which dials only what the egress
// policy allows and bounds what it holds; here each socket is a Node-shaped Duplex over a host socket id.
// Events (connect, data, end, errors, close, name lookups' answers) wait on the host until it wakes the
// sandbox to poll for them (`Runtime.sockets`). Reads are flow-controlled: a socket whose reader is full
// tells the host to stop handing it data, and the host then stops reading from the network. Writes
// wait for the host's `drain`. Every socket ends with the invocation that opened it, and keeps its event
// loop alive until then unless it is unref'd. Servers cannot be created: a function's server is Lambda's
// event source.
import { callHost } from "../host-access.js";
import { reportUncaught } from "../invocation-state.js";
import { unref } from "../timers.js";
import { vendor } from "../vendor.js";
import { Buffer } from "./buffer.js";
import { createUnsupported, type NodeError } from "./unsupported.js";

/** The most bytes one host write carries (the host's SOCKET_WRITE_BUFFER_BYTES). */
const WRITE_PIECE_BYTES = 64 * 1024;

type HostEventHandler = (kind: string, value: unknown) => void;
const handlers = new Map<number, HostEventHandler>();
/** Of the ids heard, those of unref'd sockets: they do not keep the event loop alive. */
const unrefed = new Set<number>();

/** Hears the host's events for `id` (a socket, or a name lookup) until its last one. */
export function watchHost(id: number, handler: HostEventHandler, ref = true): void {
  handlers.set(id, handler);
  if (ref) unrefed.delete(id);
  else unrefed.add(id);
}

/** Whether the socket or session `id` keeps the event loop alive (its ref() and unref()). */
export function refHost(id: number, ref: boolean): void {
  if (!handlers.has(id)) return;
  if (ref) unrefed.delete(id);
  else unrefed.add(id);
}

function unwatch(id: number): void {
  handlers.delete(id);
  unrefed.delete(id);
}

/** Whether a socket or a name lookup keeps the event loop alive. */
export function socketsPending(): boolean {
  return handlers.size > unrefed.size;
}

/** The host has events for this environment's sockets: hand each to its socket. */
export function pollSockets(): void {
  const events = callHost("net.poll") as [number, string, unknown][];
  for (const [id, kind, value] of events) {
    const handler = handlers.get(id);
    if (kind === "close" || kind === "lookup") unwatch(id);
    try {
      handler?.(kind, value);
    } catch (error) {
      reportUncaught(error);
    }
  }
}

/** The invocation ended and the host closed its sockets: each socket here closes too. */
export function abandonSockets(): void {
  const open = [...handlers.values()];
  handlers.clear();
  unrefed.clear();
  for (const handler of open) {
    try {
      handler("abandon", undefined);
    } catch {
      // A listener's failure after the invocation's end has no invocation to fail.
    }
  }
}

export interface SocketErrorData {
  message: string;
  code: string;
  syscall?: string;
  address?: string;
  port?: number;
  hostname?: string;
}

export function socketError(data: SocketErrorData): NodeError {
  const error = new Error(data.message) as NodeError & Record<string, unknown>;
  for (const [key, value] of Object.entries(data)) if (key !== "message") error[key] = value;
  return error;
}

function nodeError(Class: ErrorConstructor, message: string, code: string): NodeError {
  const error = new Class(message) as NodeError;
  error.code = code;
  return error;
}

export function isIPv4(input: unknown): boolean {
  return /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(String(input));
}

export function isIPv6(input: unknown): boolean {
  const text = String(input);
  return /^[0-9a-fA-F:.]+(%.+)?$/.test(text) && text.includes(":");
}

export function isIP(input: unknown): number {
  return isIPv4(input) ? 4 : isIPv6(input) ? 6 : 0;
}

type Listener = (...args: unknown[]) => void;

/** What the sandbox uses of readable-stream's Duplex. */
interface DuplexBase {
  destroyed: boolean;
  readableEnded: boolean;
  writable: boolean;
  readable: boolean;
  push(chunk: unknown): boolean;
  destroy(error?: Error): this;
  end(...args: unknown[]): this;
  emit(event: string, ...args: unknown[]): boolean;
  on(event: string, listener: Listener): this;
  once(event: string, listener: Listener): this;
}
type DuplexClass = new (options: Record<string, unknown>) => DuplexBase;

/** TLS settings the host takes (host/sockets.ts TlsSettings). */
export interface TlsSettings {
  servername?: string;
  rejectUnauthorized?: boolean;
  ca?: string[];
  cert?: string;
  key?: string;
  alpnProtocols?: string[];
}

export interface SocketOptions {
  port?: number | string;
  host?: string;
  path?: string;
  timeout?: number;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  allowHalfOpen?: boolean;
  fd?: unknown;
}

/** A Node-shaped socket over a host socket id. */
export interface HostSocket extends DuplexBase {
  connecting: boolean;
  pending: boolean;
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  hostId: number | undefined;
  connect(...args: unknown[]): this;
  /** Takes over a connected socket's host id (TLS over it) and waits for the host's `secure`. */
  adopt(from: HostSocket, settings: TlsSettings): void;
  dial(port: number, host: string, tls: TlsSettings | null): void;
}

export interface SocketClasses {
  Socket: new (options?: SocketOptions) => HostSocket;
  TLSSocket: new (options?: SocketOptions) => HostSocket;
}

let classes: SocketClasses | undefined;

/** The socket classes, built on first use over readable-stream's Duplex. */
export function socketClasses(): SocketClasses {
  if (classes) return classes;
  const Duplex = vendor.stream()["Duplex"] as DuplexClass;

  class Socket extends Duplex {
    connecting = false;
    pending = true;
    remoteAddress: string | undefined;
    remotePort: number | undefined;
    remoteFamily: string | undefined;
    localAddress: string | undefined;
    localPort: number | undefined;
    bytesRead = 0;
    bytesWritten = 0;
    timeout: number | undefined;
    hostId: number | undefined;
    /** Writes wait for this: the connection (and TLS, when asked for) is up. */
    protected ready = false;
    protected secure = false;
    private readonly waitingReady: (() => void)[] = [];
    private drained: (() => void) | undefined;
    /** The host hands data only while this is true. */
    private flowing = true;
    private idle: ReturnType<typeof setTimeout> | undefined;
    private noDelay: boolean | undefined;
    private keepAlive: [boolean, number] | undefined;
    private hadError = false;
    /** Whether the socket keeps the event loop alive (ref, unref). */
    private refed = true;
    /** The plain socket a TLS socket was put over (tls.connect({ socket })). */
    private underlying: HostSocket | undefined;

    constructor(options: SocketOptions = {}) {
      super({ allowHalfOpen: Boolean(options.allowHalfOpen), emitClose: true, autoDestroy: true, decodeStrings: true });
      if (options.fd !== undefined) throw nodeError(Error, "Sockets from file descriptors are not available in Lambent's isolate runtime", "ERR_METHOD_NOT_IMPLEMENTED");
      if (options.timeout) this.setTimeout(options.timeout);
      if (options.noDelay) this.noDelay = true;
      if (options.keepAlive) this.keepAlive = [true, Number(options.keepAliveInitialDelay) || 0];
    }

    get readyState(): string {
      if (this.connecting) return "opening";
      if (this.readable && this.writable) return "open";
      if (this.readable) return "readOnly";
      return this.writable ? "writeOnly" : "closed";
    }

    get encrypted(): boolean | undefined {
      return this.secure ? true : undefined;
    }

    /** connect(port[, host][, listener]), connect(options[, listener]) */
    connect(...args: unknown[]): this {
      const [options, listener] = normalizeConnect(args);
      if (options.path !== undefined) throw nodeError(Error, "Unix domain sockets are not available in Lambent's isolate runtime", "ERR_METHOD_NOT_IMPLEMENTED");
      if (listener) this.once("connect", listener);
      if (options.timeout) this.setTimeout(options.timeout);
      this.dial(Number(options.port), options.host ?? "localhost", null);
      return this;
    }

    dial(port: number, host: string, tls: TlsSettings | null): void {
      if (this.hostId !== undefined || this.connecting) throw nodeError(Error, "Socket is already connected", "ERR_SOCKET_CONNECTING");
      if (!Number.isInteger(port) || port <= 0 || port > 65535) throw nodeError(RangeError, `Port should be > 0 and < 65536. Received ${String(port)}.`, "ERR_SOCKET_BAD_PORT");
      this.connecting = true;
      this.secure = tls !== null;
      try {
        this.hostId = callHost("net.connect", host, port, tls) as number;
      } catch (error) {
        this.connecting = false;
        queueMicrotask(() => this.destroy(error as Error));
        return;
      }
      watchHost(this.hostId, (kind, value) => this.hostEvent(kind, value), this.refed);
    }

    adopt(from: HostSocket, settings: TlsSettings): void {
      const id = from.hostId;
      if (id === undefined || from.connecting) throw nodeError(Error, "tls.connect({ socket }) needs a connected net.Socket", "ERR_METHOD_NOT_IMPLEMENTED");
      callHost("net.upgrade", id, settings);
      // The plain socket stays open but hears nothing more: its bytes are this socket's now, as in Node,
      // and it closes when this one does (pg waits for the plain socket's `close`).
      from.hostId = undefined;
      this.underlying = from;
      this.hostId = id;
      this.secure = true;
      this.pending = false;
      this.remoteAddress = from.remoteAddress;
      this.remotePort = from.remotePort;
      watchHost(id, (kind, value) => this.hostEvent(kind, value), this.refed);
    }

    private hostEvent(kind: string, value: unknown): void {
      switch (kind) {
        case "connect": {
          const info = value as { remoteAddress: string; remotePort: number; remoteFamily: string; localAddress: string; localPort: number };
          Object.assign(this, info);
          this.connecting = false;
          this.pending = false;
          if (this.noDelay !== undefined) this.setNoDelay(this.noDelay);
          if (this.keepAlive) this.setKeepAlive(...this.keepAlive);
          this.touch();
          this.emit("connect");
          if (!this.secure) this.becomeReady();
          return;
        }
        case "secure":
          Object.assign(this, value as object);
          this.becomeReady();
          this.emit("secureConnect");
          return;
        case "data": {
          const bytes = value as Uint8Array;
          this.bytesRead += bytes.length;
          this.touch();
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
          this.push(null);
          return;
        case "error":
          this.hostId = undefined;
          this.destroy(socketError(value as SocketErrorData));
          return;
        case "close":
          // Bytes the reader has not taken yet are still its to read, as in Node: the socket closes after them.
          this.hostId = undefined;
          if (this.readableEnded || this.destroyed) this.destroy();
          else this.once("end", () => queueMicrotask(() => this.destroy()));
          return;
        case "abandon":
          this.hostId = undefined;
          this.destroy();
          return;
      }
    }

    private becomeReady(): void {
      this.ready = true;
      this.emit("ready");
      for (const resume of this.waitingReady.splice(0)) resume();
    }

    _read(): void {
      if (!this.flowing && this.hostId !== undefined) {
        this.flowing = true;
        callHost("net.flow", this.hostId, true);
      }
    }

    _write(chunk: Uint8Array, _encoding: string, callback: (error?: Error | null) => void): void {
      if (!this.ready) {
        if (!this.connecting && this.hostId === undefined) return callback(nodeError(Error, "This socket is closed", "ERR_SOCKET_CLOSED"));
        this.waitingReady.push(() => this._write(chunk, _encoding, callback));
        return;
      }
      this.send(chunk, 0, callback);
    }

    /** Sends `chunk` from `offset` a piece at a time, waiting for the host's `drain` when it asks. */
    private send(chunk: Uint8Array, offset: number, callback: (error?: Error | null) => void): void {
      while (offset < chunk.length) {
        if (this.hostId === undefined) return callback(nodeError(Error, "This socket has been ended by the other party", "EPIPE"));
        const piece = chunk.subarray(offset, offset + WRITE_PIECE_BYTES);
        let more: boolean;
        try {
          more = callHost("net.write", this.hostId, new Uint8Array(piece)) as boolean;
        } catch (error) {
          return callback(error as Error);
        }
        offset += piece.length;
        this.bytesWritten += piece.length;
        this.touch();
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
          if (this.hostId !== undefined) callHost("net.end", this.hostId);
        } catch {
          // The host closed the socket already (the peer closed it, or the invocation ended): nothing to end.
        }
        callback();
      };
      if (this.ready || this.hostId === undefined) finish();
      else this.waitingReady.push(finish);
    }

    /** Node's `close` says whether the socket closed because of an error. */
    override emit(event: string, ...args: unknown[]): boolean {
      return event === "close" && args.length === 0 ? super.emit("close", this.hadError) : super.emit(event, ...args);
    }

    _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
      if (error) this.hadError = true;
      const underlying = this.underlying;
      this.underlying = undefined;
      if (underlying) queueMicrotask(() => underlying.destroy());
      if (this.idle) clearTimeout(this.idle);
      this.idle = undefined;
      this.connecting = false;
      const id = this.hostId;
      this.hostId = undefined;
      if (id !== undefined) {
        unwatch(id);
        try {
          callHost("net.destroy", id);
        } catch {
          // The host has already dropped it (the invocation ended).
        }
      }
      callback(error);
    }

    setTimeout(ms: number, listener?: Listener): this {
      this.timeout = Number(ms) || 0;
      if (listener) {
        if (this.timeout === 0) (this as unknown as { removeListener(event: string, listener: Listener): void }).removeListener("timeout", listener);
        else this.once("timeout", listener);
      }
      this.touch();
      return this;
    }

    /** Activity: the idle timer starts again. */
    private touch(): void {
      if (this.idle) clearTimeout(this.idle);
      this.idle = undefined;
      // Node's socket timeouts keep no event loop alive on their own.
      if (this.timeout && !this.destroyed) this.idle = unref(setTimeout(() => this.emit("timeout"), this.timeout));
    }

    setNoDelay(noDelay = true): this {
      this.noDelay = noDelay;
      if (this.hostId !== undefined && !this.connecting) callHost("net.nodelay", this.hostId, noDelay);
      return this;
    }

    setKeepAlive(enable = false, initialDelay = 0): this {
      this.keepAlive = [enable, initialDelay];
      if (this.hostId !== undefined && !this.connecting) callHost("net.keepalive", this.hostId, enable, initialDelay);
      return this;
    }

    ref(): this {
      this.refed = true;
      if (this.hostId !== undefined) refHost(this.hostId, true);
      return this;
    }

    unref(): this {
      this.refed = false;
      if (this.hostId !== undefined) refHost(this.hostId, false);
      return this;
    }

    address(): { address: string; family: string; port: number } | Record<string, never> {
      return this.localAddress === undefined ? {} : { address: this.localAddress, family: this.remoteFamily ?? "IPv4", port: this.localPort ?? 0 };
    }

    cork(): void {
      // Writes go to the host as they come; corking would gather nothing the host does not gather itself.
    }

    uncork(): void {
      // See cork().
    }
  }

  class TLSSocket extends Socket {
    authorized = false;
    authorizationError: string | null = null;
    alpnProtocol: string | false = false;
    protocol: string | null = null;

    getPeerCertificate(): Record<string, never> {
      return {};
    }

    getProtocol(): string | null {
      return this.protocol;
    }

    getCipher(): undefined {
      return undefined;
    }

    setServername(): void {
      // The server name is given to tls.connect, which the host uses.
    }
  }

  classes = { Socket: Socket as unknown as SocketClasses["Socket"], TLSSocket: TLSSocket as unknown as SocketClasses["TLSSocket"] };
  return classes;
}

/** Node's forms of connect's arguments: (port[, host][, listener]), (options[, listener]), (path[, listener]). */
export function normalizeConnect(args: unknown[]): [SocketOptions, Listener | undefined] {
  const listener = typeof args[args.length - 1] === "function" ? (args[args.length - 1] as Listener) : undefined;
  const [first, second] = args;
  if (typeof first === "object" && first !== null) return [first as SocketOptions, listener];
  if (typeof first === "string" && !/^\d+$/.test(first)) return [{ path: first }, listener];
  return [{ port: first as number, ...(typeof second === "string" ? { host: second } : {}) }, listener];
}

export function createNet(): Record<string, unknown> {
  const { Socket } = socketClasses();
  const connect = (...args: unknown[]): HostSocket => {
    const [options] = normalizeConnect(args);
    const socket = new Socket(options);
    return socket.connect(...args);
  };
  return {
    ...createUnsupported("net", { functions: ["createServer", "getDefaultAutoSelectFamily", "setDefaultAutoSelectFamily"], classes: ["Server", "BlockList", "SocketAddress"] }),
    Socket,
    Stream: Socket,
    connect,
    createConnection: connect,
    isIP,
    isIPv4,
    isIPv6,
  };
}

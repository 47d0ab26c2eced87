// TCP client sockets (and TLS over them) carried out by the host for one environment's `net`, `tls` and
// `dns`: each socket is a Node socket kept here under a number, dialled only to an address the egress
// policy allows (the name is resolved here and the checked address is the one connected to, as for
// `fetch`). What the host holds is bounded: sockets open at once and opened per invocation, unsent bytes
// per socket, and unread bytes per socket (past them the socket is paused, so TCP holds the peer back).
// Events wait here until the sandbox polls for them; the sandbox is woken once per batch. Every socket and
// lookup ends when the invocation that opened it ends; the table is the environment's own, so no other
// function can name its sockets. HTTP/2 sessions and their streams are entries of the same table
// (http2-client.ts).
import { lookup, resolve4, resolve6 } from "node:dns/promises";
import { connect as connectTcp, isIP, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { connect as connectTls, type ConnectionOptions, type TLSSocket } from "node:tls";
import type { EgressPolicy } from "./egress-policy.js";
import { MAX_HOST_CALL_BYTES } from "../limits.js";

/** Sockets an environment may have open at once. */
export const MAX_OPEN_SOCKETS = 32;
/** Sockets one invocation may open in all (a connect-and-close loop stops here). */
export const MAX_SOCKETS_PER_INVOCATION = 256;
/** Sockets one sandbox process holds for all its environments together, well within its descriptors. */
export const MAX_PROCESS_SOCKETS = 4096;
/** Name lookups an environment may have in flight at once. */
export const MAX_LOOKUPS_IN_FLIGHT = 16;
/** Unread bytes the host keeps for one socket before it pauses reading from the network. */
export const SOCKET_READ_BUFFER_BYTES = 64 * 1024;
/** Unsent bytes past which a socket's writes wait for `drain`; the sandbox sends at most this much at once. */
export const SOCKET_WRITE_BUFFER_BYTES = 64 * 1024;
/** The most bytes one poll hands the sandbox. */
const POLL_BYTES = 256 * 1024;

/** Node's shape of a socket failure, as data for the sandbox to build the Error from. */
export interface SocketErrorData {
  message: string;
  code: string;
  syscall?: string;
  address?: string;
  port?: number;
  hostname?: string;
}

/** What the sandbox learns from a poll, per socket or lookup id, in order. */
export type SocketEvent =
  | [id: number, kind: "connect", info: { remoteAddress: string; remotePort: number; remoteFamily: string; localAddress: string; localPort: number }]
  | [id: number, kind: "secure", info: { authorized: boolean; authorizationError: string | null; alpnProtocol: string | false; protocol: string | null }]
  | [id: number, kind: "data", bytes: Uint8Array]
  | [id: number, kind: "drain"]
  | [id: number, kind: "end"]
  | [id: number, kind: "error", error: SocketErrorData]
  | [id: number, kind: "close", hadError: boolean]
  | [id: number, kind: "lookup", answer: { address: string; family: number }[] | SocketErrorData]
  // An HTTP/2 session's (http2-client.ts): it is up, or its peer sent GOAWAY.
  | [id: number, kind: "session", info: { alpnProtocol: string; remoteAddress: string; remotePort: number; encrypted: boolean }]
  | [id: number, kind: "goaway", code: number]
  // An HTTP/2 stream's: the response's headers (a 1xx one's too) and its trailers.
  | [id: number, kind: "response", headers: [name: string, value: string][]]
  | [id: number, kind: "trailers", headers: [name: string, value: string][]];

/** TLS settings the sandbox may ask for: Node's client options, as plain data. */
export interface TlsSettings {
  servername?: string;
  rejectUnauthorized?: boolean;
  ca?: string[];
  cert?: string;
  key?: string;
  alpnProtocols?: string[];
}

export type Queued = SocketEvent extends [number, ...infer Rest] ? Rest : never;

export interface Entry {
  /** Whether the entry holds one of the process's socket slots (a socket, an HTTP/2 session). */
  socket: boolean;
  /** The bytes it carries: a socket, or an HTTP/2 stream. */
  stream: Duplex | undefined;
  /** Ends what the entry holds beside its stream (an HTTP/2 session), when it is dropped. */
  release?: () => void;
  queue: Queued[];
  /** Bytes of `data` events in the queue. */
  unread: number;
  /** The sandbox takes data (it paused the socket when its reader was full). */
  flowing: boolean;
  /** Listeners on `stream`, so an upgrade to TLS can take them off. */
  detach: () => void;
}

/** The sockets a sandbox process's environments hold together, shared by their tables. */
export class SocketSlots {
  held = 0;
  constructor(readonly max = MAX_PROCESS_SOCKETS) {}
}

export interface SocketTableOptions {
  policy: EgressPolicy;
  connectTimeoutMs: number;
  slots: SocketSlots;
}

export function errorData(error: unknown, fallback: Partial<SocketErrorData> = {}): SocketErrorData {
  const source = (error ?? {}) as Partial<SocketErrorData> & { message?: unknown };
  const data: SocketErrorData = { message: String(source.message ?? error), code: String(source.code ?? fallback.code ?? "ECONNRESET") };
  for (const key of ["syscall", "address", "hostname"] as const) {
    const value = source[key] ?? fallback[key];
    if (typeof value === "string") data[key] = value;
  }
  const port = source.port ?? fallback.port;
  if (typeof port === "number") data.port = port;
  return data;
}

export function tlsOptions(settings: unknown, host: string): ConnectionOptions {
  const given = (typeof settings === "object" && settings !== null ? settings : {}) as Record<string, unknown>;
  const strings = (value: unknown): string[] | undefined => (Array.isArray(value) ? value.map(String) : typeof value === "string" ? [value] : undefined);
  // Certificates and keys are parsed on the main thread every environment shares: at most one host call's worth.
  const size = [given["ca"], given["cert"], given["key"]].flatMap((value) => strings(value) ?? []).reduce((sum, text) => sum + text.length, 0);
  if (size > MAX_HOST_CALL_BYTES) throw new RangeError(`TLS certificates and keys may be at most ${MAX_HOST_CALL_BYTES} bytes together`);
  const options: ConnectionOptions = { rejectUnauthorized: given["rejectUnauthorized"] !== false };
  const servername = typeof given["servername"] === "string" ? given["servername"] : isIP(host) ? undefined : host;
  if (servername) options.servername = servername;
  const ca = strings(given["ca"]);
  if (ca) options.ca = ca;
  if (typeof given["cert"] === "string") options.cert = given["cert"];
  if (typeof given["key"] === "string") options.key = given["key"];
  const alpn = strings(given["alpnProtocols"]);
  if (alpn) options.ALPNProtocols = alpn;
  return options;
}

export class SocketTable {
  protected readonly entries = new Map<number, Entry>();
  private lookups = 0;
  private opened = 0;
  protected next = 1;
  /** Bumped when an invocation ends: work begun under an older generation delivers nothing. */
  protected generation = 0;
  private wakePending = false;
  private wake: (() => void) | undefined;

  constructor(private readonly options: SocketTableOptions) {}

  /** Who enters the isolate when events wait (the environment, for the call that is open). */
  onEvents(wake: (() => void) | undefined): void {
    this.wake = wake;
  }

  /** Sockets open now (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  /** Unread and unsent bytes the host holds for the environment's sockets now. */
  get heldBytes(): number {
    let bytes = 0;
    for (const entry of this.entries.values()) bytes += entry.unread + (entry.stream?.writableLength ?? 0);
    return bytes;
  }

  /** A synchronous call from the sandbox (`net.<op>`). */
  call(op: string, args: unknown[]): unknown {
    switch (op) {
      case "connect":
        return this.connect(String(args[0]), Number(args[1]), args[2] ?? null);
      case "upgrade":
        return this.upgrade(args[0], args[1]);
      case "write":
        return this.write(args[0], args[1]);
      // Ending or tuning a socket the peer has closed already does nothing, as in Node.
      case "end":
        return void this.entries.get(Number(args[0]))?.stream?.end();
      case "destroy":
        return void this.destroy(Number(args[0]));
      case "flow":
        return void this.flow(args[0], args[1] !== false);
      case "nodelay":
        return void this.socketOf(args[0])?.setNoDelay(args[1] !== false);
      case "keepalive":
        return void this.socketOf(args[0])?.setKeepAlive(args[1] !== false, Number(args[2]) || 0);
      case "lookup":
        return this.lookup(String(args[0]), String(args[1] ?? "lookup"), Number(args[2]) || 0);
      case "poll":
        return this.poll();
      default:
        throw new Error(`unknown socket call ${op}`);
    }
  }

  /** Ends every socket and lookup: the invocation that opened them has ended. */
  closeAll(): void {
    this.generation++;
    for (const id of [...this.entries.keys()]) this.drop(id);
    this.lookups = 0;
    this.opened = 0;
    this.wakePending = false;
  }

  protected entry(id: unknown): Entry {
    const entry = this.entries.get(Number(id));
    if (!entry) throw Object.assign(new Error("This socket is closed"), { code: "ERR_SOCKET_CLOSED" });
    return entry;
  }

  private socketOf(id: unknown): Socket | undefined {
    const stream = this.entries.get(Number(id))?.stream;
    return stream instanceof Socket ? stream : undefined;
  }

  /** A new entry holding one of the process's socket slots, within the environment's and the invocation's limits. */
  protected reserveSocket(): [number, Entry] {
    let open = 0;
    for (const entry of this.entries.values()) if (entry.socket) open++;
    if (open >= MAX_OPEN_SOCKETS) throw Object.assign(new Error(`An environment may have at most ${MAX_OPEN_SOCKETS} sockets open at once`), { code: "EMFILE" });
    if (this.opened >= MAX_SOCKETS_PER_INVOCATION) throw Object.assign(new Error(`An invocation may open at most ${MAX_SOCKETS_PER_INVOCATION} sockets`), { code: "EMFILE" });
    const slots = this.options.slots;
    if (slots.held >= slots.max) throw Object.assign(new Error("This worker holds as many sockets as it may; try again later"), { code: "EMFILE" });
    this.opened++;
    slots.held++;
    const id = this.next++;
    const entry: Entry = { socket: true, stream: undefined, queue: [], unread: 0, flowing: true, detach: () => undefined };
    this.entries.set(id, entry);
    return [id, entry];
  }

  /** A TCP connection to an address `dial` checked, failing after the connect timeout. */
  protected connectChecked(address: string, port: number): Socket {
    const socket = connectTcp({ host: address, port });
    const timer = setTimeout(() => socket.destroy(Object.assign(new Error(`connect ETIMEDOUT ${address}:${port}`), { code: "ETIMEDOUT", syscall: "connect", address, port })), this.options.connectTimeoutMs);
    socket.once("connect", () => clearTimeout(timer));
    socket.once("close", () => clearTimeout(timer));
    return socket;
  }

  private connect(host: string, port: number, tls: unknown): number {
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw Object.assign(new RangeError(`Port should be > 0 and < 65536. Received ${port}.`), { code: "ERR_SOCKET_BAD_PORT" });
    // Checked now, so a bad setting is the caller's error rather than a failure after the connection.
    const secureOptions = tls === null ? null : tlsOptions(tls, host);
    const [id, entry] = this.reserveSocket();
    const generation = this.generation;
    void this.dial(host, port).then(
      (address) => {
        if (this.generation !== generation || this.entries.get(id) !== entry) return;
        const socket = this.connectChecked(address, port);
        socket.once("connect", () => {
          this.push(id, entry, ["connect", { remoteAddress: address, remotePort: port, remoteFamily: isIP(address) === 6 ? "IPv6" : "IPv4", localAddress: socket.localAddress ?? "", localPort: socket.localPort ?? 0 }]);
          if (secureOptions) this.secureConnected(id, entry, secureOptions);
        });
        this.attach(id, entry, socket);
      },
      (error: unknown) => {
        if (this.generation !== generation || this.entries.get(id) !== entry) return;
        this.push(id, entry, ["error", errorData(error, { code: "ECONNREFUSED", syscall: "connect" })]);
        // The entry goes once the sandbox has taken its `close` (poll).
        this.push(id, entry, ["close", true]);
      },
    );
    return id;
  }

  /** The one address to dial for `host`: every address the name has must pass the egress policy. */
  protected async dial(host: string, port: number): Promise<string> {
    const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
    let addresses: { address: string }[];
    if (isIP(bare)) {
      addresses = [{ address: bare }];
    } else {
      try {
        addresses = await lookup(bare, { all: true, verbatim: true });
      } catch (error) {
        throw errorData(error, { code: "ENOTFOUND", syscall: "getaddrinfo", hostname: bare });
      }
      if (addresses.length === 0) throw errorData({ message: `getaddrinfo ENOTFOUND ${bare}` }, { code: "ENOTFOUND", syscall: "getaddrinfo", hostname: bare });
    }
    for (const { address } of addresses) {
      const decision = this.options.policy.decide(bare, address);
      if (!decision.allowed) throw { message: `connect EACCES ${address}:${port} - refused: ${decision.reason}`, code: "EACCES", syscall: "connect", address, port } satisfies SocketErrorData;
    }
    return (addresses[0] as { address: string }).address;
  }

  /** tls.connect({ socket }): TLS over a socket the sandbox connected before. */
  private upgrade(id: unknown, settings: unknown): null {
    const entry = this.entry(id);
    const raw = entry.stream;
    if (!(raw instanceof Socket) || raw.connecting || raw.destroyed) throw Object.assign(new Error("The socket is not connected"), { code: "ENOTCONN" });
    this.secure(Number(id), entry, tlsOptions(settings, raw.remoteAddress ?? ""));
    return null;
  }

  /** tls.connect to a host and port: TLS once the connection is made; a failure to start it is the socket's error. */
  private secureConnected(id: number, entry: Entry, options: ConnectionOptions): void {
    try {
      this.secure(id, entry, options);
    } catch (error) {
      this.push(id, entry, ["error", errorData(error, { code: "ERR_SSL_INTERNAL_ERROR" })]);
      entry.stream?.destroy();
    }
  }

  /** Puts TLS over the entry's connected socket; the plain socket keeps its listeners if TLS cannot start. */
  private secure(id: number, entry: Entry, options: ConnectionOptions): void {
    const raw = entry.stream as Socket;
    entry.detach();
    let secure: TLSSocket;
    try {
      secure = connectTls({ ...options, socket: raw });
    } catch (error) {
      this.attach(id, entry, raw);
      throw error;
    }
    secure.once("secureConnect", () => {
      this.push(id, entry, ["secure", { authorized: secure.authorized, authorizationError: secure.authorizationError ? String(secure.authorizationError) : null, alpnProtocol: secure.alpnProtocol ?? false, protocol: secure.getProtocol() }]);
    });
    this.attach(id, entry, secure);
  }

  protected attach(id: number, entry: Entry, stream: Duplex): void {
    entry.stream = stream;
    const onData = (chunk: Buffer): void => {
      // A copy of the chunk's own bytes: a view would carry its whole buffer (which may be a pool) into the isolate.
      this.push(id, entry, ["data", new Uint8Array(chunk)]);
      entry.unread += chunk.length;
      if (entry.unread >= SOCKET_READ_BUFFER_BYTES) stream.pause();
    };
    const onDrain = (): void => this.push(id, entry, ["drain"]);
    const onEnd = (): void => this.push(id, entry, ["end"]);
    const onError = (error: Error): void => this.push(id, entry, ["error", errorData(error)]);
    const onClose = (hadError?: boolean): void => {
      this.push(id, entry, ["close", hadError === true]);
      // The entry stays until the sandbox has taken its events (poll drops it after `close`).
    };
    stream.on("data", onData);
    stream.on("drain", onDrain);
    stream.on("end", onEnd);
    stream.on("error", onError);
    stream.on("close", onClose);
    entry.detach = () => {
      stream.off("data", onData);
      stream.off("drain", onDrain);
      stream.off("end", onEnd);
      stream.off("error", onError);
      stream.off("close", onClose);
    };
  }

  /**
   * Sends bytes: true when more may follow at once, false when the sandbox must wait for `drain`. A write
   * while the socket is already past its buffer means the sandbox's flow control was bypassed: refused.
   */
  private write(id: unknown, bytes: unknown): boolean {
    if (!(bytes instanceof Uint8Array)) throw new TypeError("socket data must be bytes");
    if (bytes.length > SOCKET_WRITE_BUFFER_BYTES) throw new RangeError(`A socket write may carry at most ${SOCKET_WRITE_BUFFER_BYTES} bytes at once`);
    const stream = this.entry(id).stream;
    if (!stream || stream.destroyed) throw Object.assign(new Error("This socket is not connected"), { code: "ENOTCONN" });
    if (stream.writableLength >= SOCKET_WRITE_BUFFER_BYTES) throw Object.assign(new Error("The socket's send buffer is full; wait for 'drain'"), { code: "ENOBUFS" });
    stream.write(bytes);
    return stream.writableLength < SOCKET_WRITE_BUFFER_BYTES;
  }

  private flow(id: unknown, flowing: boolean): void {
    const entry = this.entries.get(Number(id));
    if (!entry) return;
    entry.flowing = flowing;
    if (flowing) this.wakeIfReady();
  }

  private destroy(id: number): void {
    this.drop(id);
  }

  /** Forgets a socket or lookup, destroying its socket and giving back its slot. */
  private drop(id: number): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    entry.detach();
    entry.stream?.destroy();
    entry.release?.();
    if (entry.socket) this.options.slots.held--;
  }

  /** A name lookup (`lookup`, `resolve4`, `resolve6`); the answer, less the addresses the policy refuses, comes as an event. */
  private lookup(hostname: string, kind: string, family: number): number {
    if (this.lookups >= MAX_LOOKUPS_IN_FLIGHT) throw Object.assign(new Error(`An environment may have at most ${MAX_LOOKUPS_IN_FLIGHT} name lookups in flight`), { code: "EAI_AGAIN" });
    const resolver = kind === "resolve4" ? resolve4 : kind === "resolve6" ? resolve6 : kind === "lookup" ? undefined : null;
    if (resolver === null) throw new Error(`unknown lookup ${kind}`);
    const syscall = kind === "lookup" ? "getaddrinfo" : `query${kind === "resolve4" ? "A" : "Aaaa"}`;
    const answer = resolver
      ? resolver(hostname).then((addresses) => addresses.map((address) => ({ address, family: kind === "resolve4" ? 4 : 6 })))
      : lookup(hostname, { all: true, verbatim: true, family: family === 4 || family === 6 ? family : 0 });
    this.lookups++;
    const id = this.next++;
    const generation = this.generation;
    void answer.then(
      (addresses) => {
        const allowed = addresses.filter(({ address }) => this.options.policy.decide(hostname, address).allowed);
        if (allowed.length > 0 || addresses.length === 0) return allowed;
        throw { message: `${syscall} ENOTFOUND ${hostname} (its addresses are refused by the egress policy)`, code: "ENOTFOUND", syscall, hostname } satisfies SocketErrorData;
      },
    ).then(
      (addresses) => this.answer(generation, id, addresses.length > 0 ? addresses : errorData({ message: `${syscall} ENODATA ${hostname}` }, { code: "ENODATA", syscall, hostname })),
      (error: unknown) => this.answer(generation, id, errorData(error, { code: "ENOTFOUND", syscall, hostname })),
    );
    return id;
  }

  private answer(generation: number, id: number, answer: { address: string; family: number }[] | SocketErrorData): void {
    if (this.generation !== generation) return;
    this.lookups--;
    const entry: Entry = { socket: false, stream: undefined, queue: [["lookup", answer]], unread: 0, flowing: true, detach: () => undefined };
    this.entries.set(id, entry);
    this.wakeIfReady();
  }

  protected push(id: number, entry: Entry, event: Queued): void {
    if (this.entries.get(id) !== entry) return;
    entry.queue.push(event);
    this.wakeIfReady();
  }

  private deliverable(entry: Entry): boolean {
    const first = entry.queue[0];
    return first !== undefined && (first[0] !== "data" || entry.flowing);
  }

  private wakeIfReady(): void {
    if (this.wakePending || !this.wake) return;
    for (const entry of this.entries.values()) {
      if (this.deliverable(entry)) {
        this.wakePending = true;
        this.wake();
        return;
      }
    }
  }

  /** What waits for the sandbox, in order per socket: data only for sockets whose reader takes it, up to POLL_BYTES. */
  private poll(): SocketEvent[] {
    this.wakePending = false;
    const events: SocketEvent[] = [];
    let bytes = 0;
    for (const [id, entry] of this.entries) {
      while (this.deliverable(entry) && bytes < POLL_BYTES) {
        const event = entry.queue.shift() as Queued;
        if (event[0] === "data") {
          bytes += event[1].length;
          entry.unread -= event[1].length;
          if (entry.unread < SOCKET_READ_BUFFER_BYTES && entry.stream?.isPaused()) entry.stream.resume();
        }
        events.push([id, ...event] as SocketEvent);
        if (event[0] === "close" || event[0] === "lookup") {
          this.drop(id);
          break;
        }
      }
    }
    // More waits than one poll carries: the sandbox is woken again once it has handled these.
    if (bytes >= POLL_BYTES) queueMicrotask(() => this.wakeIfReady());
    return events;
  }
}

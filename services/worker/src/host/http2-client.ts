// HTTP/2 client sessions carried out by the host for one environment's `http2.connect`, with Node's own
// http2 client over a connection the socket table dials (sockets.ts): the same egress policy checks on the
// address actually dialled, the same socket limits (a session holds one socket slot), and every session
// and stream ends when the invocation that opened it ends. A session and each of its streams are entries
// of the table: their events wait there for the sandbox's poll, and a stream's unread bytes are bounded as
// a socket's are (past them the stream is paused, and HTTP/2's flow control holds the server back).
import { connect as connectHttp2, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http2";
import type { Socket } from "node:net";
import { connect as connectTls, type TLSSocket } from "node:tls";
import { SocketTable, errorData, tlsOptions, type Entry, type SocketTableOptions } from "./sockets.js";

/** Streams an environment may have open at once, over all its sessions. */
export const MAX_OPEN_HTTP2_STREAMS = 128;
/** Streams one invocation may open in all. */
export const MAX_HTTP2_STREAMS_PER_INVOCATION = 1024;
/** Header fields one request may carry, and their characters together. */
export const MAX_HTTP2_HEADER_FIELDS = 256;
export const MAX_HTTP2_HEADER_CHARS = 64 * 1024;
/** What nghttp2 may hold for one session (Node's `maxSessionMemory`, in MB). */
const SESSION_MEMORY_MB = 4;

function failure(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Headers from the sandbox: name/value pairs of strings, within the caps; repeated names become lists. */
function requestHeaders(value: unknown): OutgoingHttpHeaders {
  if (!Array.isArray(value)) throw new TypeError("HTTP/2 headers must be a list of name/value pairs");
  if (value.length > MAX_HTTP2_HEADER_FIELDS) throw failure(`An HTTP/2 request may carry at most ${MAX_HTTP2_HEADER_FIELDS} header fields`, "ERR_HTTP2_HEADERS_TOO_LARGE");
  const headers: Record<string, string | string[]> = {};
  let chars = 0;
  for (const pair of value as unknown[]) {
    if (!Array.isArray(pair) || typeof pair[0] !== "string" || typeof pair[1] !== "string") throw new TypeError("HTTP/2 headers must be a list of name/value pairs");
    const [name, text] = pair as [string, string];
    chars += name.length + text.length;
    if (chars > MAX_HTTP2_HEADER_CHARS) throw failure(`An HTTP/2 request's headers may be at most ${MAX_HTTP2_HEADER_CHARS} characters`, "ERR_HTTP2_HEADERS_TOO_LARGE");
    const key = name.toLowerCase();
    const previous = headers[key];
    if (previous === undefined) headers[key] = text;
    else headers[key] = Array.isArray(previous) ? [...previous, text] : [previous, text];
  }
  return headers;
}

/** Node's headers object as pairs (its sensitive-headers symbol left out). */
function headerPairs(headers: IncomingHttpHeaders): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) pairs.push([name, String(one)]);
  }
  return pairs;
}

interface SessionEntry {
  /** Node's session, once the connection (and TLS) is up. */
  session: ClientHttp2Session | undefined;
}

/** The socket table with HTTP/2 client sessions: `net.h2connect`, `net.h2request`, `net.h2close`. */
export class ConnectionTable extends SocketTable {
  private readonly sessions = new Map<number, SessionEntry>();
  private openStreams = 0;
  private streamsOpened = 0;

  constructor(options: SocketTableOptions) {
    super(options);
  }

  override call(op: string, args: unknown[]): unknown {
    switch (op) {
      case "h2connect":
        return this.connectSession(args[0], args[1] ?? null);
      case "h2request":
        return this.request(args[0], args[1], args[2] === true);
      case "h2close":
        return void this.sessions.get(Number(args[0]))?.session?.close();
      default:
        return super.call(op, args);
    }
  }

  override closeAll(): void {
    super.closeAll();
    this.sessions.clear();
    this.openStreams = 0;
    this.streamsOpened = 0;
  }

  /** A session to `authority` (`http://` for h2c, `https://` for h2 over TLS); its events come to its id. */
  private connectSession(authority: unknown, tls: unknown): number {
    let url: URL;
    try {
      url = new URL(String(authority));
    } catch {
      throw failure(`Invalid URL: ${String(authority)}`, "ERR_INVALID_URL");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw failure(`protocol "${url.protocol}" is unsupported.`, "ERR_HTTP2_UNSUPPORTED_PROTOCOL");
    const secure = url.protocol === "https:";
    const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    const port = url.port ? Number(url.port) : secure ? 443 : 80;
    // Checked now, so a bad setting is the caller's error rather than a failure after the connection.
    const secureOptions = secure ? { ...tlsOptions(tls, host), ALPNProtocols: ["h2"] } : null;
    const [id, entry] = this.reserveSocket();
    const state: SessionEntry = { session: undefined };
    this.sessions.set(id, state);
    let socket: Socket | TLSSocket | undefined;
    entry.release = () => {
      this.sessions.delete(id);
      state.session?.destroy();
      socket?.destroy();
    };
    const generation = this.generation;
    const current = (): boolean => this.generation === generation && this.entries.get(id) === entry;
    const fail = (error: unknown): void => {
      this.push(id, entry, ["error", errorData(error, { code: "ECONNREFUSED", syscall: "connect" })]);
      this.push(id, entry, ["close", true]);
    };
    void this.dial(host, port).then(
      (address) => {
        if (!current()) return;
        const raw = this.connectChecked(address, port);
        socket = raw;
        raw.once("error", (error) => {
          if (current() && !state.session) fail(error);
        });
        raw.once("connect", () => {
          if (!current()) return;
          if (!secureOptions) return this.startSession(id, entry, state, url.origin, raw, address, port);
          const secured = connectTls({ ...secureOptions, socket: raw });
          socket = secured;
          secured.once("error", (error) => {
            if (current() && !state.session) fail(error);
          });
          secured.once("secureConnect", () => {
            if (current()) this.startSession(id, entry, state, url.origin, secured, address, port);
          });
        });
      },
      (error: unknown) => {
        if (current()) fail(error);
      },
    );
    return id;
  }

  private startSession(id: number, entry: Entry, state: SessionEntry, origin: string, socket: Socket | TLSSocket, address: string, port: number): void {
    const session = connectHttp2(origin, {
      createConnection: () => socket,
      maxSessionMemory: SESSION_MEMORY_MB,
      maxHeaderListPairs: MAX_HTTP2_HEADER_FIELDS,
      settings: { enablePush: false },
    });
    state.session = session;
    session.on("connect", () => {
      const alpnProtocol = "alpnProtocol" in socket && typeof socket.alpnProtocol === "string" ? socket.alpnProtocol : "h2c";
      this.push(id, entry, ["session", { alpnProtocol, remoteAddress: address, remotePort: port, encrypted: alpnProtocol !== "h2c" }]);
    });
    session.on("goaway", (code: number) => this.push(id, entry, ["goaway", code]));
    session.on("error", (error) => this.push(id, entry, ["error", errorData(error, { code: "ERR_HTTP2_ERROR" })]));
    session.on("close", () => this.push(id, entry, ["close", false]));
  }

  /** A request on session `sessionId`; the response's headers, data, end and close come to the stream's id. */
  private request(sessionId: unknown, headers: unknown, endStream: boolean): number {
    const state = this.sessions.get(Number(sessionId));
    const session = state?.session;
    if (!state || !session || session.closed || session.destroyed) throw failure("The session has been destroyed", "ERR_HTTP2_INVALID_SESSION");
    if (this.openStreams >= MAX_OPEN_HTTP2_STREAMS) throw failure(`An environment may have at most ${MAX_OPEN_HTTP2_STREAMS} HTTP/2 streams open at once`, "ERR_HTTP2_OUT_OF_STREAMS");
    if (this.streamsOpened >= MAX_HTTP2_STREAMS_PER_INVOCATION) throw failure(`An invocation may open at most ${MAX_HTTP2_STREAMS_PER_INVOCATION} HTTP/2 streams`, "ERR_HTTP2_OUT_OF_STREAMS");
    const stream: ClientHttp2Stream = session.request(requestHeaders(headers), { endStream });
    this.openStreams++;
    this.streamsOpened++;
    const id = this.next++;
    const entry: Entry = { socket: false, stream: undefined, queue: [], unread: 0, flowing: true, detach: () => undefined };
    this.entries.set(id, entry);
    const generation = this.generation;
    let open = true;
    const closed = (): void => {
      if (!open || this.generation !== generation) return;
      open = false;
      this.openStreams--;
    };
    stream.on("close", closed);
    entry.release = closed;
    stream.on("response", (responseHeaders) => this.push(id, entry, ["response", headerPairs(responseHeaders)]));
    stream.on("trailers", (trailers) => this.push(id, entry, ["trailers", headerPairs(trailers)]));
    this.attach(id, entry, stream);
    return id;
  }
}

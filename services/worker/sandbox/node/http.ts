// `http` and `https` clients, carried out by the host as `fetch` is (sandbox/web/fetch.ts): the same
// egress policy, deadline, size caps and per-invocation budget, and cancelled when the call ends. The
// request body is gathered and sent with `end()`; the response arrives whole and is replayed as a
// readable `IncomingMessage`. There are no sockets here: `request.socket` is a stand-in that carries the
// timeouts code sets on it, so clients written for Node's sockets (the AWS SDK's handler, axios,
// node-fetch) work unchanged. Servers cannot be created: a function's server is Lambda's event source.
import { bufferModule } from "./buffer.js";
import { createServerSide } from "./http-response.js";
import { notImplemented, type NodeError } from "./unsupported.js";
import { vendor } from "../vendor.js";
import { unref } from "../timers.js";

type Listener = (...args: unknown[]) => void;
interface Emitter {
  on(event: string, listener: Listener): this;
  once(event: string, listener: Listener): this;
  emit(event: string, ...args: unknown[]): boolean;
  removeListener(event: string, listener: Listener): this;
  listenerCount(event: string): number;
}
type EmitterClass = new () => Emitter;
interface WritableBase extends Emitter {
  destroyed: boolean;
  end(chunk?: unknown): this;
  destroy(error?: Error): this;
}
type WritableClass = new (options: Record<string, unknown>) => WritableBase;
interface ReadableBase extends Emitter {
  push(chunk: unknown): boolean;
  destroy(error?: Error): this;
  resume(): this;
}
type ReadableClass = new (options?: Record<string, unknown>) => ReadableBase;

interface FetchResponse {
  status: number;
  statusText: string;
  headers: { entries(): IterableIterator<[string, string]>; getSetCookie(): string[] };
  arrayBuffer(): Promise<ArrayBuffer>;
}
type SandboxFetch = (url: string, init: Record<string, unknown>) => Promise<FetchResponse>;
interface AbortControllerLike {
  signal: unknown;
  abort(reason?: unknown): void;
}

export const STATUS_CODES: Record<number, string> = {
  100: "Continue", 101: "Switching Protocols", 200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information",
  204: "No Content", 205: "Reset Content", 206: "Partial Content", 300: "Multiple Choices", 301: "Moved Permanently", 302: "Found",
  303: "See Other", 304: "Not Modified", 307: "Temporary Redirect", 308: "Permanent Redirect", 400: "Bad Request", 401: "Unauthorized",
  402: "Payment Required", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable", 408: "Request Timeout",
  409: "Conflict", 410: "Gone", 411: "Length Required", 412: "Precondition Failed", 413: "Payload Too Large", 414: "URI Too Long",
  415: "Unsupported Media Type", 416: "Range Not Satisfiable", 417: "Expectation Failed", 418: "I'm a Teapot", 422: "Unprocessable Entity",
  425: "Too Early", 426: "Upgrade Required", 428: "Precondition Required", 429: "Too Many Requests", 431: "Request Header Fields Too Large",
  500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
  505: "HTTP Version Not Supported",
};

export const METHODS = ["ACL", "BIND", "CHECKOUT", "CONNECT", "COPY", "DELETE", "GET", "HEAD", "LINK", "LOCK", "M-SEARCH", "MERGE", "MKACTIVITY", "MKCALENDAR", "MKCOL", "MOVE", "NOTIFY", "OPTIONS", "PATCH", "POST", "PROPFIND", "PROPPATCH", "PURGE", "PUT", "QUERY", "REBIND", "REPORT", "SEARCH", "SOURCE", "SUBSCRIBE", "TRACE", "UNBIND", "UNLINK", "UNLOCK", "UNSUBSCRIBE"];

function nodeError(message: string, code: string): NodeError {
  const error = new Error(message) as NodeError;
  error.code = code;
  return error;
}

export interface RequestOptions {
  protocol?: string;
  host?: string;
  hostname?: string;
  port?: number | string;
  path?: string;
  method?: string;
  headers?: Record<string, string | number | string[]> | [string, string][];
  auth?: string;
  timeout?: number;
  signal?: { aborted: boolean; addEventListener(type: string, listener: () => void, options?: unknown): void };
  agent?: unknown;
  setHost?: boolean;
}

interface UrlLike {
  protocol: string;
  hostname: string;
  port: string;
  pathname: string;
  search: string;
  username: string;
  password: string;
}

/** Node's `request(url?, options?, callback?)` argument shapes, as one options object. */
function requestOptions(args: unknown[], defaultProtocol: string): { options: RequestOptions; callback: Listener | undefined } {
  let options: RequestOptions = {};
  const first = args[0];
  let rest = args;
  // Node's test for a WHATWG URL: `url.parse()`'s objects have `auth` and `path`, and are options.
  const isUrl = (value: unknown): boolean =>
    typeof value === "object" && value !== null && Boolean((value as { href?: unknown }).href) && Boolean((value as { protocol?: unknown }).protocol) &&
    (value as { auth?: unknown }).auth === undefined && (value as { path?: unknown }).path === undefined;
  if (typeof first === "string" || isUrl(first)) {
    const URLClass = (globalThis as unknown as { URL: new (url: string) => UrlLike }).URL;
    const url = typeof first === "string" ? new URLClass(first) : (first as UrlLike);
    options = {
      protocol: url.protocol,
      hostname: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
      path: `${url.pathname}${url.search}`,
      ...(url.port ? { port: url.port } : {}),
      ...(url.username ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` } : {}),
    };
    rest = args.slice(1);
  }
  if (typeof rest[0] === "object" && rest[0] !== null) {
    options = { ...options, ...(rest[0] as RequestOptions) };
    rest = rest.slice(1);
  }
  options.protocol ??= defaultProtocol;
  return { options, callback: typeof rest[0] === "function" ? (rest[0] as Listener) : undefined };
}

function urlOf(options: RequestOptions): string {
  const protocol = options.protocol ?? "http:";
  if (protocol !== "http:" && protocol !== "https:") {
    throw nodeError(`Protocol "${protocol}" not supported. Expected "http:" or "https:"`, "ERR_INVALID_PROTOCOL");
  }
  let hostname = options.hostname ?? options.host ?? "localhost";
  if (options.hostname === undefined && options.host !== undefined && /^[^[]*:\d+$/.test(options.host)) hostname = options.host.replace(/:\d+$/, "");
  if (hostname.includes(":") && !hostname.startsWith("[")) hostname = `[${hostname}]`;
  const port = options.port === undefined || options.port === "" ? "" : `:${String(options.port)}`;
  const path = options.path ?? "/";
  if (/[\s]/.test(path)) throw nodeError("Request path contains unescaped characters", "ERR_UNESCAPED_CHARACTERS");
  return `${protocol}//${hostname}${port}${path.startsWith("/") ? path : `/${path}`}`;
}

/** A socket's surface as HTTP clients touch it; the host holds the real connection. */
function socketStandIn(EventEmitter: EmitterClass): Emitter & Record<string, unknown> {
  const socket = new EventEmitter() as Emitter & Record<string, unknown>;
  let idle: unknown;
  const clear = (): void => {
    if (idle !== undefined) clearTimeout(idle);
    idle = undefined;
  };
  Object.assign(socket, {
    connecting: false,
    destroyed: false,
    remoteAddress: undefined,
    remotePort: undefined,
    encrypted: undefined,
    setKeepAlive: () => socket,
    setNoDelay: () => socket,
    ref: () => socket,
    unref: () => socket,
    setTimeout(ms: number, callback?: Listener) {
      clear();
      if (callback) socket.once("timeout", callback);
      if (Number(ms) > 0) idle = unref(setTimeout(() => socket.emit("timeout"), Number(ms)));
      return socket;
    },
    destroy() {
      clear();
      socket["destroyed"] = true;
      return socket;
    },
    clearIdle: clear,
  });
  return socket;
}

/** The timer functions of the isolate's runtime, in the shapes this module uses. */
declare function setTimeout(callback: () => void, ms: number): unknown;
declare function clearTimeout(handle: unknown): void;

function headerPairs(headers: Map<string, [string, string | string[]]>): [string, string][] {
  const pairs: [string, string][] = [];
  for (const [, [name, value]] of headers) {
    for (const one of Array.isArray(value) ? value : [value]) pairs.push([name, String(one)]);
  }
  return pairs;
}

export function createHttp(defaultProtocol: "http:" | "https:"): Record<string, unknown> {
  const EventEmitter = vendor.events() as unknown as EmitterClass;
  const stream = vendor.stream() as unknown as { Writable: WritableClass; Readable: ReadableClass };
  const { Buffer } = bufferModule();
  const sandboxFetch = (globalThis as unknown as { fetch: SandboxFetch }).fetch;
  const AbortControllerClass = (globalThis as unknown as { AbortController: new () => AbortControllerLike }).AbortController;
  const defaultPort = defaultProtocol === "https:" ? 443 : 80;

  class Agent extends EventEmitter {
    readonly options: Record<string, unknown>;
    readonly keepAlive: boolean;
    readonly keepAliveMsecs: number;
    readonly maxSockets: number;
    readonly maxFreeSockets: number;
    readonly sockets: Record<string, unknown[]> = {};
    readonly freeSockets: Record<string, unknown[]> = {};
    readonly requests: Record<string, unknown[]> = {};
    readonly defaultPort = defaultPort;
    readonly protocol = defaultProtocol;

    constructor(options: Record<string, unknown> = {}) {
      super();
      this.options = { ...options };
      this.keepAlive = options["keepAlive"] === true;
      this.keepAliveMsecs = Number(options["keepAliveMsecs"] ?? 1000);
      this.maxSockets = Number(options["maxSockets"] ?? Infinity);
      this.maxFreeSockets = Number(options["maxFreeSockets"] ?? 256);
    }
    destroy(): void {}
  }
  const globalAgent = new Agent({ keepAlive: true });

  class IncomingMessage extends stream.Readable {
    statusCode = 0;
    statusMessage = "";
    headers: Record<string, string | string[]> = {};
    rawHeaders: string[] = [];
    trailers: Record<string, string> = {};
    rawTrailers: string[] = [];
    httpVersion = "1.1";
    httpVersionMajor = 1;
    httpVersionMinor = 1;
    complete = false;
    aborted = false;
    url = "";
    method: string | null = null;
    readonly socket: unknown;

    constructor(socket?: unknown) {
      super();
      this.socket = socket ?? null;
      this.once("end", () => {
        this.complete = true;
      });
    }
    _read(): void {}
    get connection(): unknown {
      return this.socket;
    }
    setTimeout(ms: number, callback?: Listener): this {
      (this.socket as { setTimeout?: (ms: number, cb?: Listener) => unknown } | null)?.setTimeout?.(ms, callback);
      return this;
    }
  }
  const { OutgoingMessage, ServerResponse } = createServerSide(EventEmitter, STATUS_CODES);

  class ClientRequest extends stream.Writable {
    readonly method: string;
    readonly path: string;
    readonly host: string;
    readonly protocol: string;
    readonly agent: unknown;
    readonly socket: Emitter & Record<string, unknown>;
    readonly connection: Emitter & Record<string, unknown>;
    readonly #url: string;
    readonly #headers = new Map<string, [string, string | string[]]>();
    readonly #chunks: Uint8Array[] = [];
    readonly #aborter = new AbortControllerClass();
    #bodyBytes = 0;
    #timeout: unknown;
    headersSent = false;
    aborted = false;
    finished = false;
    reusedSocket = false;
    maxHeadersCount: number | null = null;

    constructor(options: RequestOptions, callback?: Listener) {
      // Node keeps a request open past its last write, until the response is in.
      super({ autoDestroy: false });
      this.#url = urlOf(options);
      this.method = String(options.method ?? "GET").toUpperCase();
      this.path = options.path ?? "/";
      this.host = options.hostname ?? options.host ?? "localhost";
      this.protocol = options.protocol ?? defaultProtocol;
      this.agent = options.agent ?? globalAgent;
      const headers = options.headers ?? {};
      for (const [name, value] of Array.isArray(headers) ? headers : Object.entries(headers)) {
        if (value !== undefined) this.setHeader(name, value);
      }
      if (typeof options.auth === "string" && !this.hasHeader("authorization")) {
        this.setHeader("Authorization", `Basic ${Buffer.from(options.auth).toString("base64")}`);
      }
      if (callback) this.once("response", callback);
      this.socket = socketStandIn(EventEmitter);
      this.connection = this.socket;
      if (options.timeout !== undefined) this.setTimeout(Number(options.timeout));
      const signal = options.signal;
      if (signal) {
        if (signal.aborted) queueMicrotask(() => this.destroy(abortError()));
        else signal.addEventListener("abort", () => this.destroy(abortError()), { once: true });
      }
      // Node hands the request its socket on a later tick; clients listen for it after request() returns.
      queueMicrotask(() => {
        if (!this.destroyed) this.emit("socket", this.socket);
        if (this.getHeader("expect") === "100-continue" && !this.destroyed) this.emit("continue");
      });
    }

    setHeader(name: string, value: string | number | readonly string[]): this {
      if (this.headersSent) throw nodeError("Cannot set headers after they are sent to the client", "ERR_HTTP_HEADERS_SENT");
      this.#headers.set(String(name).toLowerCase(), [String(name), Array.isArray(value) ? value.map(String) : String(value)]);
      return this;
    }
    getHeader(name: string): string | string[] | undefined {
      return this.#headers.get(String(name).toLowerCase())?.[1];
    }
    hasHeader(name: string): boolean {
      return this.#headers.has(String(name).toLowerCase());
    }
    removeHeader(name: string): void {
      this.#headers.delete(String(name).toLowerCase());
    }
    getHeaders(): Record<string, string | string[]> {
      return Object.fromEntries([...this.#headers].map(([key, [, value]]) => [key, value]));
    }
    getHeaderNames(): string[] {
      return [...this.#headers.keys()];
    }
    getRawHeaderNames(): string[] {
      return [...this.#headers.values()].map(([name]) => name);
    }
    flushHeaders(): void {}
    setNoDelay(): void {}
    setSocketKeepAlive(): void {}

    setTimeout(ms: number, callback?: Listener): this {
      if (callback) this.once("timeout", callback);
      if (this.#timeout !== undefined) clearTimeout(this.#timeout);
      // As a socket's timeout in Node, it keeps no event loop alive on its own.
      this.#timeout = Number(ms) > 0 ? unref(setTimeout(() => this.emit("timeout"), Number(ms))) : undefined;
      return this;
    }

    abort(): void {
      if (this.aborted) return;
      this.aborted = true;
      queueMicrotask(() => this.emit("abort"));
      this.destroy();
    }

    _write(chunk: Uint8Array, _encoding: string, done: (error?: Error | null) => void): void {
      this.#chunks.push(chunk);
      this.#bodyBytes += chunk.length;
      done();
    }

    _destroy(error: Error | null, done: (error?: Error | null) => void): void {
      this.#aborter.abort();
      this.#stopTimers();
      // Node reports a request destroyed before its response as a reset connection, unless it was aborted.
      done(error ?? (this.#answered || this.aborted ? null : nodeError("socket hang up", "ECONNRESET")));
    }

    /** Writable's last step, once `end()` has the whole body: send the request. */
    _final(done: (error?: Error | null) => void): void {
      this.#send(done);
    }

    #answered = false;

    #stopTimers(): void {
      if (this.#timeout !== undefined) clearTimeout(this.#timeout);
      this.#timeout = undefined;
      (this.socket["clearIdle"] as () => void)();
    }

    #send(done: (error?: Error | null) => void): void {
      this.headersSent = true;
      this.finished = true;
      const bodyless = this.method === "GET" || this.method === "HEAD";
      const body = bodyless || this.#bodyBytes === 0 ? undefined : Buffer.concat(this.#chunks);
      // The host sets the length from the body it sends; a mismatched one would only break the request.
      const headers = headerPairs(this.#headers).filter(([name]) => !/^(content-length|transfer-encoding|connection)$/i.test(name));
      sandboxFetch(this.#url, { method: this.method, headers, body, redirect: "manual", signal: this.#aborter.signal }).then(
        (response) => this.#respond(response),
        (error: unknown) => {
          if (this.destroyed) return;
          const reason = error instanceof Error ? error.message : String(error);
          this.destroy(nodeError(reason, "ECONNREFUSED"));
        },
      );
      done();
    }

    async #respond(response: FetchResponse): Promise<void> {
      if (this.destroyed) return;
      const message = new IncomingMessage(this.socket);
      message.statusCode = response.status;
      message.statusMessage = response.statusText || STATUS_CODES[response.status] || "";
      message.method = this.method;
      let body: Uint8Array;
      try {
        body = Buffer.from(await response.arrayBuffer());
      } catch (error) {
        this.destroy(nodeError(error instanceof Error ? error.message : String(error), "ECONNRESET"));
        return;
      }
      if (this.destroyed) return;
      let decoded = false;
      for (const [name, value] of response.headers.entries()) {
        // The host has already decoded a compressed body; its length and encoding no longer hold.
        if (name === "content-encoding") {
          decoded = true;
          continue;
        }
        if (name === "set-cookie") continue;
        message.rawHeaders.push(name, value);
        message.headers[name] = value;
      }
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) {
        message.headers["set-cookie"] = cookies;
        for (const cookie of cookies) message.rawHeaders.push("set-cookie", cookie);
      }
      if (decoded && message.headers["content-length"] !== undefined) message.headers["content-length"] = String(body.length);
      this.#answered = true;
      this.#stopTimers();
      const listened = this.emit("response", message);
      if (body.length > 0 && this.method !== "HEAD") message.push(body);
      message.push(null);
      // With no 'response' listener Node reads the body away so the request can finish.
      if (!listened) message.resume();
      message.once("end", () => {
        this.emit("close");
        message.emit("close");
      });
    }
  }

  const request = (...args: unknown[]): ClientRequest => {
    const { options, callback } = requestOptions(args, defaultProtocol);
    return new ClientRequest(options, callback);
  };
  const get = (...args: unknown[]): ClientRequest => {
    const outgoing = request(...args);
    outgoing.end();
    return outgoing;
  };
  const refuseServer = (): never => {
    throw notImplemented(`${defaultProtocol === "https:" ? "https" : "http"}.createServer()`);
  };
  return {
    Agent,
    globalAgent,
    ClientRequest,
    IncomingMessage,
    OutgoingMessage,
    ServerResponse,
    request,
    get,
    createServer: refuseServer,
    Server: class Server {
      constructor() {
        refuseServer();
      }
    },
    STATUS_CODES,
    METHODS,
    maxHeaderSize: 16384,
    validateHeaderName: (name: string) => {
      if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(String(name))) throw nodeError(`Header name must be a valid HTTP token ["${name}"]`, "ERR_INVALID_HTTP_TOKEN");
    },
    validateHeaderValue: (name: string, value: unknown) => {
      if (value === undefined) throw nodeError(`Invalid value "undefined" for header "${name}"`, "ERR_HTTP_INVALID_HEADER_VALUE");
      if (/[\0\r\n]/.test(String(value))) throw nodeError(`Invalid character in header content ["${name}"]`, "ERR_INVALID_CHAR");
    },
  };
}

function abortError(): Error {
  const error = new Error("The operation was aborted") as NodeError;
  error.name = "AbortError";
  error.code = "ABORT_ERR";
  return error;
}

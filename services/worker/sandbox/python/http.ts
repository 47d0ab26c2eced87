// Outbound HTTP for Python functions, which block where JavaScript would await: `fetchSync` sends one
// request through the host's fetch (host call `fetch`, which the isolate waits for) and hands back the
// whole response, or why there is none. lambent_http.py builds urllib's and http.client's connections on
// it; a synchronous XMLHttpRequest built on it is what urllib3's Emscripten backend (and so requests)
// and pyodide.http.open_url use. The host holds every limit: the egress policy, the timeout, the
// response's size, the invocation's end. What is checked here only shapes the request.
import { callHostWaiting } from "../host-access.js";
import type { FetchRequestData, FetchResponseData } from "../host.js";
import { toBytes, utf8Decode, utf8Encode } from "../web/encoding.js";
import { DOMException } from "../web/event-target.js";

/** lambent_http.py as the runtime sees it: handed fetchSync once per interpreter. */
export interface PythonHttpModule {
  install(fetch: typeof fetchSync): void;
}

/** The response, or the host's failure: its message and, when the kind is known, a code (ETIMEDOUT, EACCES, ENOTFOUND, EFBIG). */
export type SyncFetchResult = ({ ok: true } & FetchResponseData) | { ok: false; code: string; message: string };

function headerPairs(headers: unknown): [string, string][] {
  if (!Array.isArray(headers)) return [];
  return headers.map((pair: unknown) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError("headers must be [name, value] pairs");
    return [String(pair[0]), String(pair[1])];
  });
}

function bodyBytes(body: unknown): Uint8Array | null {
  if (body === null || body === undefined) return null;
  if (typeof body === "string") return utf8Encode(body);
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return toBytes(body).slice();
  throw new TypeError("a request body must be bytes or text");
}

/**
 * Sends one request and waits for its whole response. `redirect` is "manual" for http.client, which
 * hands redirects to its caller; `timeoutMs` (0 for none) shortens the host's own fetch timeout.
 */
export function fetchSync(url: unknown, method: unknown, headers: unknown, body: unknown, redirect: unknown, timeoutMs: unknown): SyncFetchResult {
  const request: FetchRequestData = {
    url: String(url),
    method: String(method),
    headers: headerPairs(headers),
    body: bodyBytes(body),
    redirect: redirect === "manual" ? "manual" : "follow",
  };
  try {
    return { ok: true, ...(callHostWaiting("fetch", request, Number(timeoutMs) || 0) as FetchResponseData) };
  } catch (error) {
    const failure = error as { code?: unknown; message?: unknown };
    return { ok: false, code: typeof failure.code === "string" ? failure.code : "", message: String(failure.message ?? error) };
  }
}

const UNSENT = 0;
const OPENED = 1;
const DONE = 4;

/**
 * A synchronous-only XMLHttpRequest over fetchSync, as a web worker has it: `open(method, url, false)`,
 * `send` blocks and follows redirects; a failure throws a DOMException named NetworkError, or
 * TimeoutError when `timeout` (or the host's own limit) ran out. Asynchronous requests are refused:
 * Python code that awaits uses pyodide.http.pyfetch.
 */
export class XMLHttpRequest {
  static readonly UNSENT = UNSENT;
  static readonly OPENED = OPENED;
  static readonly HEADERS_RECEIVED = 2;
  static readonly LOADING = 3;
  static readonly DONE = DONE;

  readyState = UNSENT;
  status = 0;
  statusText = "";
  responseURL = "";
  responseType: "" | "text" | "arraybuffer" | "json" = "";
  /** Milliseconds; 0 leaves the host's own limit. */
  timeout = 0;
  withCredentials = false;
  onreadystatechange: unknown = null;
  onload: unknown = null;
  onerror: unknown = null;
  private method = "GET";
  private url = "";
  private requestHeaders: [string, string][] = [];
  private responseHeaders: [string, string][] = [];
  private body: Uint8Array = new Uint8Array(0);

  open(method: string, url: string, async = true): void {
    if (async !== false) throw new DOMException("Only synchronous XMLHttpRequests are supported here: use fetch (pyodide.http.pyfetch) to await a response", "NotSupportedError");
    this.method = String(method).toUpperCase();
    this.url = String(url);
    this.requestHeaders = [];
    this.responseHeaders = [];
    this.body = new Uint8Array(0);
    this.status = 0;
    this.statusText = "";
    this.readyState = OPENED;
  }

  setRequestHeader(name: string, value: string): void {
    if (this.readyState !== OPENED) throw new DOMException("The object's state must be OPENED.", "InvalidStateError");
    this.requestHeaders.push([String(name), String(value)]);
  }

  overrideMimeType(): void {
    // Bytes are kept as they came; `responseText` reads them as UTF-8.
  }

  abort(): void {
    this.readyState = UNSENT;
  }

  send(body?: unknown): void {
    if (this.readyState !== OPENED) throw new DOMException("The object's state must be OPENED.", "InvalidStateError");
    const result = fetchSync(this.url, this.method, this.requestHeaders, this.method === "GET" || this.method === "HEAD" ? null : body, "follow", this.timeout);
    this.readyState = DONE;
    if (!result.ok) throw new DOMException(result.message, result.code === "ETIMEDOUT" ? "TimeoutError" : "NetworkError");
    this.status = result.status;
    this.statusText = result.statusText;
    this.responseURL = result.url;
    this.responseHeaders = result.headers;
    this.body = result.body;
  }

  getAllResponseHeaders(): string {
    return this.responseHeaders.map(([name, value]) => `${name}: ${value}\r\n`).join("");
  }

  getResponseHeader(name: string): string | null {
    const wanted = String(name).toLowerCase();
    const values = this.responseHeaders.filter(([key]) => key === wanted).map(([, value]) => value);
    return values.length > 0 ? values.join(", ") : null;
  }

  get responseText(): string {
    return utf8Decode(this.body);
  }

  get response(): unknown {
    if (this.responseType === "arraybuffer") return this.body.buffer.slice(this.body.byteOffset, this.body.byteOffset + this.body.byteLength);
    if (this.responseType === "json") return this.body.length > 0 ? (JSON.parse(this.responseText) as unknown) : null;
    return this.responseText;
  }
}

/**
 * Gives a Python environment its XMLHttpRequest, and tells Python libraries that look for Node (urllib3
 * refuses to use XMLHttpRequest under Node) that this is not Node: the isolate's `process` is only
 * Node's shape, and no Node runtime answers behind it.
 */
export function installPythonHttp(): void {
  const global = globalThis as unknown as Record<string, unknown>;
  Object.defineProperty(global, "XMLHttpRequest", { value: XMLHttpRequest, writable: true, configurable: true, enumerable: false });
  const process = global["process"];
  if (typeof process === "object" && process !== null) Object.defineProperty(process, "release", { value: { name: "lambent-python" }, configurable: true, enumerable: true, writable: true });
}

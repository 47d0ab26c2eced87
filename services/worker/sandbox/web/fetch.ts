// fetch, Headers, Request and Response. The host carries each fetch out (sandbox/host.ts, through the outbox): the request
// body is read here in full and the response arrives in full, capped by the host. Every fetch belongs to
// the invocation that started it: `abandonFetches` runs when the invocation ends, and an answer arriving
// later is dropped, so nothing settles in the next invocation.
import { abortFetch, startFetch } from "../outbox.js";
import type { FetchResponseData } from "../host.js";
import { toBytes, utf8Decode, utf8Encode } from "./encoding.js";
import { AbortSignal, DOMException } from "./event-target.js";
import { webStreams } from "./streams.js";

type HeadersInit = Headers | Record<string, string> | Iterable<[string, string]>;
type BodyInit = string | ArrayBuffer | ArrayBufferView | URLSearchParamsLike | StreamBody | null | undefined;

/** The part of a ReadableStream (stream/web) a body given as one is read through. */
interface StreamBody {
  readonly locked: boolean;
  getReader(): { read(): Promise<{ done: boolean; value?: unknown }> };
  tee(): [StreamBody, StreamBody];
}

interface URLSearchParamsLike {
  toString(): string;
  append(name: string, value: string): void;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function headerName(name: unknown): string {
  const text = String(name);
  if (!TOKEN.test(text)) throw new TypeError(`Header name must be a valid HTTP token ["${text}"]`);
  return text.toLowerCase();
}

function headerValue(value: unknown): string {
  const text = String(value).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
  if (/[\0\r\n]/.test(text)) throw new TypeError(`Invalid header value: "${text}"`);
  return text;
}

export class Headers {
  private readonly map = new Map<string, string[]>();

  constructor(init?: HeadersInit) {
    if (init === undefined || init === null) return;
    if (init instanceof Headers) {
      for (const [name, values] of init.map) this.map.set(name, [...values]);
    } else if (typeof (init as Iterable<unknown>)[Symbol.iterator] === "function") {
      for (const pair of init as Iterable<[string, string]>) {
        const entry = [...pair];
        if (entry.length !== 2) throw new TypeError("Header pairs must contain exactly two items");
        this.append(entry[0] as string, entry[1] as string);
      }
    } else {
      for (const [name, value] of Object.entries(init)) this.append(name, value);
    }
  }

  append(name: string, value: string): void {
    const key = headerName(name);
    const list = this.map.get(key);
    if (list) list.push(headerValue(value));
    else this.map.set(key, [headerValue(value)]);
  }
  set(name: string, value: string): void {
    this.map.set(headerName(name), [headerValue(value)]);
  }
  get(name: string): string | null {
    const list = this.map.get(headerName(name));
    return list ? list.join(", ") : null;
  }
  getSetCookie(): string[] {
    return [...(this.map.get("set-cookie") ?? [])];
  }
  has(name: string): boolean {
    return this.map.has(headerName(name));
  }
  delete(name: string): void {
    this.map.delete(headerName(name));
  }
  forEach(callback: (value: string, name: string, headers: Headers) => void, thisArg?: unknown): void {
    for (const [name, value] of this) callback.call(thisArg, value, name, this);
  }
  *entries(): IterableIterator<[string, string]> {
    for (const name of [...this.map.keys()].sort()) {
      const values = this.map.get(name) as string[];
      if (name === "set-cookie") for (const value of values) yield [name, value];
      else yield [name, values.join(", ")];
    }
  }
  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }
  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
  /** Every value on its own, for the host. */
  pairs(): [string, string][] {
    const out: [string, string][] = [];
    for (const [name, values] of this.map) for (const value of values) out.push([name, value]);
    return out;
  }
  get [Symbol.toStringTag](): string {
    return "Headers";
  }
}

function isStreamBody(body: unknown): body is StreamBody {
  return Object.prototype.toString.call(body) === "[object ReadableStream]" && body instanceof webStreams().ReadableStream;
}

/** A body as bytes, and the content type it implies when the caller set none. */
function extractBody(body: BodyInit): { bytes: Uint8Array | null; type: string | null } {
  if (body === null || body === undefined) return { bytes: null, type: null };
  if (typeof body === "string") return { bytes: utf8Encode(body), type: "text/plain;charset=UTF-8" };
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return { bytes: toBytes(body).slice(), type: null };
  const tag = Object.prototype.toString.call(body);
  if (tag === "[object URLSearchParams]") return { bytes: utf8Encode(body.toString()), type: "application/x-www-form-urlencoded;charset=UTF-8" };
  return { bytes: utf8Encode(String(body)), type: "text/plain;charset=UTF-8" };
}

abstract class Body {
  /** The whole body: the host delivers responses fully read, and request bodies are read at once. */
  protected data: Uint8Array | null;
  private used = false;
  /** The body's stream: given to the constructor (a Response made from a ReadableStream), or made on first read of `body`. */
  private stream: StreamBody | null;
  private readonly fromStream: boolean;
  abstract readonly headers: Headers;

  constructor(data: Uint8Array | null, stream: StreamBody | null = null) {
    this.data = data;
    this.stream = stream;
    this.fromStream = stream !== null;
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  /**
   * The body as a byte ReadableStream (null when there is none), the same one on every read of `body`. Over
   * bytes, it hands them over as one chunk when first read, and that uses the body up.
   */
  get body(): unknown {
    if (!this.data) return this.stream;
    this.stream ??= new (webStreams().ReadableStream)({
      type: "bytes",
      pull: (controller: { enqueue(chunk: Uint8Array): void; close(): void }) => {
        controller.enqueue(this.consume().slice());
        controller.close();
      },
    }) as StreamBody;
    return this.stream;
  }

  /** The whole body, read from its stream when it was made from one. */
  protected async consumeAll(): Promise<Uint8Array> {
    if (!this.fromStream || !this.stream) return this.consume();
    if (this.used || this.stream.locked) throw new TypeError("Body is unusable: Body has already been read");
    this.used = true;
    const reader = this.stream.getReader();
    const chunks: Uint8Array[] = [];
    let length = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!(value instanceof Uint8Array)) throw new TypeError("Received non-Uint8Array chunk");
      chunks.push(value);
      length += value.byteLength;
    }
    const out = new Uint8Array(length);
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return out;
  }

  protected isStreamed(): boolean {
    return this.fromStream;
  }

  /** For clone(): a stream body split in two, one half kept here and the other returned. */
  teeStream(): StreamBody | null {
    if (!this.fromStream || !this.stream) return null;
    const [kept, given] = this.stream.tee();
    this.stream = kept;
    return given;
  }

  protected consume(): Uint8Array {
    if (this.used) throw new TypeError("Body is unusable: Body has already been read");
    this.used = true;
    return this.data ?? new Uint8Array(0);
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.consumeAll();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
  async bytes(): Promise<Uint8Array> {
    return (await this.consumeAll()).slice();
  }
  async text(): Promise<string> {
    return utf8Decode(await this.consumeAll());
  }
  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
}

const METHODS = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH"]);

export interface RequestInit {
  method?: string;
  headers?: HeadersInit;
  body?: BodyInit;
  redirect?: "follow" | "manual" | "error";
  signal?: AbortSignal | null;
  /** Required with a ReadableStream body, as in Node; the stream is read whole before the request is sent. */
  duplex?: "half";
}

function absoluteUrl(input: unknown): string {
  const URLClass = (globalThis as unknown as { URL: new (url: string) => { href: string } }).URL;
  try {
    return new URLClass(String(input)).href;
  } catch {
    throw new TypeError(`Failed to parse URL from ${String(input)}`);
  }
}

export class Request extends Body {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly redirect: "follow" | "manual" | "error";
  readonly signal: AbortSignal;

  constructor(input: string | Request | { href: string }, init: RequestInit = {}) {
    const base = input instanceof Request ? input : undefined;
    const method = String(init.method ?? base?.method ?? "GET").toUpperCase();
    const normalized = METHODS.has(method) ? method : String(init.method ?? base?.method);
    if (!TOKEN.test(normalized)) throw new TypeError(`'${normalized}' is not a valid HTTP method.`);
    const stream = init.body !== undefined ? (isStreamBody(init.body) ? init.body : null) : (base?.teeStream() ?? null);
    if (stream && init.body !== undefined && init.duplex !== "half") throw new TypeError("RequestInit: duplex option is required when sending a body.");
    const { bytes, type } = stream ? { bytes: null, type: null } : init.body !== undefined ? extractBody(init.body) : { bytes: base ? base.data : null, type: null };
    if ((bytes || stream) && (normalized === "GET" || normalized === "HEAD")) throw new TypeError("Request with GET/HEAD method cannot have body.");
    super(bytes, stream);
    this.url = base ? base.url : absoluteUrl(typeof input === "string" ? input : (input as { href: string }).href);
    this.method = normalized;
    this.headers = new Headers(init.headers ?? base?.headers);
    if (type && !this.headers.has("content-type")) this.headers.set("content-type", type);
    this.redirect = init.redirect ?? base?.redirect ?? "follow";
    this.signal = init.signal ?? base?.signal ?? new AbortSignal();
  }

  /** The body for the host: bytes as they are, without using them up, or, for a stream, its bytes once it is read whole. */
  bodyForHost(): Uint8Array | null | Promise<Uint8Array> {
    return this.isStreamed() ? this.consumeAll() : this.data;
  }

  clone(): Request {
    if (this.bodyUsed) throw new TypeError("Request body is already used");
    return this.isStreamed() ? new Request(this) : new Request(this, { body: this.data ? this.data.slice() : null });
  }
  get [Symbol.toStringTag](): string {
    return "Request";
  }
}

export interface ResponseInit {
  status?: number;
  statusText?: string;
  headers?: HeadersInit;
}

export class Response extends Body {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly type: string = "default";
  url = "";
  redirected = false;

  constructor(body?: BodyInit, init: ResponseInit = {}) {
    const stream = isStreamBody(body) ? body : null;
    const { bytes, type } = stream ? { bytes: null, type: null } : extractBody(body);
    super(bytes, stream);
    const status = init.status ?? 200;
    if (!(status >= 200 && status <= 599)) throw new RangeError(`init["status"] must be in the range of 200 to 599, inclusive.`);
    this.status = status;
    this.statusText = init.statusText ?? "";
    this.headers = new Headers(init.headers);
    if (type && !this.headers.has("content-type")) this.headers.set("content-type", type);
  }

  get ok(): boolean {
    return this.status >= 200 && this.status <= 299;
  }

  clone(): Response {
    if (this.bodyUsed) throw new TypeError("Response body is already used");
    const given = this.teeStream();
    if (given) return new Response(given, { status: this.status, statusText: this.statusText, headers: this.headers });
    return fromHost({ url: this.url, status: this.status, statusText: this.statusText, headers: [...this.headers.entries()], body: this.data ?? new Uint8Array(0), redirected: this.redirected });
  }

  static json(data: unknown, init: ResponseInit = {}): Response {
    const headers = new Headers(init.headers);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
    return new Response(JSON.stringify(data), { ...init, headers });
  }
  static error(): Response {
    const response = new Response(null, { status: 200 });
    Object.defineProperty(response, "status", { value: 0 });
    Object.defineProperty(response, "type", { value: "error" });
    return response;
  }
  static redirect(url: string, status = 302): Response {
    return new Response(null, { status, headers: { location: absoluteUrl(url) } });
  }
  get [Symbol.toStringTag](): string {
    return "Response";
  }
}

function fromHost(data: FetchResponseData): Response {
  // Responses may carry any status the server sent (1xx aside), so the range check is bypassed here.
  const response = new Response(data.body.length > 0 ? data.body : null, { headers: data.headers, statusText: data.statusText });
  Object.defineProperty(response, "status", { value: data.status, enumerable: true });
  response.url = data.url;
  response.redirected = data.redirected;
  return response;
}

interface PendingFetch {
  resolve(response: Response): void;
  reject(error: unknown): void;
}

const pending = new Map<number, PendingFetch>();
let nextFetchId = 1;

export function fetch(input: string | Request | { href: string }, init?: RequestInit): Promise<Response> {
  return new Promise((resolve, reject) => {
    const request = new Request(input, init);
    if (request.signal.aborted) {
      reject(request.signal.reason);
      return;
    }
    const id = nextFetchId++;
    pending.set(id, { resolve, reject });
    request.signal.addEventListener(
      "abort",
      () => {
        if (!pending.delete(id)) return;
        abortFetch(id);
        reject(request.signal.reason ?? new DOMException("This operation was aborted", "AbortError"));
      },
      { once: true },
    );
    const send = (body: Uint8Array | null): void => {
      if (pending.has(id)) startFetch(id, { url: request.url, method: request.method, headers: request.headers.pairs(), body, redirect: request.redirect });
    };
    const body = request.bodyForHost();
    if (!(body instanceof Promise)) {
      send(body);
      return;
    }
    // A stream body is read here first; an abort, or the invocation's end, while it is read leaves nothing to send.
    body.then(send, (error: unknown) => {
      if (pending.delete(id)) reject(error);
    });
  });
}

/** The host's answer to fetch `id`; ignored when the invocation that started it has ended. */
export function settleFetch(id: number, ok: boolean, value: FetchResponseData | string): void {
  const entry = pending.get(id);
  if (!entry) return;
  pending.delete(id);
  if (ok) entry.resolve(fromHost(value as FetchResponseData));
  else entry.reject(new TypeError(String(value)));
}

/** Whether a fetch is still waiting for the host's answer (or for its body to be read). */
export function fetchesPending(): boolean {
  return pending.size > 0;
}

/** The invocation has ended: its fetches never settle. */
export function abandonFetches(): void {
  pending.clear();
}

// `fetch` carried out by the host for a function: the host name is resolved here, every address it
// resolves to is checked against the egress policy, and the connection goes to the checked address (the
// request never resolves the name a second time, so DNS rebinding cannot swap it). Each redirect hop is
// checked the same way. A deadline bounds the whole call and the body is capped. When the invocation
// is traced, each fetch is a client span under the handler span and sends its `traceparent` onwards.
import { lookup } from "node:dns/promises";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import type { Readable } from "node:stream";
import type { TraceSpan, Tracer } from "@lambent/telemetry";
import type { EgressPolicy } from "./egress-policy.js";

export interface FetchLimits {
  timeoutMs: number;
  maxResponseBytes: number;
}

/**
 * Bytes the host holds for one invocation's fetches together (request bodies, and responses as they are
 * read): `take` says false when there is no room for `bytes` more.
 */
export interface FetchBudget {
  take(bytes: number): boolean;
}

/** Lets every fetch go through: for callers that hold no invocation's fetches (tests). */
export const UNBOUNDED: FetchBudget = { take: () => true };

// The request and response shapes of the isolate boundary, as sandbox/host.ts spells them for the
// sandbox side: neither side may import the other, so both keep a copy.
export interface FetchRequestData {
  url: string;
  method: string;
  headers: [string, string][];
  body: Uint8Array | null;
  redirect: "follow" | "manual" | "error";
}

export interface FetchResponseData {
  url: string;
  status: number;
  statusText: string;
  headers: [string, string][];
  body: Uint8Array;
  redirected: boolean;
}

/**
 * Why a fetch failed, for callers that answer each kind differently (a Python function's urllib raises
 * TimeoutError, PermissionError or socket.gaierror): the time ran out, the egress policy refused the
 * address, the name did not resolve, the response was larger than allowed.
 */
export type FetchFailureCode = "ETIMEDOUT" | "EACCES" | "ENOTFOUND" | "EFBIG";

/** A fetch the host would not or could not carry out; the function sees a TypeError with this message. */
export class FetchFailure extends Error {
  override readonly name = "FetchFailure";
  constructor(
    message: string,
    readonly code?: FetchFailureCode,
  ) {
    super(message);
  }
}

/** The span a traced invocation's fetches are children of, and the tracer that makes them. */
export interface FetchTrace {
  tracer: Tracer;
  parent: TraceSpan;
}

const MAX_REDIRECTS = 20;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export function hostFetch(
  policy: EgressPolicy,
  limits: FetchLimits,
  request: FetchRequestData,
  signal: AbortSignal,
  trace?: FetchTrace,
  budget: FetchBudget = UNBOUNDED,
): Promise<FetchResponseData> {
  return trace ? tracedFetch(policy, limits, request, signal, trace, budget) : fetchFollowing(policy, limits, request, signal, budget);
}

/** One client span over the whole fetch (redirects included); the request carries the span's `traceparent`. */
async function tracedFetch(policy: EgressPolicy, limits: FetchLimits, request: FetchRequestData, signal: AbortSignal, trace: FetchTrace, budget: FetchBudget): Promise<FetchResponseData> {
  const target = URL.canParse(request.url) ? new URL(request.url) : undefined;
  const span = trace.tracer.start(`fetch ${request.method}`, {
    kind: "client",
    parent: trace.parent,
    attributes: {
      "http.request.method": request.method,
      ...(target ? { "server.address": target.hostname, "url.full": `${target.origin}${target.pathname}` } : {}),
    },
  });
  const headers = request.headers.filter(([name]) => name.toLowerCase() !== "traceparent");
  headers.push(["traceparent", span.traceparent]);
  try {
    const response = await fetchFollowing(policy, limits, { ...request, headers }, signal, budget);
    span.setAttribute("http.response.status_code", response.status);
    if (response.status >= 500) span.fail(new Error(`HTTP ${response.status}`));
    return response;
  } catch (error) {
    span.fail(error);
    throw error;
  } finally {
    span.end();
  }
}

async function fetchFollowing(policy: EgressPolicy, limits: FetchLimits, request: FetchRequestData, signal: AbortSignal, budget: FetchBudget): Promise<FetchResponseData> {
  const deadline = AbortSignal.timeout(limits.timeoutMs);
  const combined = AbortSignal.any([signal, deadline]);
  let current = request;
  let url = parseUrl(request.url);
  for (let hop = 0; ; hop++) {
    const response = await fetchOnce(policy, limits, url, current, combined, budget).catch((error: unknown) => {
      if (deadline.aborted) throw new FetchFailure(`fetch failed: no response from ${url.host} within ${limits.timeoutMs} ms`, "ETIMEDOUT");
      if (signal.aborted) throw new FetchFailure("fetch failed: the invocation ended");
      throw error;
    });
    const location = response.headers.find(([name]) => name === "location")?.[1];
    if (!REDIRECTS.has(response.status) || location === undefined || current.redirect === "manual") {
      return { ...response, url: url.href, redirected: hop > 0 };
    }
    if (current.redirect === "error") throw new FetchFailure(`fetch failed: redirect to ${location} with redirect mode "error"`);
    if (hop >= MAX_REDIRECTS) throw new FetchFailure("fetch failed: too many redirects");
    url = parseUrl(new URL(location, url).href);
    const toGet = response.status === 303 || ((response.status === 301 || response.status === 302) && current.method === "POST");
    current = toGet
      ? { ...current, method: current.method === "HEAD" ? "HEAD" : "GET", body: null, headers: current.headers.filter(([name]) => !/^content-/i.test(name)) }
      : current;
  }
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new FetchFailure(`Invalid URL: ${text}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new FetchFailure(`fetch failed: scheme ${url.protocol} is not supported`);
  return url;
}

/** The one address the request may use: every address the name has must pass the policy. */
async function resolveChecked(policy: EgressPolicy, url: URL): Promise<{ address: string; family: 4 | 6 }> {
  const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  const literal = isIP(hostname);
  let addresses: { address: string; family: number }[];
  if (literal) {
    addresses = [{ address: hostname, family: literal }];
  } else {
    try {
      addresses = await lookup(hostname, { all: true, verbatim: true });
    } catch (error) {
      throw new FetchFailure(`fetch failed: could not resolve ${hostname} (${(error as { code?: string }).code ?? "error"})`, "ENOTFOUND");
    }
  }
  if (addresses.length === 0) throw new FetchFailure(`fetch failed: could not resolve ${hostname}`, "ENOTFOUND");
  for (const { address } of addresses) {
    const decision = policy.decide(hostname, address);
    if (!decision.allowed) throw new FetchFailure(`fetch to ${url.origin} refused: ${decision.reason}`, "EACCES");
  }
  const first = addresses[0] as { address: string; family: number };
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

async function fetchOnce(
  policy: EgressPolicy,
  limits: FetchLimits,
  url: URL,
  request: FetchRequestData,
  signal: AbortSignal,
  budget: FetchBudget,
): Promise<Omit<FetchResponseData, "url" | "redirected">> {
  const target = await resolveChecked(policy, url);
  signal.throwIfAborted();
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [target]);
    else callback(null, target.address, target.family);
  };
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of request.headers) {
    const key = name.toLowerCase();
    const existing = headers[key];
    headers[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  headers["accept-encoding"] ??= "gzip, deflate, br";
  if (request.body) headers["content-length"] = String(request.body.length);
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const outgoing = send(url, { method: request.method, headers, lookup: pinned, signal, agent: false }, resolve);
    outgoing.on("error", (error) => reject(new FetchFailure(`fetch failed: ${error.message}`)));
    outgoing.end(request.body ?? undefined);
  });
  const body = await readCapped(decoded(response, request.method), limits.maxResponseBytes, signal, budget);
  const responseHeaders: [string, string][] = [];
  for (let i = 0; i < response.rawHeaders.length; i += 2) {
    responseHeaders.push([(response.rawHeaders[i] as string).toLowerCase(), response.rawHeaders[i + 1] as string]);
  }
  return { status: response.statusCode ?? 0, statusText: response.statusMessage ?? "", headers: responseHeaders, body };
}

function decoded(response: IncomingMessage, method: string): Readable {
  const encoding = String(response.headers["content-encoding"] ?? "").toLowerCase().trim();
  if (method === "HEAD" || response.statusCode === 204 || response.statusCode === 304) return response;
  const decoder = encoding === "gzip" || encoding === "x-gzip" ? createGunzip() : encoding === "deflate" ? createInflate() : encoding === "br" ? createBrotliDecompress() : undefined;
  if (!decoder) return response;
  response.on("error", (error) => decoder.destroy(error));
  return response.pipe(decoder);
}

async function readCapped(stream: Readable, maxBytes: number, signal: AbortSignal, budget: FetchBudget): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      size += bytes.length;
      if (size > maxBytes) {
        stream.destroy();
        throw new FetchFailure(`fetch failed: the response body is larger than ${maxBytes} bytes`, "EFBIG");
      }
      if (!budget.take(bytes.length)) {
        stream.destroy();
        throw new FetchFailure("fetch failed: this invocation's fetches together hold more bytes than its memory size", "EFBIG");
      }
      chunks.push(bytes);
    }
  } catch (error) {
    if (error instanceof FetchFailure) throw error;
    signal.throwIfAborted();
    throw new FetchFailure(`fetch failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return new Uint8Array(Buffer.concat(chunks, size));
}

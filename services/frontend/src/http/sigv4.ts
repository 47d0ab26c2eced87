// Checks AWS Signature Version 4 on a request, as Lambda checks a call to a function URL with AuthType
// AWS_IAM, signed for service `lambda` in the cluster's region with one of the access keys Lambent knows
// (LAMBENT_ACCESS_KEYS), over the method, path, query string, signed headers and the body's SHA-256. The
// signature comes either in an `Authorization: AWS4-HMAC-SHA256 …` header, dated within 15 minutes of
// now, or in the query string of a presigned URL (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`,
// `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Signature`), valid from its date for its `X-Amz-Expires`
// seconds (at most seven days) and signed over the body's hash or `UNSIGNED-PAYLOAD`. The expected
// signature is computed by the AWS SDK's own signer (@smithy/signature-v4) over the request as received
// (its path as sent, its query, the headers it names as signed, its body): this module only decides which
// key, scope and time a request may claim.
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { Sha256 } from "@lambent/request-signing";
import { SignatureV4 } from "@smithy/signature-v4";

export interface SigV4Request {
  method: string;
  /** The request target as sent: path and query string, still percent-encoded. */
  rawUrl: string;
  headers: IncomingHttpHeaders;
  body: Uint8Array;
}

export interface SigV4Scope {
  region: string;
  service: string;
}

/** Why a signature was refused, as AWS tells them apart: no signature, a key it does not know, one too old, or a wrong one. */
export type SigV4Refusal = "missing" | "unknown-key" | "expired" | "mismatch";

export type SigV4Result = { ok: true; accessKeyId: string } | { ok: false; reason: string; refusal: SigV4Refusal };

const ALGORITHM = "AWS4-HMAC-SHA256";
const MAX_CLOCK_SKEW_MS = 15 * 60_000;
/** SigV4's longest presigned URL: seven days. */
const MAX_PRESIGNED_SECONDS = 604_800;
const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
const AUTHORIZATION = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Access key id → secret: a Map, or anything that looks keys up the same way. */
export interface SecretLookup {
  get(accessKeyId: string): string | undefined;
}

/** Whether `request` is signed by one of `keys` (access key id → secret) for `scope`, at `now`. */
export function verifySigV4(request: SigV4Request, keys: SecretLookup, scope: SigV4Scope, now: number): Promise<SigV4Result> {
  const authorization = single(request.headers["authorization"]);
  if (authorization !== undefined) return verifyHeader(request, authorization, keys, scope, now);
  const query = new URLSearchParams(queryOf(request.rawUrl));
  if (query.has("X-Amz-Algorithm")) return verifyPresigned(request, query, keys, scope, now);
  return Promise.resolve(refuse("the request is not signed (no Authorization header and no presigned query string)", "missing"));
}

/** The signature is in the Authorization header; the request is dated within 15 minutes of now. */
async function verifyHeader(request: SigV4Request, authorization: string, keys: SecretLookup, scope: SigV4Scope, now: number): Promise<SigV4Result> {
  const parsed = AUTHORIZATION.exec(authorization.trim());
  if (!parsed) return refuse(`the Authorization header is not ${ALGORITHM} with Credential, SignedHeaders and Signature`);
  const [, credential, signedHeaderList, signature] = parsed as unknown as [string, string, string, string];
  const amzDate = single(request.headers["x-amz-date"]);
  const signedAt = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (amzDate === undefined || signedAt === undefined) return refuse("the request has no valid X-Amz-Date");
  if (Math.abs(now - signedAt) > MAX_CLOCK_SKEW_MS) return refuse("the signature has expired (or is dated in the future)", "expired");
  const bodyHash = sha256Hex(request.body);
  const claimedHash = single(request.headers["x-amz-content-sha256"]);
  if (claimedHash !== undefined && claimedHash !== bodyHash) return refuse("the body does not match X-Amz-Content-Sha256");
  return verifySignature(request, { credential, signedHeaderList, signature, amzDate, signedAt, presignedFor: undefined }, keys, scope);
}

/** The signature is in the query string; the URL is valid from its date for X-Amz-Expires seconds. */
async function verifyPresigned(request: SigV4Request, query: URLSearchParams, keys: SecretLookup, scope: SigV4Scope, now: number): Promise<SigV4Result> {
  if (query.get("X-Amz-Algorithm") !== ALGORITHM) return refuse(`X-Amz-Algorithm is not ${ALGORITHM}`);
  const credential = query.get("X-Amz-Credential");
  const signedHeaderList = query.get("X-Amz-SignedHeaders");
  const signature = query.get("X-Amz-Signature");
  const amzDate = query.get("X-Amz-Date");
  const expires = Number(query.get("X-Amz-Expires"));
  if (credential === null || signedHeaderList === null || signature === null || !/^[0-9a-f]{64}$/.test(signature)) {
    return refuse("the presigned URL lacks X-Amz-Credential, X-Amz-SignedHeaders or X-Amz-Signature");
  }
  const signedAt = amzDate === null ? undefined : parseAmzDate(amzDate);
  if (amzDate === null || signedAt === undefined) return refuse("the presigned URL has no valid X-Amz-Date");
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGNED_SECONDS) return refuse(`X-Amz-Expires must be 1 to ${MAX_PRESIGNED_SECONDS} seconds`);
  if (now < signedAt - MAX_CLOCK_SKEW_MS) return refuse("the presigned URL is dated in the future", "expired");
  if (now > signedAt + expires * 1000) return refuse("the presigned URL has expired", "expired");
  return verifySignature(request, { credential, signedHeaderList, signature, amzDate, signedAt, presignedFor: expires }, keys, scope);
}

interface Signed {
  credential: string;
  signedHeaderList: string;
  signature: string;
  amzDate: string;
  signedAt: number;
  /** A presigned URL's lifetime in seconds; undefined for a signature in the Authorization header. */
  presignedFor: number | undefined;
}

async function verifySignature(request: SigV4Request, signed: Signed, keys: SecretLookup, scope: SigV4Scope): Promise<SigV4Result> {
  const [accessKeyId, date, region, service, terminator, ...extra] = signed.credential.split("/");
  if (!accessKeyId || !date || terminator !== "aws4_request" || extra.length > 0) return refuse("the credential scope is malformed");
  const secret = keys.get(accessKeyId);
  if (secret === undefined) return refuse(`access key ${accessKeyId} is not known`, "unknown-key");
  if (region !== scope.region || service !== scope.service) return refuse(`the request is signed for ${service} in ${region}, not ${scope.service} in ${scope.region}`);
  if (!signed.amzDate.startsWith(date)) return refuse("X-Amz-Date is not the credential scope's date");

  const signedHeaders = signed.signedHeaderList.split(";");
  if (!signedHeaders.includes("host")) return refuse("the Host header is not signed");
  if (signedHeaders.some((name, index) => name === "" || name !== name.toLowerCase() || (index > 0 && signedHeaders[index - 1]! >= name))) {
    return refuse("SignedHeaders is not a sorted list of lower-case header names");
  }
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return refuse(`signed header ${name} is missing`);
    headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  const signer = new SignatureV4({ credentials: { accessKeyId, secretAccessKey: secret }, region, service, sha256: Sha256, uriEscapePath: true, applyChecksum: false });
  const queryAt = request.rawUrl.indexOf("?");
  const base = {
    method: request.method,
    protocol: "https:",
    hostname: "",
    path: queryAt === -1 ? request.rawUrl : request.rawUrl.slice(0, queryAt),
    query: queryMap(queryOf(request.rawUrl), signed.presignedFor === undefined ? undefined : "X-Amz-Signature"),
    body: request.body,
  };
  const signableHeaders = new Set(signedHeaders);
  const signingDate = new Date(signed.signedAt);
  const given = Buffer.from(signed.signature, "hex");
  const matches = (computed: string | undefined): boolean => computed !== undefined && /^[0-9a-f]{64}$/.test(computed) && timingSafeEqual(Buffer.from(computed, "hex"), given);
  if (signed.presignedFor === undefined) {
    // A body hash the client sent in X-Amz-Content-Sha256 is what it signed over, signed as a header or not.
    const claimed = single(request.headers["x-amz-content-sha256"]);
    const withHash = claimed !== undefined && !signableHeaders.has("x-amz-content-sha256") ? { ...headers, "x-amz-content-sha256": claimed } : headers;
    const out = await signer.sign({ ...base, headers: withHash }, { signingDate, signableHeaders, unsignableHeaders: new Set(["x-amz-content-sha256"].filter((name) => !signableHeaders.has(name))) });
    const authorization = String(out.headers["authorization"] ?? "");
    return matches(/Signature=([0-9a-f]{64})$/.exec(authorization)?.[1]) ? { ok: true, accessKeyId } : refuse("the signature does not match");
  }
  // A presigned URL is signed over the body's hash, or over UNSIGNED-PAYLOAD.
  for (const payload of [undefined, UNSIGNED_PAYLOAD]) {
    const out = await signer.presign(
      { ...base, headers: payload === undefined ? headers : { ...headers, "x-amz-content-sha256": payload } },
      { signingDate, expiresIn: signed.presignedFor, signableHeaders, unsignableHeaders: new Set(["x-amz-content-sha256"]) },
    );
    const computed = out.query?.["X-Amz-Signature"];
    if (matches(typeof computed === "string" ? computed : undefined)) return { ok: true, accessKeyId };
  }
  return refuse("the signature does not match");
}

function queryOf(rawUrl: string): string {
  const queryAt = rawUrl.indexOf("?");
  return queryAt === -1 ? "" : rawUrl.slice(queryAt + 1);
}

/** The query's parameters decoded, as the signer takes them (repeated names as lists); `omit` left out. */
function queryMap(rawQuery: string, omit: string | undefined): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const part of rawQuery.split("&")) {
    if (part === "") continue;
    const equals = part.indexOf("=");
    const name = decode(equals === -1 ? part : part.slice(0, equals));
    if (name === omit) continue;
    const value = equals === -1 ? "" : decode(part.slice(equals + 1));
    const present = query[name];
    query[name] = present === undefined ? value : [...(Array.isArray(present) ? present : [present]), value];
  }
  return query;
}

/** A malformed escape is signed as it was sent. */
function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function parseAmzDate(text: string): number | undefined {
  const parts = AMZ_DATE.exec(text);
  if (!parts) return undefined;
  const [, year, month, day, hour, minute, second] = parts.map(Number) as [number, number, number, number, number, number, number];
  const time = Date.UTC(year, month - 1, day, hour, minute, second);
  return Number.isNaN(time) ? undefined : time;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

function refuse(reason: string, refusal: SigV4Refusal = "mismatch"): SigV4Result {
  return { ok: false, reason, refusal };
}

/** The access key a request says it is signed with, read before its body is: unsigned requests and unknown keys are refused without reading it. */
export function claimedAccessKey(request: Pick<SigV4Request, "rawUrl" | "headers">): string | undefined {
  const authorization = single(request.headers["authorization"]);
  const credential =
    authorization !== undefined ? /Credential=([^,\s/]+)\//.exec(authorization)?.[1] : new URLSearchParams(queryOf(request.rawUrl)).get("X-Amz-Credential")?.split("/")[0];
  return credential || undefined;
}

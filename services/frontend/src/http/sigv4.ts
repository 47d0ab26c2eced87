// Checks AWS Signature Version 4 on a request, as Lambda checks a call to a function URL with AuthType
// AWS_IAM, signed for service `lambda` in the cluster's region with one of the access keys Lambent knows
// (LAMBENT_ACCESS_KEYS), over the method, path, query string, signed headers and the body's SHA-256. The
// signature comes either in an `Authorization: AWS4-HMAC-SHA256 …` header, dated within 15 minutes of
// now, or in the query string of a presigned URL (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`,
// `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Signature`), valid from its date for its `X-Amz-Expires`
// seconds (at most seven days) and signed over the body's hash or `UNSIGNED-PAYLOAD`. The canonical
// request is built as the AWS SDKs build it (path segments normalised and URI-encoded again, query
// parameters sorted and encoded, header values trimmed).
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

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
export function verifySigV4(request: SigV4Request, keys: SecretLookup, scope: SigV4Scope, now: number): SigV4Result {
  const authorization = single(request.headers["authorization"]);
  if (authorization !== undefined) return verifyHeader(request, authorization, keys, scope, now);
  const query = new URLSearchParams(queryOf(request.rawUrl));
  if (query.has("X-Amz-Algorithm")) return verifyPresigned(request, query, keys, scope, now);
  return refuse("the request is not signed (no Authorization header and no presigned query string)", "missing");
}

/** The signature is in the Authorization header; the request is dated within 15 minutes of now. */
function verifyHeader(request: SigV4Request, authorization: string, keys: SecretLookup, scope: SigV4Scope, now: number): SigV4Result {
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
  return verifySignature(request, { credential, signedHeaderList, signature, amzDate, payloadHashes: [claimedHash ?? bodyHash], omitFromQuery: undefined }, keys, scope);
}

/** The signature is in the query string; the URL is valid from its date for X-Amz-Expires seconds. */
function verifyPresigned(request: SigV4Request, query: URLSearchParams, keys: SecretLookup, scope: SigV4Scope, now: number): SigV4Result {
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
  return verifySignature(
    request,
    { credential, signedHeaderList, signature, amzDate, payloadHashes: [sha256Hex(request.body), UNSIGNED_PAYLOAD], omitFromQuery: "X-Amz-Signature" },
    keys,
    scope,
  );
}

interface Signed {
  credential: string;
  signedHeaderList: string;
  signature: string;
  amzDate: string;
  /** The payload hashes the signer may have used; any one matching will do. */
  payloadHashes: string[];
  /** A query parameter the signature does not cover (the presigned signature itself). */
  omitFromQuery: string | undefined;
}

function verifySignature(request: SigV4Request, signed: Signed, keys: SecretLookup, scope: SigV4Scope): SigV4Result {
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
  const canonicalHeaders = [];
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return refuse(`signed header ${name} is missing`);
    canonicalHeaders.push(`${name}:${(Array.isArray(value) ? value.join(",") : value).trim().replace(/\s+/g, " ")}\n`);
  }
  const queryAt = request.rawUrl.indexOf("?");
  const credentialScope = `${date}/${region}/${service}/aws4_request`;
  const signingKey = [date, region, service, "aws4_request"].reduce<Buffer>((key, part) => hmac(key, part), Buffer.from(`AWS4${secret}`, "utf8"));
  const given = Buffer.from(signed.signature, "hex");
  for (const payloadHash of signed.payloadHashes) {
    const canonicalRequest = [
      request.method,
      canonicalPath(queryAt === -1 ? request.rawUrl : request.rawUrl.slice(0, queryAt)),
      canonicalQuery(queryOf(request.rawUrl), signed.omitFromQuery),
      canonicalHeaders.join(""),
      signed.signedHeaderList,
      payloadHash,
    ].join("\n");
    const stringToSign = [ALGORITHM, signed.amzDate, credentialScope, sha256Hex(canonicalRequest)].join("\n");
    if (timingSafeEqual(hmac(signingKey, stringToSign), given)) return { ok: true, accessKeyId };
  }
  return refuse("the signature does not match");
}

function queryOf(rawUrl: string): string {
  const queryAt = rawUrl.indexOf("?");
  return queryAt === -1 ? "" : rawUrl.slice(queryAt + 1);
}

/** The path as the SDKs sign it: empty and `.` segments dropped, `..` resolved, then URI-encoded once more. */
function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  const normalised = `${rawPath.startsWith("/") ? "/" : ""}${segments.join("/")}${segments.length > 0 && rawPath.endsWith("/") ? "/" : ""}`;
  return escapeUri(normalised).replace(/%2F/g, "/");
}

/** Parameters decoded, encoded again as RFC 3986 wants, sorted by name and then value; `omit` left out. */
function canonicalQuery(rawQuery: string, omit: string | undefined): string {
  const pairs: string[] = [];
  for (const part of rawQuery.split("&")) {
    if (part === "") continue;
    const equals = part.indexOf("=");
    const name = decode(equals === -1 ? part : part.slice(0, equals));
    if (name === omit) continue;
    const value = equals === -1 ? "" : decode(part.slice(equals + 1));
    pairs.push(`${escapeUri(name)}=${escapeUri(value)}`);
  }
  return pairs.sort().join("&");
}

function escapeUri(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
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

function hmac(key: Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
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

// Checks AWS Signature Version 4 on a request, as Lambda checks a call to a function URL with AuthType
// AWS_IAM: an `Authorization: AWS4-HMAC-SHA256 …` header signed for service `lambda` in the cluster's
// region with one of the access keys Lambent knows (LAMBENT_ACCESS_KEYS), dated within 15 minutes of now,
// over the method, path, query string, signed headers and the body's SHA-256. The canonical request is
// built as the AWS SDKs build it (path segments normalised and URI-encoded again, query parameters
// sorted and encoded, header values trimmed).
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

export type SigV4Result = { ok: true; accessKeyId: string } | { ok: false; reason: string };

const ALGORITHM = "AWS4-HMAC-SHA256";
const MAX_CLOCK_SKEW_MS = 15 * 60_000;
const AUTHORIZATION = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Whether `request` is signed by one of `keys` (access key id → secret) for `scope`, at `now`. */
export function verifySigV4(request: SigV4Request, keys: ReadonlyMap<string, string>, scope: SigV4Scope, now: number): SigV4Result {
  const authorization = single(request.headers["authorization"]);
  if (authorization === undefined) return refuse("the request is not signed (no Authorization header)");
  const parsed = AUTHORIZATION.exec(authorization.trim());
  if (!parsed) return refuse(`the Authorization header is not ${ALGORITHM} with Credential, SignedHeaders and Signature`);
  const [, credential, signedHeaderList, signature] = parsed as unknown as [string, string, string, string];
  const [accessKeyId, date, region, service, terminator, ...extra] = credential.split("/");
  if (!accessKeyId || !date || terminator !== "aws4_request" || extra.length > 0) return refuse("the credential scope is malformed");
  const secret = keys.get(accessKeyId);
  if (secret === undefined) return refuse(`access key ${accessKeyId} is not known`);
  if (region !== scope.region || service !== scope.service) return refuse(`the request is signed for ${service} in ${region}, not ${scope.service} in ${scope.region}`);

  const amzDate = single(request.headers["x-amz-date"]);
  const signedAt = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (amzDate === undefined || signedAt === undefined) return refuse("the request has no valid X-Amz-Date");
  if (!amzDate.startsWith(date)) return refuse("X-Amz-Date is not the credential scope's date");
  if (Math.abs(now - signedAt) > MAX_CLOCK_SKEW_MS) return refuse("the signature has expired (or is dated in the future)");

  const signedHeaders = signedHeaderList.split(";");
  if (!signedHeaders.includes("host")) return refuse("the Host header is not signed");
  if (signedHeaders.some((name, index) => name === "" || name !== name.toLowerCase() || (index > 0 && signedHeaders[index - 1]! >= name))) {
    return refuse("SignedHeaders is not a sorted list of lower-case header names");
  }
  const bodyHash = sha256Hex(request.body);
  const claimedHash = single(request.headers["x-amz-content-sha256"]);
  if (claimedHash !== undefined && claimedHash !== bodyHash) return refuse("the body does not match X-Amz-Content-Sha256");

  const canonicalHeaders = [];
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return refuse(`signed header ${name} is missing`);
    canonicalHeaders.push(`${name}:${(Array.isArray(value) ? value.join(",") : value).trim().replace(/\s+/g, " ")}\n`);
  }
  const queryAt = request.rawUrl.indexOf("?");
  const canonicalRequest = [
    request.method,
    canonicalPath(queryAt === -1 ? request.rawUrl : request.rawUrl.slice(0, queryAt)),
    canonicalQuery(queryAt === -1 ? "" : request.rawUrl.slice(queryAt + 1)),
    canonicalHeaders.join(""),
    signedHeaderList,
    claimedHash ?? bodyHash,
  ].join("\n");
  const credentialScope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, credentialScope, sha256Hex(canonicalRequest)].join("\n");
  const signingKey = [date, region, service, "aws4_request"].reduce<Buffer>((key, part) => hmac(key, part), Buffer.from(`AWS4${secret}`, "utf8"));
  const expected = hmac(signingKey, stringToSign);
  if (!timingSafeEqual(expected, Buffer.from(signature, "hex"))) return refuse("the signature does not match");
  return { ok: true, accessKeyId };
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

/** Parameters decoded, encoded again as RFC 3986 wants, sorted by name and then value. */
function canonicalQuery(rawQuery: string): string {
  const pairs: string[] = [];
  for (const part of rawQuery.split("&")) {
    if (part === "") continue;
    const equals = part.indexOf("=");
    const name = decode(equals === -1 ? part : part.slice(0, equals));
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

function refuse(reason: string): SigV4Result {
  return { ok: false, reason };
}

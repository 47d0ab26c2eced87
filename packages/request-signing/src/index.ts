// Signs requests to Lambent's API with AWS Signature Version 4, as the AWS CLI does, when it finds credentials
// where the AWS CLI looks: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), else the
// profile (AWS_PROFILE, or `default`) in ~/.aws/credentials (AWS_SHARED_CREDENTIALS_FILE); the region
// from AWS_REGION, AWS_DEFAULT_REGION, the profile in ~/.aws/config (AWS_CONFIG_FILE), else us-east-1.
// A cluster with LAMBENT_API_AUTH=sigv4 takes only signed requests; an open one ignores the signature.
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { SignatureV4 } from "@smithy/signature-v4";

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

type Environment = Readonly<Record<string, string | undefined>>;

/** `[section]` → key → value, for the AWS CLI's INI files; a missing file is empty. */
function readIni(path: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return sections;
  }
  let current: Map<string, string> | undefined;
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1]!, current);
      continue;
    }
    const equals = line.indexOf("=");
    if (current && equals > 0) current.set(line.slice(0, equals).trim().toLowerCase(), line.slice(equals + 1).trim());
  }
  return sections;
}

export function findCredentials(env: Environment = process.env): SigningCredentials | undefined {
  const id = env["AWS_ACCESS_KEY_ID"];
  const secret = env["AWS_SECRET_ACCESS_KEY"];
  if (id && secret) return { accessKeyId: id, secretAccessKey: secret, ...(env["AWS_SESSION_TOKEN"] ? { sessionToken: env["AWS_SESSION_TOKEN"] } : {}) };
  const profile = env["AWS_PROFILE"] || "default";
  const file = env["AWS_SHARED_CREDENTIALS_FILE"] || join(homedir(), ".aws", "credentials");
  const section = readIni(file).get(profile);
  const fileId = section?.get("aws_access_key_id");
  const fileSecret = section?.get("aws_secret_access_key");
  if (!fileId || !fileSecret) return undefined;
  const token = section?.get("aws_session_token");
  return { accessKeyId: fileId, secretAccessKey: fileSecret, ...(token ? { sessionToken: token } : {}) };
}

export function findRegion(env: Environment = process.env): string {
  const fromEnv = env["AWS_REGION"] || env["AWS_DEFAULT_REGION"];
  if (fromEnv) return fromEnv;
  const profile = env["AWS_PROFILE"] || "default";
  const config = readIni(env["AWS_CONFIG_FILE"] || join(homedir(), ".aws", "config"));
  return config.get(profile === "default" ? "default" : `profile ${profile}`)?.get("region") || "us-east-1";
}

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytesOf(data: SourceData): string | Buffer {
  if (typeof data === "string") return data;
  return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}

/** SHA-256 and HMAC-SHA256 in the shape the signer takes. */
export class Sha256 {
  private hash: Hash | Hmac;
  private readonly secret: string | Buffer | undefined;
  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : bytesOf(secret);
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash("sha256") : createHmac("sha256", this.secret);
  }
  update(data: SourceData): void {
    this.hash.update(bytesOf(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/** A `fetch` that signs each request for `service` when credentials are found, and is plain fetch otherwise. */
export function signingFetch(service: "lambda" | "states", env: Environment = process.env): typeof fetch {
  const credentials = findCredentials(env);
  if (!credentials) return fetch;
  const signer = new SignatureV4({ service, region: findRegion(env), credentials, sha256: Sha256, uriEscapePath: true, applyChecksum: false });
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers: Record<string, string> = { host: url.host };
    new Headers(init.headers).forEach((value, name) => (headers[name] = value));
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of url.searchParams) {
      const existing = query[name];
      query[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
    }
    const body = init.body === undefined || init.body === null ? undefined : typeof init.body === "string" ? init.body : new Uint8Array(await new Response(init.body).arrayBuffer());
    const signed = await signer.sign({
      method: init.method ?? "GET",
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers,
      body,
    });
    // fetch sets Host from the URL itself, to the same value that was signed.
    const { host: _host, ...sent } = signed.headers;
    return fetch(url, { ...init, headers: sent, ...(body === undefined ? {} : { body }) });
  };
}

/**
 * gRPC calls are signed over the method's path (`/lambent.v1.Lambda/Invoke`) with a fixed host name, as a
 * POST with an empty body: the signature proves the key and the time, and TLS protects the message.
 */
export const GRPC_SIGNING_HOST = "lambent";

/** The metadata (`authorization`, `x-amz-date`, and `x-amz-security-token` with a session token) for one gRPC call. */
export async function signGrpcCall(methodPath: string, credentials: SigningCredentials, region: string, signingDate = new Date()): Promise<Record<string, string>> {
  const signer = new SignatureV4({ service: "lambda", region, credentials, sha256: Sha256, uriEscapePath: true, applyChecksum: false });
  const signed = await signer.sign(
    { method: "POST", protocol: "https:", hostname: GRPC_SIGNING_HOST, path: methodPath, query: {}, headers: { host: GRPC_SIGNING_HOST }, body: "" },
    { signingDate },
  );
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) if (name.toLowerCase() !== "host") metadata[name.toLowerCase()] = String(value);
  return metadata;
}

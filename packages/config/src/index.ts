// Environment → validated, typed configuration for each service. A bad value stops the process
// with an error that names the variable. Every variable here is listed in docs/configuration.md.
import { availableParallelism, hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { readNatsAuth, type NatsAuthConfig } from "./nats-auth.js";
import type { Environment } from "./environment.js";
import { readTracingConfig, type TracingConfig } from "./tracing.js";

export type { Environment } from "./environment.js";
export type { NatsAuthConfig, NatsTlsConfig } from "./nats-auth.js";
export { TRACE_SAMPLER_NAMES, readTracingConfig, type TraceSamplerName, type TracingConfig } from "./tracing.js";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
  }
}

function readString(env: Environment, variable: string, fallback: string): string {
  const value = env[variable];
  return value === undefined || value === "" ? fallback : value;
}

function readInteger(env: Environment, variable: string, fallback: number, min: number, max: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === "") return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(variable, `expected an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(variable, `expected ${min}..${max}, got ${value}`);
  return value;
}

function readPort(env: Environment, variable: string, fallback: number): number {
  return readInteger(env, variable, fallback, 0, 65535);
}

function readNatsUrl(env: Environment): string {
  const url = readString(env, "NATS_URL", "nats://127.0.0.1:4222");
  for (const server of url.split(",")) {
    if (!/^(nats|tls|ws|wss):\/\/[^\s]+$|^[^\s:/]+:\d+$/.test(server.trim())) {
      throw new ConfigError("NATS_URL", `not a NATS server URL: "${server}"`);
    }
  }
  return url;
}

function readLogLevel(env: Environment): LogLevel {
  const level = readString(env, "LAMBENT_LOG_LEVEL", "info");
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError("LAMBENT_LOG_LEVEL", `expected one of ${LOG_LEVELS.join(", ")}, got "${level}"`);
  }
  return level as LogLevel;
}

/** A worker's sandbox processes are `<node id>.<index>-<generation>` (sandboxWorkerId in @lambent/protocol). */
const SANDBOX_SUFFIX = /\.\d+-\d+$/;

function readId(env: Environment, variable: string, prefix: string): string {
  const id = readString(env, variable, `${prefix}-${hostname().replace(/[^a-zA-Z0-9-]/g, "")}-${randomBytes(3).toString("hex")}`);
  const own = variable === "LAMBENT_WORKER_ID" ? id.replace(SANDBOX_SUFFIX, "") : id;
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(own)) throw new ConfigError(variable, `only letters, digits, '-' and '_' allowed (at most 64), got "${id}"`);
  return id;
}

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const MODES = ["development", "production"] as const;
export type Mode = (typeof MODES)[number];

/**
 * The key used without LAMBENT_SECRETS_KEY in development mode: the 32 ASCII bytes below. It is public,
 * so variables sealed with it are not protected; production mode refuses it.
 */
export const DEVELOPMENT_SECRETS_KEY: Uint8Array = new TextEncoder().encode("lambent-development-key-insecure");

export interface SecretsConfig {
  /** AES-256 key (32 bytes) that seals functions' environment variables in KV. */
  key: Uint8Array;
  /** True when no key was configured and DEVELOPMENT_SECRETS_KEY is in use. */
  isDevelopmentKey: boolean;
}

function readMode(env: Environment): Mode {
  const mode = readString(env, "LAMBENT_MODE", "development");
  if (!(MODES as readonly string[]).includes(mode)) {
    throw new ConfigError("LAMBENT_MODE", `expected one of ${MODES.join(", ")}, got "${mode}"`);
  }
  return mode as Mode;
}

/** The value is a secret: errors describe it, never repeat it. */
function readSecrets(env: Environment, mode: Mode): SecretsConfig {
  const raw = (env["LAMBENT_SECRETS_KEY"] ?? "").trim();
  if (raw === "") {
    if (mode === "production") {
      throw new ConfigError(
        "LAMBENT_SECRETS_KEY",
        "required when LAMBENT_MODE is production: base64 of 32 random bytes (e.g. `openssl rand -base64 32`)",
      );
    }
    return { key: DEVELOPMENT_SECRETS_KEY, isDevelopmentKey: true };
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(raw) || raw.length % 4 !== 0) {
    throw new ConfigError("LAMBENT_SECRETS_KEY", "expected base64 of 32 bytes, got something that is not base64");
  }
  const key = new Uint8Array(Buffer.from(raw, "base64"));
  if (key.length !== 32) throw new ConfigError("LAMBENT_SECRETS_KEY", `expected base64 of 32 bytes, got ${key.length} bytes`);
  const isDevelopmentKey = Buffer.from(key).equals(Buffer.from(DEVELOPMENT_SECRETS_KEY));
  if (isDevelopmentKey && mode === "production") {
    throw new ConfigError("LAMBENT_SECRETS_KEY", "the public development key cannot be used when LAMBENT_MODE is production");
  }
  return { key, isDevelopmentKey };
}

/** What every service needs: where NATS is, who we are in ARNs, how loud to log, the secrets key. */
export interface CommonConfig {
  natsUrl: string;
  /** This service's NATS credentials and TLS files (required in production mode). */
  natsAuth: NatsAuthConfig;
  region: string;
  accountId: string;
  logLevel: LogLevel;
  /** Replicas of the JetStream buckets and streams Lambent creates (3 in a three-node cluster). */
  jetstreamReplicas: number;
  /** `production` requires real secrets; `development` (the default) falls back to a public key. */
  mode: Mode;
  secrets: SecretsConfig;
  /** The account's concurrency limits: the same on every service (frontends validate, schedulers enforce). */
  concurrency: ConcurrencyLimitsConfig;
  /** How long and how much of functions' logs the log stream keeps (workers and frontends both create it). */
  logs: LogRetentionConfig;
  /** Days the hourly usage buckets are kept (the `lambent_usage` KV bucket's max age). */
  usageRetentionDays: number;
  /** Where spans go and which are kept (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_SAMPLER*, LAMBENT_TRACE_SAMPLE_RATIO). */
  tracing: TracingConfig;
  /** The machine (node) this service runs on: services on the same node reach each other without NATS. */
  nodeId: string;
  /**
   * A worker silent for this long is gone: schedulers fail the calls they placed there, and callers the
   * calls they sent straight to it.
   */
  workerTimeoutMs: number;
}

export interface LogRetentionConfig {
  retentionHours: number;
  maxBytes: number;
}

function readLogRetention(env: Environment): LogRetentionConfig {
  return {
    retentionHours: readInteger(env, "LAMBENT_LOG_RETENTION_HOURS", 168, 1, 87_600),
    maxBytes: readInteger(env, "LAMBENT_LOG_MAX_BYTES", 1024 * 1024 * 1024, 1024 * 1024, Number.MAX_SAFE_INTEGER),
  };
}

/** Prices for the usage report's estimated cost, in dollars (Lambda's x86 list prices by default). */
export interface UsagePricesConfig {
  perMillionRequests: number;
  perGbSecond: number;
}

function readPrice(env: Environment, variable: string, fallback: number): number {
  const raw = env[variable];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+(\.\d+)?([eE]-?\d+)?$/.test(raw.trim())) throw new ConfigError(variable, `expected a non-negative decimal number, got "${raw}"`);
  return Number(raw);
}

function readUsagePrices(env: Environment): UsagePricesConfig {
  return {
    perMillionRequests: readPrice(env, "LAMBENT_PRICE_PER_MILLION_REQUESTS", 0.2),
    perGbSecond: readPrice(env, "LAMBENT_PRICE_PER_GB_SECOND", 0.0000166667),
  };
}

export interface ConcurrencyLimitsConfig {
  /** Invocations that may run at once across the cluster. */
  accountLimit: number;
  /** Reservations may not shrink the shared pool below this. */
  unreservedMinimum: number;
}

function readConcurrencyLimits(env: Environment): ConcurrencyLimitsConfig {
  const accountLimit = readInteger(env, "LAMBENT_ACCOUNT_CONCURRENCY", 1000, 1, 1_000_000);
  const unreservedMinimum = readInteger(env, "LAMBENT_UNRESERVED_CONCURRENCY_MIN", Math.min(100, accountLimit), 0, 1_000_000);
  if (unreservedMinimum > accountLimit) {
    throw new ConfigError("LAMBENT_UNRESERVED_CONCURRENCY_MIN", `must not exceed LAMBENT_ACCOUNT_CONCURRENCY (${accountLimit}), got ${unreservedMinimum}`);
  }
  return { accountLimit, unreservedMinimum };
}

export function loadCommonConfig(env: Environment): CommonConfig {
  const accountId = readString(env, "LAMBENT_ACCOUNT_ID", "000000000000");
  if (!/^\d{12}$/.test(accountId)) throw new ConfigError("LAMBENT_ACCOUNT_ID", `expected 12 digits, got "${accountId}"`);
  const region = readString(env, "LAMBENT_REGION", "us-east-1");
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) throw new ConfigError("LAMBENT_REGION", `not a region name: "${region}"`);
  const mode = readMode(env);
  return {
    natsUrl: readNatsUrl(env),
    region,
    accountId,
    logLevel: readLogLevel(env),
    jetstreamReplicas: readInteger(env, "LAMBENT_JETSTREAM_REPLICAS", 1, 1, 5),
    mode,
    secrets: readSecrets(env, mode),
    natsAuth: readNatsAuth(env, mode, (variable, problem) => new ConfigError(variable, problem)),
    concurrency: readConcurrencyLimits(env),
    logs: readLogRetention(env),
    usageRetentionDays: readInteger(env, "LAMBENT_USAGE_RETENTION_DAYS", 90, 1, 3_660),
    tracing: readTracingConfig(env, (variable, problem) => new ConfigError(variable, problem)),
    nodeId: readNodeId(env),
    workerTimeoutMs: readInteger(env, "LAMBENT_WORKER_TIMEOUT_MS", 5000, 100, 600_000),
  };
}

function readNodeId(env: Environment): string {
  const id = readString(env, "LAMBENT_NODE_ID", hostname().replace(/[^a-zA-Z0-9_-]/g, "") || "node");
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(id)) throw new ConfigError("LAMBENT_NODE_ID", `only letters, digits, '-' and '_' allowed, got "${id}"`);
  return id;
}

export interface FrontendConfig extends CommonConfig {
  host: string;
  httpPort: number;
  grpcPort: number;
  /** Base URL the frontend reports for itself (code download links); defaults to http://host:port. */
  publicUrl: string | undefined;
  /** Prices the usage report's estimated cost is computed with. */
  prices: UsagePricesConfig;
  /** Visibility timeout of new queue event source mappings that do not set their own, in seconds. */
  esmVisibilityTimeoutSeconds: number;
  /** Access key id → secret access key: who may call the API (when `apiAuth` is sigv4) and function URLs with AuthType AWS_IAM (SigV4). */
  accessKeys: ReadonlyMap<string, string>;
  /** `sigv4`: every REST and Step Functions API request is signed by one of `accessKeys`; `none`: open. */
  apiAuth: ApiAuthMode;
  /** Where the console links a trace id: an http(s) URL holding `{traceId}`; unset, the id is shown to copy. */
  consoleTraceUrl: string | undefined;
}

export const API_AUTH_MODES = ["sigv4", "none"] as const;
export type ApiAuthMode = (typeof API_AUTH_MODES)[number];

/** `LAMBENT_API_AUTH`: `sigv4` by default in production, `none` in development; sigv4 needs access keys. */
function readApiAuth(env: Environment, mode: Mode, accessKeys: ReadonlyMap<string, string>): ApiAuthMode {
  const value = readString(env, "LAMBENT_API_AUTH", mode === "production" ? "sigv4" : "none");
  if (!(API_AUTH_MODES as readonly string[]).includes(value)) {
    throw new ConfigError("LAMBENT_API_AUTH", `expected one of ${API_AUTH_MODES.join(", ")}, got "${value}"`);
  }
  if (value === "sigv4" && accessKeys.size === 0) {
    throw new ConfigError(
      "LAMBENT_ACCESS_KEYS",
      `required when API requests must be signed (LAMBENT_API_AUTH=sigv4${mode === "production" ? ", the default when LAMBENT_MODE is production" : ""}): ACCESS_KEY_ID:SECRET_ACCESS_KEY pairs`,
    );
  }
  return value as ApiAuthMode;
}

export function loadFrontendConfig(env: Environment): FrontendConfig {
  const common = loadCommonConfig(env);
  const accessKeys = readAccessKeys(env);
  return {
    ...common,
    host: readString(env, "LAMBENT_HOST", "127.0.0.1"),
    httpPort: readPort(env, "LAMBENT_HTTP_PORT", 8080),
    grpcPort: readPort(env, "LAMBENT_GRPC_PORT", 50051),
    publicUrl: env["LAMBENT_PUBLIC_URL"] || undefined,
    prices: readUsagePrices(env),
    esmVisibilityTimeoutSeconds: readInteger(env, "LAMBENT_ESM_VISIBILITY_TIMEOUT_SECONDS", 30, 1, 43_200),
    accessKeys,
    apiAuth: readApiAuth(env, common.mode, accessKeys),
    consoleTraceUrl: readTraceUrl(env),
  };
}

/** `LAMBENT_CONSOLE_TRACE_URL`: a trace viewer's page for one trace, `{traceId}` standing for the id. */
function readTraceUrl(env: Environment): string | undefined {
  const value = env["LAMBENT_CONSOLE_TRACE_URL"]?.trim();
  if (!value) return undefined;
  if (!/^https?:\/\/[^\s"<>]+$/.test(value) || !value.includes("{traceId}")) {
    throw new ConfigError("LAMBENT_CONSOLE_TRACE_URL", `expected an http or https URL holding {traceId}, got "${value}"`);
  }
  return value;
}

/** `LAMBENT_ACCESS_KEYS`: `ACCESS_KEY_ID:SECRET_ACCESS_KEY` pairs separated by commas. */
function readAccessKeys(env: Environment): ReadonlyMap<string, string> {
  const keys = new Map<string, string>();
  const raw = env["LAMBENT_ACCESS_KEYS"]?.trim();
  if (!raw) return keys;
  for (const pair of raw.split(",")) {
    const colon = pair.indexOf(":");
    const id = pair.slice(0, colon).trim();
    const secret = pair.slice(colon + 1).trim();
    if (colon < 0 || !/^[A-Za-z0-9]{1,128}$/.test(id) || !/^\S{1,256}$/.test(secret)) {
      throw new ConfigError("LAMBENT_ACCESS_KEYS", "expected ACCESS_KEY_ID:SECRET_ACCESS_KEY pairs separated by commas (ids of letters and digits, secrets without spaces)");
    }
    if (keys.has(id)) throw new ConfigError("LAMBENT_ACCESS_KEYS", `access key id ${id} is listed twice`);
    keys.set(id, secret);
  }
  return keys;
}

export interface SchedulerConfig extends CommonConfig {
  schedulerId: string;
  /** How often the leader renews its leadership record. */
  leaderRenewMs: number;
  /** A leadership record not renewed for this long may be taken over by another scheduler. */
  leaderTimeoutMs: number;
  /** Delay before an asynchronous event's first retry; the second waits twice as long. */
  asyncRetryBaseMs: number;
  /** Memory each KV trigger may use on the leader to remember keys' last values, in bytes. */
  kvTriggerCacheBytes: number;
  /** Delay before a failed stream batch (event source mapping) runs again; it doubles with each retry, up to a minute. */
  esmRetryBaseMs: number;
  /** Gradual deployments' waits as a share of the configured minutes (1: as configured); tests shorten them. */
  deploymentTimeScale: number;
  /**
   * A gradual deployment rolls back when the new version's error rate through the alias is above the old
   * version's by more than `marginPercent` points, once it answered `minCalls` (LAMBENT_DEPLOYMENT_ERROR_RATE_*).
   */
  deploymentErrorRate: { marginPercent: number; minCalls: number };
  /** Where the scheduler serves Prometheus `/metrics`. */
  metrics: MetricsListenerConfig;
  /** The S3-compatible store workflows' Map ItemReaders read from; undefined: none, and a reader fails. */
  workflowS3: WorkflowS3Config | undefined;
}

export interface WorkflowS3Config {
  /** The store's endpoint; objects are addressed path-style (`<endpoint>/<bucket>/<key>`). */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export function loadSchedulerConfig(env: Environment): SchedulerConfig {
  return {
    ...loadCommonConfig(env),
    schedulerId: readId(env, "LAMBENT_SCHEDULER_ID", "scheduler"),
    ...readLeadership(env),
    asyncRetryBaseMs: readInteger(env, "LAMBENT_ASYNC_RETRY_BASE_MS", 60_000, 0, 3_600_000),
    kvTriggerCacheBytes: readInteger(env, "LAMBENT_KV_TRIGGER_CACHE_MB", 64, 1, 1_048_576) * 1024 * 1024,
    esmRetryBaseMs: readInteger(env, "LAMBENT_ESM_RETRY_BASE_MS", 1_000, 1, 60_000),
    deploymentTimeScale: readInteger(env, "LAMBENT_DEPLOYMENT_TIME_PERCENT", 100, 1, 100) / 100,
    deploymentErrorRate: {
      marginPercent: readInteger(env, "LAMBENT_DEPLOYMENT_ERROR_RATE_MARGIN_PERCENT", 10, 0, 100),
      minCalls: readInteger(env, "LAMBENT_DEPLOYMENT_ERROR_RATE_MIN_CALLS", 5, 1, 1_000_000),
    },
    metrics: readMetricsListener(env),
    workflowS3: readWorkflowS3(env),
  };
}

function readWorkflowS3(env: Environment): WorkflowS3Config | undefined {
  const endpoint = env["LAMBENT_WORKFLOW_S3_ENDPOINT"];
  if (!endpoint) return undefined;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConfigError("LAMBENT_WORKFLOW_S3_ENDPOINT", `must be an http(s) URL, got ${JSON.stringify(endpoint)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new ConfigError("LAMBENT_WORKFLOW_S3_ENDPOINT", `must be an http(s) URL, got ${JSON.stringify(endpoint)}`);
  const accessKeyId = env["LAMBENT_WORKFLOW_S3_ACCESS_KEY_ID"];
  const secretAccessKey = env["LAMBENT_WORKFLOW_S3_SECRET_ACCESS_KEY"];
  if (!accessKeyId) throw new ConfigError("LAMBENT_WORKFLOW_S3_ACCESS_KEY_ID", "is required with LAMBENT_WORKFLOW_S3_ENDPOINT");
  if (!secretAccessKey) throw new ConfigError("LAMBENT_WORKFLOW_S3_SECRET_ACCESS_KEY", "is required with LAMBENT_WORKFLOW_S3_ENDPOINT");
  return { endpoint: url.href.replace(/\/$/, ""), accessKeyId, secretAccessKey };
}

function readLeadership(env: Environment): { leaderRenewMs: number; leaderTimeoutMs: number } {
  const leaderTimeoutMs = readInteger(env, "LAMBENT_LEADER_TIMEOUT_MS", 3000, 200, 600_000);
  const leaderRenewMs = readInteger(env, "LAMBENT_LEADER_RENEW_MS", Math.max(50, Math.floor(leaderTimeoutMs / 4)), 20, 600_000);
  if (leaderRenewMs * 2 > leaderTimeoutMs) {
    throw new ConfigError("LAMBENT_LEADER_RENEW_MS", `must be at most half of LAMBENT_LEADER_TIMEOUT_MS (${leaderTimeoutMs}), got ${leaderRenewMs}`);
  }
  return { leaderRenewMs, leaderTimeoutMs };
}

export interface WorkerConfig extends CommonConfig {
  workerId: string;
  /**
   * Sandbox processes the worker runs function code in (each its own process, so a fatal V8 error in one
   * isolate loses one of them, never the worker); memory and environments are shared out among them.
   */
  sandboxes: number;
  /** The longest a crashed sandbox process waits before it is started again (the wait doubles from 250 ms). */
  sandboxRestartMaxMs: number;
  /** Where sandbox processes put the Unix sockets callers on the same node reach them by. */
  runDir: string;
  /** Memory this worker offers to function environments, in MB (in a sandbox process: its share). */
  memoryMb: number;
  /**
   * How far above its share of the memory a sandbox process may go (resident memory, besides functions'
   * /tmp) before it is ended as out of memory, in MB: room for the process itself and what the host holds
   * for calls in flight. The last wall against memory V8 does not count (WebAssembly memories).
   */
  sandboxMemoryMarginMb: number;
  /** How many execution environments (warm or busy) this worker holds at most. */
  maxEnvironments: number;
  /** Python interpreters each sandbox process keeps started ahead of cold starts (0 or 1). */
  pythonSpares: number;
  /** Python functions' own snapshots (taken after their import) each sandbox process keeps at most; 0 makes none. */
  pythonFunctionSnapshots: number;
  /** An environment idle this long is reaped. */
  idleTimeoutMs: number;
  heartbeatMs: number;
  /** Egress policy and limits for functions' `fetch`, which the worker carries out for them. */
  fetch: FetchPolicyConfig;
  /**
   * AWS service endpoints put in every function's environment (`LAMBENT_AWS_ENDPOINT_URL[_<SERVICE>]` →
   * `AWS_ENDPOINT_URL[_<SERVICE>]`), so the AWS SDK reaches the stores the operator runs; a function's own
   * variables of the same name win.
   */
  awsEndpoints: Record<string, string>;
  /** Where the worker serves Prometheus `/metrics`. */
  metrics: MetricsListenerConfig;
}

const AWS_ENDPOINT_VARIABLE = /^LAMBENT_(AWS_ENDPOINT_URL(?:_[A-Z0-9_]+)?)$/;

/** `LAMBENT_AWS_ENDPOINT_URL` and `LAMBENT_AWS_ENDPOINT_URL_<SERVICE>`, each an http(s) URL. */
function readAwsEndpoints(env: Environment): Record<string, string> {
  const endpoints: Record<string, string> = {};
  for (const [variable, value] of Object.entries(env)) {
    const name = AWS_ENDPOINT_VARIABLE.exec(variable)?.[1];
    if (!name || value === undefined || value === "") continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ConfigError(variable, `expected an http or https URL, got "${value}"`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new ConfigError(variable, `expected an http or https URL, got "${value}"`);
    endpoints[name] = value;
  }
  return endpoints;
}

/** The scheduler's and worker's own HTTP listener for `/metrics` (the frontend serves it on its HTTP port). */
export interface MetricsListenerConfig {
  host: string;
  /** 0 binds a free port; the `ready` log line reports the one bound as `metricsPort`. */
  port: number;
}

function readMetricsListener(env: Environment): MetricsListenerConfig {
  return { host: readString(env, "LAMBENT_METRICS_HOST", "127.0.0.1"), port: readPort(env, "LAMBENT_METRICS_PORT", 0) };
}

export interface FetchPolicyConfig {
  /** Hosts (names, IPs or CIDRs; `*.example.com` for subdomains) always allowed, loopback and private ones included. */
  allow: string[];
  /** Hosts always denied. */
  deny: string[];
  timeoutMs: number;
  maxResponseBytes: number;
}

function readList(env: Environment, variable: string): string[] {
  return readString(env, variable, "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

export function loadWorkerConfig(env: Environment): WorkerConfig {
  const common = loadCommonConfig(env);
  if (common.mode === "production" && !env["LAMBENT_WORKER_ID"]) {
    // A worker node's NATS credentials are issued for one worker id: a random one could not use them.
    throw new ConfigError("LAMBENT_WORKER_ID", "required when LAMBENT_MODE is production: the worker id its NATS credentials were issued for");
  }
  const memoryMb = readInteger(env, "LAMBENT_WORKER_MEMORY_MB", 16384, 128, 16_777_216);
  return {
    ...common,
    workerId: readId(env, "LAMBENT_WORKER_ID", "worker"),
    sandboxes: readInteger(env, "LAMBENT_SANDBOXES", Math.min(availableParallelism(), 8), 1, 256),
    sandboxRestartMaxMs: readInteger(env, "LAMBENT_SANDBOX_RESTART_MAX_MS", 30_000, 250, 3_600_000),
    runDir: readString(env, "LAMBENT_RUN_DIR", join(tmpdir(), `lambent-${process.getuid?.() ?? "user"}`)),
    memoryMb,
    sandboxMemoryMarginMb: readInteger(env, "LAMBENT_SANDBOX_MEMORY_MARGIN_MB", Math.max(1024, memoryMb), 64, 16_777_216),
    maxEnvironments: readInteger(env, "LAMBENT_WORKER_MAX_ENVIRONMENTS", 1000, 1, 1_000_000),
    pythonSpares: readInteger(env, "LAMBENT_PYTHON_SPARES", 1, 0, 1),
    pythonFunctionSnapshots: readInteger(env, "LAMBENT_PYTHON_FUNCTION_SNAPSHOTS", 4, 0, 64),
    idleTimeoutMs: readInteger(env, "LAMBENT_IDLE_TIMEOUT_MS", 600_000, 1000, 86_400_000),
    heartbeatMs: readInteger(env, "LAMBENT_HEARTBEAT_MS", 1000, 50, 60_000),
    fetch: {
      allow: readList(env, "LAMBENT_FETCH_ALLOW"),
      deny: readList(env, "LAMBENT_FETCH_DENY"),
      timeoutMs: readInteger(env, "LAMBENT_FETCH_TIMEOUT_MS", 30_000, 100, 900_000),
      maxResponseBytes: readInteger(env, "LAMBENT_FETCH_MAX_RESPONSE_BYTES", 10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    },
    awsEndpoints: readAwsEndpoints(env),
    metrics: readMetricsListener(env),
  };
}

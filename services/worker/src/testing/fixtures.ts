// Test helpers: the isolate runtime built fresh, function records, hand-written bundles, and an
// Invoker over in-memory registry and code.
import { EntryModes } from "../pool/entry-modes.js";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { zipSync } from "fflate";
import type { FetchPolicyConfig } from "@lambent/config";
import type { FunctionVersionRecord } from "@lambent/registry/functions";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import {
  Subjects,
  decodeInvocationResult,
  encodeInvocation,
  encodeJson,
  parseHeartbeat,
  parseJson,
  type HeartbeatAck,
  type InvocationHeader,
  type InvocationResult,
} from "@lambent/protocol";
import { createLogger } from "@lambent/telemetry";
import { CodeCache } from "../code-cache.js";
import type { FunctionCalls } from "../host/function-calls.js";
import { SandboxHost } from "../host/sandbox-host.js";
import { Invoker, type StreamSink } from "../invoke.js";
import type { InvocationLog } from "../log-buffer.js";
import type { Environment, EnvironmentTracker } from "../pool/environment.js";
import type { StorageMeter } from "../host/filesystem.js";
import { PythonSpares } from "../python/python-spares.js";
import { FunctionSnapshots, type FunctionSnapshotsOptions } from "../python/function-snapshots.js";
import { WarmPool } from "../pool/warm-pool.js";

/** `src/app.handler` → `src/app.js`, as the bundler reports a `.js` handler file. */
function handlerFileOf(handler: string): string {
  const slash = handler.lastIndexOf("/");
  const dot = handler.indexOf(".", slash + 1);
  return `${dot < 0 ? handler : handler.slice(0, dot)}.js`;
}

let built = false;

/** Builds sandbox/ into dist/sandbox.js once per test process, so tests never run a stale runtime. */
/**
 * Plays the leader's part for workers a test runs in-process: acknowledges every heartbeat with `term`,
 * the worker's lease on its kept slots, until the subscription is ended.
 */
export function acknowledgeHeartbeats(nc: NatsConnection, term: number): Subscription {
  return nc.subscribe(Subjects.workerHeartbeat, {
    callback: (_error, msg) => {
      const beat = parseHeartbeat(parseJson(msg.data));
      if (beat?.sentAt !== undefined) nc.publish(Subjects.workerLease(beat.workerId), encodeJson({ term, sentAt: beat.sentAt } satisfies HeartbeatAck));
    },
  });
}

export function buildSandbox(): void {
  if (built) return;
  execFileSync(process.execPath, [fileURLToPath(new URL("../../scripts/build-sandbox.mjs", import.meta.url))]);
  built = true;
}

export function functionRecord(overrides: Partial<FunctionVersionRecord> = {}): FunctionVersionRecord {
  return {
    functionName: "fn",
    version: "$LATEST",
    runtime: "nodejs20.x",
    handler: "index.handler",
    role: "arn:aws:iam::000000000000:role/test",
    memorySize: 128,
    timeout: 3,
    description: "",
    environment: {},
    ephemeralStorageMb: 512,
    architectures: ["x86_64"],
    codeSha256: "",
    codeSize: 0,
    packageObject: "package/x",
    bundleObject: "bundle/x",
    handlerFile: handlerFileOf(overrides.handler ?? "index.handler"),
    revisionId: "rev-1",
    lastModified: "2020-04-10T19:06:32.563+0000",
    tags: {},
    ...overrides,
  };
}

/** An ES module bundle whose handler file exports `exports` (source text of an object literal). */
export function esmBundle(body: string): string {
  return `${body}\nexport { userModule };\n`;
}

/**
 * A bundle whose handler is the async function body `body` (with `event` in scope), `require` the
 * runtime's, and `preamble` (module-scope code, e.g. requires) before the handler.
 */
export function handlerBundle(body: string, preamble?: string): string {
  return esmBundle(`const require = (name) => globalThis.__lambentRequire(name);
${preamble === undefined ? "" : `${preamble}\n`}const userModule = { handler: async (event) => { ${body} } };`);
}

/** The function's JSON answer; a function error fails the test with the function's own words. */
export async function answerOf(t: TestInvoker, functionName: string, event: unknown = {}): Promise<unknown> {
  const reply = await t.invoke(functionName, event);
  if (reply.header.functionError) throw new Error(`function failed: ${reply.text}`);
  return reply.json;
}

export interface TestInvoker {
  invoker: Invoker;
  pool: WarmPool<Environment>;
  /** Python interpreters started ahead of cold starts, when the test asked for them. */
  pythonSpares: PythonSpares | undefined;
  pythonSnapshots: FunctionSnapshots | undefined;
  logs: InvocationLog[];
  /** Registers a function (record + bundle text, and the package's files for `fs`) under its name and version. */
  deploy(record: FunctionVersionRecord, bundle: string, files?: Record<string, string | Uint8Array>): void;
  invoke(functionName: string, event?: unknown, header?: Partial<InvocationHeader>): Promise<DecodedResult>;
  close(): void;
}

export interface DecodedResult extends InvocationResult {
  json: unknown;
  text: string;
  log: string;
}

let requestCounter = 0;

/** The worker's default egress policy and limits (as loadWorkerConfig gives them), for tests to adjust. */
export const DEFAULT_FETCH_POLICY: FetchPolicyConfig = { allow: [], deny: [], timeoutMs: 30_000, maxResponseBytes: 10 * 1024 * 1024 };

export function testInvoker(
  poolOptions: { maxEnvironments?: number; memoryMb?: number; idleTimeoutMs?: number; pythonSpares?: boolean; pythonSnapshots?: FunctionSnapshotsOptions; quickCallCpuMs?: number } = {},
  sandbox: { fetch?: Partial<FetchPolicyConfig>; functions?: FunctionCalls; storageMeter?: StorageMeter; tracker?: EnvironmentTracker; responseSink?: (subject: string) => StreamSink } = {},
): TestInvoker {
  buildSandbox();
  const records = new Map<string, FunctionVersionRecord>();
  const bundles = new Map<string, string>();
  const packages = new Map<string, Uint8Array>();
  const host = new SandboxHost({
    fetch: { ...DEFAULT_FETCH_POLICY, ...sandbox.fetch },
    packages: { getPackage: async (name) => packages.get(name) },
    functions: sandbox.functions,
    storageMeter: sandbox.storageMeter,
  });
  const logs: InvocationLog[] = [];
  const pythonSpares: PythonSpares | undefined = poolOptions.pythonSpares ? new PythonSpares({ roomFor: (memoryMb: number): boolean => pool.hasRoomFor(memoryMb) }) : undefined;
  const pythonSnapshots = poolOptions.pythonSnapshots ? new FunctionSnapshots(poolOptions.pythonSnapshots) : undefined;
  const pool = new WarmPool<Environment>({
    maxEnvironments: poolOptions.maxEnvironments ?? 100,
    memoryMb: poolOptions.memoryMb ?? 16384,
    idleTimeoutMs: poolOptions.idleTimeoutMs ?? 600_000,
    spareMemory: pythonSpares,
  });
  const invoker = new Invoker({
    runtime: { modes: new EntryModes({ quickCallCpuMs: poolOptions.quickCallCpuMs }), tracker: sandbox.tracker, pythonSpares, pythonSnapshots },
    region: "us-east-1",
    accountId: "000000000000",
    registry: { getRevision: async (name, version) => records.get(`${name}:${version}`) },
    code: new CodeCache(
      { getBundle: async (name) => bundles.get(name), getPackage: async (name) => packages.get(name), getSourceMap: async () => undefined },
      host,
    ),
    pool,
    logSink: { write: (log) => void logs.push(log) },
    logger: createLogger({ service: "worker-test", level: "error", write: () => undefined }),
    ...(sandbox.responseSink ? { responseSink: sandbox.responseSink } : {}),
  });
  return {
    invoker,
    pool,
    pythonSpares,
    pythonSnapshots,
    logs,
    deploy(record, bundle, files = {}) {
      const bundleObject = `bundle/${record.functionName}-${record.version}-${record.revisionId}`;
      const packageObject = `package/${record.functionName}-${record.version}-${record.revisionId}`;
      records.set(`${record.functionName}:${record.version}`, { ...record, bundleObject, packageObject });
      bundles.set(bundleObject, bundle);
      const entries = Object.fromEntries(Object.entries(files).map(([path, data]) => [path, typeof data === "string" ? new TextEncoder().encode(data) : data]));
      packages.set(packageObject, zipSync(entries));
    },
    async invoke(functionName, event = {}, header = {}) {
      const record = [...records.values()].find((r) => r.functionName === functionName);
      const frame = encodeInvocation({
        header: {
          requestId: `req-${++requestCounter}`,
          functionName,
          qualifier: "$LATEST",
          version: record?.version ?? "$LATEST",
          revisionId: record?.revisionId ?? "none",
          invocationType: "RequestResponse",
          logType: "Tail",
          ...header,
        },
        payload: new TextEncoder().encode(JSON.stringify(event)),
      });
      const reply = await invoker.handle(frame);
      const result = decodeInvocationResult(reply.result);
      const text = new TextDecoder().decode(result.payload);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      const log = result.header.logResult ? Buffer.from(result.header.logResult, "base64").toString("utf8") : "";
      return { ...result, json, text, log };
    },
    close() {
      pythonSpares?.close();
      pythonSnapshots?.close();
      pool.close();
    },
  };
}

const nodeRequire = createRequire(import.meta.url);
const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<unknown>;

/** Node's own answer to a handler body (given `require` and `event`), through JSON as the isolate's answer comes. */
export async function answerInNode(body: string, event: unknown = {}): Promise<unknown> {
  return JSON.parse(JSON.stringify(await new AsyncFunction("require", "event", body)(nodeRequire, event))) as unknown;
}

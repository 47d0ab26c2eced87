// An execution environment: one isolate (its own heap and memory cap) with the runtime booted and one
// function version's module loaded. It runs one invocation at a time. This is the one place the host
// enters the isolate: it starts a call inline or threaded (entry-modes.ts), drives the call's timers,
// fetches and function calls from the outbox it takes after every entry (boundary.ts), wakes it for its
// sockets' events (host/sockets.ts), and holds every
// limit on its own side: the time limit (disposing the isolate ends even a tight loop), the memory cap
// (isolated-vm's limit, and the host's own check of the heap after each call), and what each call may
// make the host hold (log bytes, fetches, function calls).
import { randomBytes } from "node:crypto";
import ivm from "isolated-vm";
import type { FunctionVersionRecord } from "@lambent/registry/functions";
import { RESPONSE_STREAM_MAX_BYTES } from "@lambent/protocol";
import type { CachedBundle } from "../code-cache.js";
import { FetchFailure, type FetchResponseData, type FetchTrace } from "../host/fetch.js";
import type { CallerContext, FunctionCallFailure, FunctionCallOutput } from "../host/function-calls.js";
import type { EnvironmentHost } from "../host/sandbox-host.js";
import {
  INIT_TIMEOUT_MS,
  MAX_FETCHES_IN_FLIGHT,
  MAX_RESPONSE_BYTES,
  responseTooLargeError,
  streamTooLargeError,
  MAX_HOST_CALL_BYTES,
  MAX_LOG_BYTES_PER_INVOCATION,
  MAX_LOG_LINE_CHARS,
  logLimitNote,
  outOfMemoryError,
  runtimeExitError,
  timeoutError,
  type FunctionError,
} from "../limits.js";
import type { CompiledScript } from "./sandbox-script.js";
import { makeBlankIsolate, type BlankIsolate, type SpareIsolates } from "./spare-isolates.js";
import { decodeOutcome, hostErrorData, idPairs, parseFetchRequest, withoutHostPaths, type HostReply, type SandboxOutcome, type SandboxPacket } from "./boundary.js";
import { EntryHistory, EntryModes, INLINE_SLICE_MS } from "./entry-modes.js";
import type { PlatformVariables } from "../platform-variables.js";
import { isPythonRuntime } from "@lambent/registry/functions";
import { pyodideAssets, runPyodideGlue } from "../python/pyodide-assets.js";
import type { FunctionSnapshots } from "../python/function-snapshots.js";
import type { PackageTree } from "../host/package-files.js";
import { makeFunctionSnapshot } from "../python/python-snapshot-maker.js";
import { preparePython } from "../python/python-snapshot.js";
import { bindPython, resumePython, startPython } from "../python/python-load.js";
import type { PythonSpare, PythonSpares } from "../python/python-spares.js";

const MEMORY_SAMPLE_MIN_CPU_MS = 1;
const MEMORY_SAMPLE_INTERVAL_MS = 250;
const MB = 1024 * 1024;
const TAKE = { result: { copy: true } } as const;
const COPY_ARGUMENTS = { arguments: { copy: true } } as const;

/**
 * Told when an inline entry starts and ends, so a watchdog outside the main thread can name the call if
 * the entry never returns (a fatal out-of-memory error stops the thread it happens on).
 */
export interface InlineWatch {
  enter(requestId: string, functionName: string, version: string): void;
  leave(): void;
}

/** Told of every environment as it is made and as it goes, so memory the process holds can be traced to one. */
export interface EnvironmentTracker {
  track(environment: Environment): void;
  untrack(environment: Environment): void;
}

/** Told when V8 reports a catastrophic error in an environment's isolate (its thread never returns). */
export type CatastropheListener = (environment: Environment, requestId: string | undefined, message: string) => void;

export interface EnvironmentSettings {
  key: string;
  record: FunctionVersionRecord;
  bundle: CachedBundle;
  region: string;
  /** The call that needs this environment; init failures are reported under its id. */
  requestId: string;
  /** How calls of this environment's key are entered in this process. */
  modes: EntryModes;
  inlineWatch?: InlineWatch | undefined;
  onCatastrophe?: CatastropheListener | undefined;
  tracker?: EnvironmentTracker | undefined;
  /** The operator's AWS endpoints and the role's credentials for the function's environment variables. */
  platform?: PlatformVariables | undefined;
  /** Blank isolates made ahead of cold starts; absent, each environment makes its own. */
  spares?: SpareIsolates | undefined;
  /** Python interpreters started ahead of cold starts; absent, each Python environment starts its own. */
  pythonSpares?: PythonSpares | undefined;
  /** Python functions' own snapshots, taken after their import; absent, none are made or used. */
  pythonSnapshots?: FunctionSnapshots | undefined;
}

export interface RunRequest {
  requestId: string;
  /** The event as JSON text (empty means `{}`). */
  eventJson: string;
  invokedFunctionArn: string;
  /** JSON text of the client context. */
  clientContext?: string;
  /** Where the function's log lines go while this call runs. */
  lines: string[];
  /** The handler span of a traced call: its fetches and function calls become child spans. */
  trace?: FetchTrace | undefined;
  /** How many function-to-function calls deep this call is (0 or absent: invoked from outside). */
  callDepth?: number | undefined;
  /** Where a streamed response's bytes go as the function writes them; absent: the answer is taken whole. */
  stream?: ResponseSink | undefined;
}

/**
 * The caller's side of a streamed response (response-sink.ts). The host passes the function's bytes on at
 * once and lets it have at most `window` bytes the caller has not yet acknowledged.
 */
export interface ResponseSink {
  readonly window: number;
  write(bytes: Uint8Array, contentType: string | undefined): void;
  /** Told how many more bytes the caller acknowledged, each time it does. */
  onDrain(listener: (bytes: number) => void): void;
}

export type RunOutcome =
  | (({ ok: true; body: string } | { ok: false; error: FunctionError }) & {
      rerun?: undefined;
      durationMs: number;
      maxMemoryUsedMb: number;
      /** False when the environment must not be used again (timed out, out of memory, exited). */
      reusable: boolean;
    })
  /** The call overran its inline slice: nothing of it was seen outside; run it again in a fresh environment. */
  | { rerun: true; durationMs: number };

/** The module failed to load; the environment is gone and the next call starts over. */
export class InitFailure extends Error {
  override readonly name = "InitFailure";
  constructor(
    readonly error: FunctionError,
    readonly initDurationMs: number,
    readonly lines: string[],
    readonly maxMemoryUsedMb: number,
    readonly logStreamName: string,
  ) {
    super(error.errorMessage);
  }
}

/** The call in progress: where its log goes, how it ends, and what the host does on its behalf. */
interface OpenCall {
  requestId: string;
  lines: string[];
  loggedBytes: number;
  deadlineMs: number;
  caller: CallerContext | undefined;
  trace: FetchTrace | undefined;
  deadline: NodeJS.Timeout | undefined;
  wake: NodeJS.Timeout | undefined;
  wakeAt: number | null;
  /** A timer entry is queued or running, so another wake-up only re-arms after it. */
  firing: boolean;
  fetchesInFlight: number;
  /** How the call ended, once it has; a call's end is kept, not awaited, so a quick call ends synchronously. */
  result: CallResult | undefined;
  /** Told of the end when someone waits for it (a call that did not end within its first entry). */
  waiter: ((result: CallResult) => void) | undefined;
  /** Where a streamed response goes; absent, a streamified handler's bytes are gathered into the answer. */
  stream: ResponseSink | undefined;
  /** Response bytes taken from the sandbox so far. */
  responseBytes: number;
  /** Of those, the bytes the caller has not acknowledged (the sandbox's credit is the window less these). */
  unacknowledged: number;
  /** A streamified handler's bytes, when the caller takes the answer whole. */
  gathered: Uint8Array[];
}

type CallResult = SandboxOutcome | { hostError: unknown };

/** The end of a call closed by the host (its deadline, disposal): no Error is built for it on the hot path. */
const CALL_CLOSED: CallResult = { hostError: "the call ended" };

function throwingResolver(specifier: string): never {
  throw new Error(`Cannot find module '${specifier}'`);
}

function logStreamName(version: string, id: string, now: Date): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, "/");
  return `${day}/[${version}]${id}`;
}

function lambdaEnvironment(record: FunctionVersionRecord, region: string, streamName: string, platform: PlatformVariables | undefined): Record<string, string> {
  return {
    ...platform?.defaultsFor(),
    ...record.environment,
    AWS_LAMBDA_FUNCTION_NAME: record.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: record.version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(record.memorySize),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${record.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: streamName,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${record.runtime}`,
    LAMBDA_TASK_ROOT: "/var/task",
    LAMBDA_RUNTIME_DIR: "/var/runtime",
    _HANDLER: record.handler,
    TZ: ":UTC",
    LANG: "en_US.UTF-8",
    ...platform?.credentialsFor(record),
  };
}

/** A host error that came out of the isolate, in Lambda's shape. */
function describeHostError(error: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (error instanceof Error) {
    const trace = (error.stack ?? "").split("\n");
    // Frames past the isolate boundary are the worker's own: they are not the function's business.
    const boundary = trace.findIndex((line) => line.includes("<isolated-vm boundary>"));
    return {
      errorType: error.name || "Error",
      errorMessage: withoutHostPaths(error.message),
      trace: (boundary < 0 ? trace.slice(0, 1) : trace.slice(0, boundary)).map(withoutHostPaths),
    };
  }
  return { errorType: typeof error, errorMessage: withoutHostPaths(String(error)), trace: [] };
}

/** isolated-vm's message when an entry's `timeout` runs out (the isolate itself lives on). */
function isEntryTimeout(error: unknown): boolean {
  return error instanceof Error && /execution timed out/i.test(error.message);
}

export class Environment {
  /** Random hex id, part of the log stream name. */
  readonly id = randomBytes(16).toString("hex");
  readonly memoryMb: number;
  readonly logStreamName: string;
  /** When the environment last finished a call (performance.now() milliseconds). */
  lastUsed = 0;
  /** Set by create; reported on the first invocation only. */
  private initDurationMs: number | undefined;
  /** Log lines written during init, before the first invocation claims them. */
  private initLines: string[] = [];
  private host: EnvironmentHost | undefined;
  private call: OpenCall | undefined;
  /** Entries of the open call run one after another: a take always follows its own entry. */
  private entries: Promise<void> = Promise.resolve();
  private timedOut = false;
  /** V8 reported a catastrophic error: the isolate's thread never returns, so nothing may touch it. */
  private wrecked = false;
  private maxMemoryBytes = 0;
  /** Heap the isolate held after its last call: what it costs the worker while idle. */
  private heldBytes = 0;
  /**
   * How far the isolate's live WebAssembly memories may grow together (the sandbox reports it; V8 counts
   * them in no heap statistic): when the process outgrows its memory, this points at the likely culprit.
   */
  wasmReservedBytes = 0;
  /** The last call this environment ran, or the one it started up for. */
  lastRequestId: string | undefined;
  private lastMeasuredAt = -Infinity;
  private cpuTimeAtLastMeasure = 0n;
  private readonly isolate: ivm.Isolate;
  /** The isolate and context this environment was made in (a spare, or made for it). */
  private readonly blank: BlankIsolate;
  /** The started Python interpreter this environment was made from, if it took one. */
  private readonly pythonSpare: PythonSpare | undefined;
  /** The function's own snapshot (taken after its import) this environment was restored from, if any. */
  private readonly ownSnapshot: Uint8Array | undefined;
  /** How long the handler's module took to import in this cold start (Python, not from its own snapshot). */
  private importMs = 0;
  /** Run when the first call after the cold start has ended: the function's snapshot made then, off its path. */
  private afterFirstCall: (() => void) | undefined;
  private readonly history: EntryHistory;
  private readonly inlineWatch: InlineWatch | undefined;
  private tracker: EnvironmentTracker | undefined;
  private invokeRef: ivm.Reference | undefined;
  private takeRef: ivm.Reference | undefined;
  private fireRef: ivm.Reference | undefined;
  private fetchedRef: ivm.Reference | undefined;
  private calledRef: ivm.Reference | undefined;
  private drainedRef: ivm.Reference | undefined;
  private socketsRef: ivm.Reference | undefined;
  private endRef: ivm.Reference | undefined;

  private constructor(
    readonly key: string,
    readonly record: FunctionVersionRecord,
    settings: EnvironmentSettings,
    pythonSpare: PythonSpare | undefined,
    ownSnapshot: Uint8Array | undefined,
    now: Date,
  ) {
    this.memoryMb = record.memorySize;
    this.logStreamName = logStreamName(record.version, this.id, now);
    this.history = new EntryHistory(key, settings.modes);
    this.inlineWatch = settings.inlineWatch;
    this.lastRequestId = settings.requestId;
    this.tracker = settings.tracker;
    const onCatastrophe = settings.onCatastrophe;
    this.pythonSpare = pythonSpare;
    this.ownSnapshot = ownSnapshot;
    this.blank = this.pythonSpare?.blank ?? (settings.spares ? settings.spares.take(record.memorySize) : makeBlankIsolate(record.memorySize));
    this.isolate = this.blank.isolate;
    this.blank.catastrophe.handler = (message) => {
      this.wrecked = true;
      const requestId = this.call?.requestId;
      if (this.call) this.settle(this.call, { hostError: new Error(message) });
      onCatastrophe?.(this, requestId, message);
    };
    this.tracker?.track(this);
  }

  /** Cold start: isolate, runtime, the function's module evaluated and its handler found. */
  static async create(settings: EnvironmentSettings): Promise<Environment> {
    const started = performance.now();
    const { record } = settings;
    const python = isPythonRuntime(record.runtime);
    // A function's own snapshot beats a spare: a spare's interpreter has the import still to do.
    const ownSnapshot = python ? settings.pythonSnapshots?.take(record) : undefined;
    const pythonSpare = python && !ownSnapshot ? await settings.pythonSpares?.claim(record.memorySize) : undefined;
    const environment = new Environment(settings.key, record, settings, pythonSpare, ownSnapshot, new Date());
    try {
      await environment.initialize(settings);
    } catch (error) {
      if (ownSnapshot && settings.pythonSnapshots) {
        // Restoring the function's own snapshot failed: nothing of its code ran that its ordinary cold
        // start would not run again, so that snapshot is given up and this cold start takes the usual path.
        environment.dispose();
        settings.pythonSnapshots.forget(record, error);
        return Environment.create(settings);
      }
      const initDurationMs = performance.now() - started;
      const lines = environment.initLines;
      const failure = environment.describeInitFailure(error, settings.requestId);
      const maxMemoryUsedMb = environment.measureMemory().maxUsedMb;
      environment.dispose();
      environment.replenish(settings);
      throw new InitFailure(failure, initDurationMs, lines, maxMemoryUsedMb, environment.logStreamName);
    }
    environment.initDurationMs = performance.now() - started;
    environment.replenish(settings);
    return environment;
  }

  /** After a slow import: this function's own snapshot made once its first call has ended (function-snapshots.ts). */
  private offerSnapshot(settings: EnvironmentSettings, info: object, pkg: PackageTree | undefined): void {
    const snapshots = settings.pythonSnapshots;
    if (!snapshots || this.ownSnapshot) return;
    const { record } = settings;
    this.afterFirstCall = () => snapshots.consider(record, this.importMs, () => makeFunctionSnapshot(info, pkg, record.memorySize));
  }

  /** Whether this environment was made from a started Python interpreter (python-spares.ts). */
  get fromPythonSpare(): boolean {
    return this.pythonSpare !== undefined;
  }

  /** Has what this cold start took made again, after it. */
  private replenish(settings: EnvironmentSettings): void {
    if (isPythonRuntime(settings.record.runtime)) settings.pythonSpares?.replenish(settings.record.memorySize);
    if (!this.pythonSpare) settings.spares?.replenish(settings.record.memorySize);
  }

  private async initialize(settings: EnvironmentSettings): Promise<void> {
    const { record, bundle } = settings;
    const python = isPythonRuntime(record.runtime);
    // Only code that imports `fs` waits for its package's files (unzipped once per worker); Python reads its modules from them.
    const pkg = bundle.readsFiles || python ? await bundle.host.packages.get(record.packageObject) : undefined;
    const layers = record.layers ?? [];
    const opt = bundle.readsFiles && layers.length > 0 ? await bundle.host.packages.layers(layers.map((layer) => layer.contentObject)) : undefined;
    const host = bundle.host.forEnvironment(pkg, record.ephemeralStorageMb, record.memorySize, opt);
    this.host = host;
    // Socket events wake the isolate to poll for them while a call is open (sockets close as calls end).
    host.sockets.onEvents(() => {
      const call = this.call;
      if (call) this.enter(call, () => (this.socketsRef as ivm.Reference).apply(undefined, []));
    });
    const context = this.blank.context;
    const spare = this.pythonSpare;
    const ownSnapshot = this.ownSnapshot;
    const pythonAssets = python && !spare ? (ownSnapshot ? pyodideAssets(ownSnapshot) : await preparePython()) : undefined;
    const handlerFile = record.handlerFile;
    const info = {
      functionName: record.functionName,
      functionVersion: record.version,
      memoryLimitInMB: String(record.memorySize),
      logGroupName: `/aws/lambda/${record.functionName}`,
      logStreamName: this.logStreamName,
      handler: record.handler,
      handlerFile,
      env: lambdaEnvironment(record, settings.region, this.logStreamName, settings.platform),
      callLimits: host.callLimits,
      hostCallBytes: MAX_HOST_CALL_BYTES,
      ...(python ? { language: "python" } : {}),
    };
    // The isolate's one capability (sandbox/host.ts HostCall); everything else crosses in the outbox. A
    // spare was booted with it already, pointing at a stand-in until now.
    let runtime: ivm.Reference;
    if (spare) {
      spare.route((op, args) => this.hostCall(op, args));
      this.wasmReservedBytes = spare.wasmReservedBytes;
      runtime = spare.runtime;
    } else {
      if (python) runPyodideGlue(this.isolate, context);
      const boot = context.global.getSync("__lambentBoot", { reference: true }) as ivm.Reference;
      runtime = boot.applySync(
        undefined,
        [new ivm.Reference((op: unknown, args: unknown) => this.hostCall(op, args)), new ivm.ExternalCopy(info).copyInto()],
        { result: { reference: true } },
      ) as ivm.Reference;
      boot.release();
    }
    const member = (name: string): ivm.Reference => runtime.getSync(name, { reference: true }) as ivm.Reference;
    const load = member("load");
    this.invokeRef = member("invoke");
    this.takeRef = member("take");
    this.fireRef = member("fire");
    this.fetchedRef = member("fetched");
    this.calledRef = member("called");
    this.endRef = member("end");
    this.drainedRef = member("drained");
    this.socketsRef = member("sockets");

    // Init runs as a call without a handler: its lines are the first invocation's, and what it leaves
    // behind (timers, fetches) ends with it.
    const initCall = this.openCall({ requestId: "", lines: this.initLines, deadlineMs: Date.now() + INIT_TIMEOUT_MS });
    const deadline = performance.now() + INIT_TIMEOUT_MS;
    try {
      let missing: FunctionError | null;
      if (python) {
        missing = pythonAssets ? await startPython(runtime, pythonAssets, INIT_TIMEOUT_MS) : null;
        if (ownSnapshot) pythonAssets?.release();
        const remaining = Math.max(1, Math.ceil(deadline - performance.now()));
        if (ownSnapshot) {
          missing ??= await resumePython(runtime, info, pkg, remaining);
        } else if (!missing) {
          const importStarted = performance.now();
          missing = await bindPython(runtime, info, pkg, remaining);
          this.importMs = performance.now() - importStarted;
          if (!missing) this.offerSnapshot(settings, info, pkg);
        }
      } else {
        const module = await this.compileModule(bundle, handlerFile);
        module.instantiateSync(context, throwingResolver);
        await module.evaluate({ timeout: INIT_TIMEOUT_MS });
        const remaining = Math.max(1, Math.ceil(deadline - performance.now()));
        missing = (await load.apply(undefined, [module.namespace.derefInto()], { timeout: remaining, result: { copy: true } })) as FunctionError | null;
      }
      if (missing) throw new InitFailure(missing, 0, [], 0, this.logStreamName);
    } finally {
      // What the module logged before it loaded (or failed to) is the first invocation's.
      if (!this.disposed) {
        await this.endRef.apply(undefined, []).catch(() => undefined);
        this.takeLines(await this.takeRef.apply(undefined, [], TAKE).catch(() => undefined));
      }
      this.closeCall(initCall);
    }
  }

  private async compileModule(bundle: CachedBundle, handlerFile: string): Promise<ivm.Module> {
    const filename = `file:///var/task/${handlerFile}`;
    if (bundle.compileCache) {
      const module = (await this.isolate.compileModule(bundle.code, { filename, cachedData: bundle.compileCache })) as ivm.Module & CompiledScript;
      if (!module.cachedDataRejected) return module;
    }
    const module = (await this.isolate.compileModule(bundle.code, { filename, produceCachedData: true })) as ivm.Module & CompiledScript;
    if (module.cachedData) bundle.compileCache = module.cachedData;
    return module;
  }

  private describeInitFailure(error: unknown, requestId: string): FunctionError {
    if (error instanceof InitFailure) return error.error;
    if (this.wrecked || (this.isolate.isDisposed && !this.timedOut)) return outOfMemoryError(requestId, this.memoryMb);
    if (error instanceof Error && /timed out/i.test(error.message)) {
      return timeoutError(requestId, INIT_TIMEOUT_MS / 1000);
    }
    const shape = describeHostError(error);
    if (shape.errorType === "SyntaxError") {
      return { errorType: "Runtime.UserCodeSyntaxError", errorMessage: `SyntaxError: ${shape.errorMessage}`, trace: shape.trace };
    }
    return shape;
  }

  /** The init duration on the first call after a cold start, then never again. */
  takeInitDuration(): number | undefined {
    const value = this.initDurationMs;
    this.initDurationMs = undefined;
    return value;
  }

  /** Lines the module logged while loading; the first invocation's log starts with them. */
  takeInitLines(): string[] {
    const lines = this.initLines;
    this.initLines = [];
    return lines;
  }

  get disposed(): boolean {
    return this.wrecked || this.isolate.isDisposed;
  }

  /** The call running now, if any (the module's initialisation is none). */
  get runningRequestId(): string | undefined {
    return this.call?.requestId || undefined;
  }

  /**
   * Runs one call. A quick call on an inline environment ends within its first entry, and then its
   * outcome is returned synchronously: no promise, no turn of the event loop between call and answer.
   */
  run(request: RunRequest): RunOutcome | Promise<RunOutcome> {
    const timeoutMs = this.record.timeout * 1000;
    const started = performance.now();
    const deadlineMs = Date.now() + timeoutMs;
    this.lastRequestId = request.requestId;
    const call = this.openCall({ requestId: request.requestId, lines: request.lines, deadlineMs, trace: request.trace, depth: request.callDepth ?? 0 });
    const stream = request.stream;
    if (stream) {
      call.stream = stream;
      stream.onDrain((bytes) => {
        call.unacknowledged = Math.max(0, call.unacknowledged - bytes);
        this.enter(call, () => (this.drainedRef as ivm.Reference).apply(undefined, [bytes]));
      });
    }
    call.deadline = setTimeout(() => {
      this.timedOut = true;
      this.dispose();
    }, timeoutMs);
    // Without a stream, a streamified handler's bytes are gathered (up to the synchronous answer's limit).
    const args = [
      request.eventJson,
      request.requestId,
      deadlineMs,
      request.invokedFunctionArn,
      request.clientContext,
      stream ? stream.window : MAX_RESPONSE_BYTES + 1,
      // The handler span's trace, the function's `_X_AMZN_TRACE_ID`.
      request.trace?.parent.amznTraceId,
    ];
    if (this.history.next() === "inline") {
      if (this.startInline(call, args)) {
        const durationMs = performance.now() - started;
        this.closeCall(call);
        this.dispose();
        return { rerun: true, durationMs };
      }
    } else {
      this.startThreaded(call, args);
    }
    const ended = this.ended(call);
    if (ended instanceof Promise) return ended.then((result) => this.conclude(call, request, result, started));
    return this.conclude(call, request, ended, started);
  }

  /** The call's outcome from how it ended, within the host's limits (time, memory). */
  private conclude(call: OpenCall, request: RunRequest, result: CallResult, started: number): RunOutcome {
    const durationMs = performance.now() - started;
    this.closeCall(call);
    this.lastUsed = performance.now();
    const memory = this.measureMemory(durationMs);
    if (this.wrecked) return { ok: false, error: outOfMemoryError(request.requestId, this.memoryMb), durationMs, maxMemoryUsedMb: this.memoryMb, reusable: false };
    if ("hostError" in result) {
      let error: FunctionError;
      if (this.timedOut) error = timeoutError(request.requestId, this.record.timeout);
      else if (this.disposed) error = outOfMemoryError(request.requestId, this.memoryMb);
      else error = runtimeExitError(request.requestId, withoutHostPaths(result.hostError instanceof Error ? result.hostError.message : String(result.hostError)));
      this.dispose();
      return { ok: false, error, durationMs, maxMemoryUsedMb: this.disposed && !this.timedOut ? this.memoryMb : memory.maxUsedMb, reusable: false };
    }
    // isolated-vm's cap is soft: a call that ended above it ran out of memory, as it would have on Lambda.
    if (memory.overLimit) {
      this.dispose();
      return { ok: false, error: outOfMemoryError(request.requestId, this.memoryMb), durationMs, maxMemoryUsedMb: this.memoryMb, reusable: false };
    }
    if (result.ok) {
      const body = call.gathered.length > 0 ? Buffer.concat(call.gathered).toString("utf8") : result.body;
      return { ok: true, body, durationMs, maxMemoryUsedMb: memory.maxUsedMb, reusable: !this.disposed };
    }
    return { ok: false, error: result.error, durationMs, maxMemoryUsedMb: memory.maxUsedMb, reusable: !result.fatal && !this.disposed };
  }

  /** Starts the call on the main thread; true when it overran its slice (and must run again elsewhere). */
  private startInline(call: OpenCall, args: unknown[]): boolean {
    const cpuBefore = this.isolate.cpuTime;
    this.inlineWatch?.enter(call.requestId, this.record.functionName, this.record.version);
    try {
      (this.invokeRef as ivm.Reference).applySync(undefined, args, { timeout: INLINE_SLICE_MS });
    } catch (error) {
      this.inlineWatch?.leave();
      if (isEntryTimeout(error) && !this.disposed) {
        this.history.overran();
        return true;
      }
      this.settle(call, { hostError: error });
      return false;
    }
    this.inlineWatch?.leave();
    this.history.inlineStart(Number(this.isolate.cpuTime - cpuBefore) / 1e6);
    try {
      this.processPacket(call, (this.takeRef as ivm.Reference).applySync(undefined, [], TAKE) as SandboxPacket | undefined);
    } catch (error) {
      this.settle(call, { hostError: error });
    }
    return false;
  }

  private startThreaded(call: OpenCall, args: unknown[]): void {
    this.enter(call, async () => {
      const cpuBefore = this.isolate.cpuTime;
      await (this.invokeRef as ivm.Reference).apply(undefined, args, {});
      if (!this.disposed) this.history.threadedStart(Number(this.isolate.cpuTime - cpuBefore) / 1e6);
    });
  }

  /**
   * Queues an entry of the open call on isolated-vm's threads, followed by a take of the outbox. Entries
   * of a call run one at a time, and none runs once the call has ended. The take runs on the main thread,
   * as after an inline entry (runtime code that copies the outbox; the entry and its microtasks are over):
   * a second hop to isolated-vm's threads and back cost every threaded entry, a function call's answer
   * among them, about as much again in latency and CPU as the entry itself.
   */
  private enter(call: OpenCall, entry: () => Promise<unknown>): void {
    this.entries = this.entries.then(async () => {
      if (this.call !== call || this.disposed) return;
      try {
        await entry();
        if (this.call !== call || this.disposed) return;
        this.processPacket(call, (this.takeRef as ivm.Reference).applySync(undefined, [], TAKE) as SandboxPacket | undefined);
      } catch (error) {
        this.settle(call, { hostError: error });
      }
    });
  }

  /** Acts on what the sandbox handed over, within the host's own limits. */
  private processPacket(call: OpenCall, packet: SandboxPacket | undefined): void {
    if (!packet || this.call !== call) return;
    this.appendLines(call, packet.lines);
    // What the handler asked for before it settled is started (and cancelled as the call ends), as it
    // would have gone out from a Node process before Lambda froze it.
    const host = this.host;
    if (host) this.startRequests(call, host, packet);
    if ((packet.responseBytes !== undefined || packet.responseContentType !== undefined) && !this.takeResponse(call, packet)) return;
    if (typeof packet.outcome === "string") this.settle(call, decodeOutcome(packet.outcome));
    else if (packet.wakeAt === null || typeof packet.wakeAt === "number") this.arm(call, packet.wakeAt);
  }

  /**
   * Passes a streamed response's bytes on, or gathers them for a whole answer, within the host's limits:
   * the credit it gave (a sandbox that writes past it is broken or hostile, and its call fails), and
   * Lambda's 20 MB for a stream (6 MB for a whole answer). False when the call failed here.
   */
  private takeResponse(call: OpenCall, packet: SandboxPacket): boolean {
    const pieces = Array.isArray(packet.responseBytes) ? (packet.responseBytes as unknown[]).filter((piece): piece is Uint8Array => piece instanceof Uint8Array) : [];
    const contentType = typeof packet.responseContentType === "string" ? packet.responseContentType.slice(0, 256) : undefined;
    const bytes = pieces.reduce((sum, piece) => sum + piece.length, 0);
    const limit = call.stream ? RESPONSE_STREAM_MAX_BYTES : MAX_RESPONSE_BYTES;
    if (call.responseBytes + bytes > limit) {
      this.settle(call, { ok: false, error: { ...(call.stream ? streamTooLargeError() : responseTooLargeError()), trace: [] }, fatal: false });
      return false;
    }
    if (call.stream && call.unacknowledged + bytes > call.stream.window) {
      this.settle(call, { hostError: new Error("the response stream was written past its credit") });
      return false;
    }
    call.responseBytes += bytes;
    if (!call.stream) {
      call.gathered.push(...pieces);
      return true;
    }
    call.unacknowledged += bytes;
    if (pieces.length === 0) call.stream.write(new Uint8Array(0), contentType);
    pieces.forEach((piece, index) => call.stream!.write(piece, index === 0 ? contentType : undefined));
    return true;
  }

  private startRequests(call: OpenCall, host: EnvironmentHost, packet: SandboxPacket): void {
    if (Array.isArray(packet.abortedFetches)) {
      for (const id of packet.abortedFetches) if (Number.isSafeInteger(id) && host.abortFetch(id as number)) call.fetchesInFlight--;
    }
    for (const [id, value] of idPairs(packet.fetches)) this.startFetch(call, host, id, value);
    for (const [id, value] of idPairs(packet.calls)) {
      host.startCall(id, value, (callId, ok, output) => this.deliver(call, this.calledRef, [callId, ok, output]), call.caller);
    }
  }

  private startFetch(call: OpenCall, host: EnvironmentHost, id: number, value: unknown): void {
    const request = parseFetchRequest(value);
    if (!request) return this.deliver(call, this.fetchedRef, [id, false, "fetch failed: malformed request"]);
    if (call.fetchesInFlight >= MAX_FETCHES_IN_FLIGHT) {
      return this.deliver(call, this.fetchedRef, [id, false, `fetch failed: an invocation may have at most ${MAX_FETCHES_IN_FLIGHT} fetches in flight`]);
    }
    call.fetchesInFlight++;
    host.startFetch(
      id,
      request,
      (fetchId: number, ok: boolean, response: FetchResponseData | string) => {
        call.fetchesInFlight--;
        this.deliver(call, this.fetchedRef, [fetchId, ok, response]);
      },
      call.trace,
      call.caller,
    );
  }

  /** Hands an answer (a fetch's, a function call's) to the isolate, if its call is still running. A failure's words name no host file. */
  private deliver(call: OpenCall, ref: ivm.Reference | undefined, args: [number, boolean, FetchResponseData | string | FunctionCallOutput | FunctionCallFailure]): void {
    const [id, ok, value] = args;
    let answer = value;
    if (!ok) answer = typeof value === "string" ? withoutHostPaths(value) : { ...(value as FunctionCallFailure), message: withoutHostPaths((value as FunctionCallFailure).message) };
    this.enter(call, () => (ref as ivm.Reference).apply(undefined, [id, ok, answer], COPY_ARGUMENTS));
  }

  /** One host timer per environment: the sandbox's earliest due time, re-armed after each firing. */
  private arm(call: OpenCall, wakeAt: number | null): void {
    call.wakeAt = wakeAt;
    if (call.firing) return;
    if (call.wake) clearTimeout(call.wake);
    call.wake = undefined;
    if (wakeAt === null) return;
    call.wake = setTimeout(() => {
      call.wake = undefined;
      call.firing = true;
      this.enter(call, async () => {
        await (this.fireRef as ivm.Reference).apply(undefined, [Date.now()]);
        // Re-armed for what is still pending; the packet that follows may move it again.
        call.firing = false;
        this.arm(call, call.wakeAt);
      });
    }, Math.max(0, wakeAt - Date.now()));
  }

  /** The sandbox's log lines, up to the invocation's share; past it one note, then nothing. True while there is room. */
  private appendLines(call: OpenCall, lines: unknown): boolean {
    if (!Array.isArray(lines)) return call.loggedBytes <= MAX_LOG_BYTES_PER_INVOCATION;
    for (const line of lines) {
      if (call.loggedBytes > MAX_LOG_BYTES_PER_INVOCATION) return false;
      const text = typeof line === "string" ? (line.length > MAX_LOG_LINE_CHARS ? line.slice(0, MAX_LOG_LINE_CHARS) : line) : String(line);
      call.loggedBytes += text.length;
      if (call.loggedBytes <= MAX_LOG_BYTES_PER_INVOCATION) call.lines.push(text);
      else call.lines.push(logLimitNote(text));
    }
    return call.loggedBytes <= MAX_LOG_BYTES_PER_INVOCATION;
  }

  private takeLines(packet: unknown): void {
    const call = this.call;
    if (call && packet && typeof packet === "object") this.appendLines(call, (packet as SandboxPacket).lines);
  }

  /**
   * The isolate's host call: never throws into the isolate, so no host stack crosses. `zlib`, `kdf`
   * (key derivations), `keygen` (key pairs), `dhprime` (Diffie-Hellman primes) and `fetch` (a Python function's blocking HTTP) are awaited by the isolate (applySyncPromise): each answers with a promise of the
   * reply, copied in when it settles.
   */
  private hostCall(op: unknown, args: unknown): HostReply | Promise<unknown> {
    if (op === "zlib" || op === "kdf" || op === "keygen" || op === "dhprime") return this.hostWait(String(op), Array.isArray(args) ? args : []);
    if (op === "fetch") return this.fetchWaiting(Array.isArray(args) ? args : []);
    try {
      const list = Array.isArray(args) ? args : [];
      if (op === "log") return [0, this.call ? this.appendLines(this.call, list[0]) : false];
      if (op === "wasm") {
        const bytes = Number(list[0]);
        this.wasmReservedBytes = Number.isSafeInteger(bytes) && bytes > 0 ? bytes : 0;
        return [0, null];
      }
      if (!this.host) throw new Error("The environment has no host");
      return [0, this.host.call(String(op), list)];
    } catch (error) {
      return [1, hostErrorData(error)];
    }
  }

  private async hostWait(op: string, args: unknown[]): Promise<unknown> {
    let reply: HostReply;
    try {
      if (!this.host) throw new Error("The environment has no host");
      reply = [0, await this.host.wait(op, args)];
    } catch (error) {
      reply = [1, hostErrorData(error)];
    }
    return new ivm.ExternalCopy(reply).copyInto({ release: true });
  }

  /**
   * A fetch the isolate waits for (request, timeout in ms or 0): a Python function's urllib and requests.
   * It counts among the call's fetches in flight and ends with the call, as one from the outbox does.
   */
  private async fetchWaiting(args: unknown[]): Promise<unknown> {
    const call = this.call;
    const host = this.host;
    let reply: HostReply;
    try {
      const request = parseFetchRequest(args[0]);
      const timeoutMs = Number(args[1]);
      if (!request) throw new FetchFailure("fetch failed: malformed request");
      if (!call || !host) throw new FetchFailure("fetch failed: no invocation is running");
      if (call.fetchesInFlight >= MAX_FETCHES_IN_FLIGHT) throw new FetchFailure(`fetch failed: an invocation may have at most ${MAX_FETCHES_IN_FLIGHT} fetches in flight`);
      // No longer than the call has left: the module's initialisation is bounded by isolated-vm's timeout
      // alone, which cannot stop an isolate while it waits for the host.
      const remainingMs = Math.max(1, Math.ceil(call.deadlineMs - Date.now()));
      call.fetchesInFlight++;
      try {
        reply = [0, await host.fetchWaiting(request, Number.isFinite(timeoutMs) && timeoutMs > 0 ? Math.min(Math.ceil(timeoutMs), remainingMs) : remainingMs, call.trace, call.caller)];
      } finally {
        call.fetchesInFlight--;
      }
    } catch (error) {
      reply = [1, hostErrorData(error)];
    }
    return new ivm.ExternalCopy(reply).copyInto({ release: true });
  }

  private openCall(fields: { requestId: string; lines: string[]; deadlineMs: number; trace?: FetchTrace | undefined; depth?: number }): OpenCall {
    const call: OpenCall = {
      requestId: fields.requestId,
      lines: fields.lines,
      loggedBytes: 0,
      deadlineMs: fields.deadlineMs,
      // The module's initialisation has no caller: function calls are refused while it runs.
      caller: fields.requestId ? { requestId: fields.requestId, depth: fields.depth ?? 0, deadlineMs: fields.deadlineMs, trace: fields.trace, roleArn: this.record.role, functionName: this.record.functionName } : undefined,
      trace: fields.trace,
      deadline: undefined,
      wake: undefined,
      wakeAt: null,
      firing: false,
      fetchesInFlight: 0,
      result: undefined,
      waiter: undefined,
      stream: undefined,
      responseBytes: 0,
      unacknowledged: 0,
      gathered: [],
    };
    this.call = call;
    return call;
  }

  /** Records how the call ended (the first word stands) and wakes whoever waits for it. */
  private settle(call: OpenCall, result: CallResult): void {
    if (call.result) return;
    call.result = result;
    call.waiter?.(result);
  }

  /** The call's end: at once when it has ended, else when it does. */
  private ended(call: OpenCall): CallResult | Promise<CallResult> {
    if (call.result) return call.result;
    return new Promise((resolve) => (call.waiter = resolve));
  }

  /** The call has ended: its timers, fetches and function calls end with it, and later answers are dropped. */
  private closeCall(call: OpenCall): void {
    if (call.deadline) clearTimeout(call.deadline);
    if (call.wake) clearTimeout(call.wake);
    call.wake = undefined;
    this.settle(call, CALL_CLOSED);
    if (this.call === call) this.call = undefined;
    // The init call closes too, before the first call: that one is not waited for.
    const after = call.requestId === "" ? undefined : this.afterFirstCall;
    if (after) {
      this.afterFirstCall = undefined;
      after();
    }
    this.host?.cancelFetches();
    this.host?.cancelCalls();
    this.host?.cancelConversion();
    this.host?.sockets.closeAll();
  }

  /** Memory this environment holds while idle, in MB: its heap (not its cap) and its /tmp, which lives in worker memory. */
  get idleMemoryMb(): number {
    return Math.max(1, Math.ceil((this.heldBytes + (this.host?.files.tmpBytes ?? 0)) / MB));
  }

  /**
   * Peak heap use over the environment's life, in MB, as REPORT's Max Memory Used, and whether the heap is
   * above the function's memory size now. Reading heap statistics locks the isolate, a real share of a
   * short call's cost, so calls that used less than MEMORY_SAMPLE_MIN_CPU_MS of CPU since the last reading
   * (they cannot have allocated much) reuse it unless it is older than MEMORY_SAMPLE_INTERVAL_MS.
   */
  private measureMemory(callDurationMs = Infinity): { maxUsedMb: number; overLimit: boolean } {
    let overLimit = false;
    if (!this.disposed) {
      const now = performance.now();
      // CPU time, not wall time: under load a call waits for a thread, and waiting allocates nothing.
      const cpuMs = Number(this.isolate.cpuTime - this.cpuTimeAtLastMeasure) / 1e6;
      if (callDurationMs === Infinity || cpuMs >= MEMORY_SAMPLE_MIN_CPU_MS || now - this.lastMeasuredAt >= MEMORY_SAMPLE_INTERVAL_MS) {
        this.lastMeasuredAt = now;
        this.cpuTimeAtLastMeasure = this.isolate.cpuTime;
        try {
          const heap = this.isolate.getHeapStatisticsSync();
          const used = heap.used_heap_size + heap.externally_allocated_size;
          if (used > this.maxMemoryBytes) this.maxMemoryBytes = used;
          this.heldBytes = heap.total_heap_size + heap.externally_allocated_size;
          overLimit = used > this.memoryMb * MB;
        } catch {
          // The isolate went away between the check and the call; the last peak stands.
        }
      }
    }
    if (this.maxMemoryBytes === 0) this.maxMemoryBytes = this.memoryMb * MB;
    return { maxUsedMb: Math.min(this.memoryMb, Math.max(1, Math.ceil(this.maxMemoryBytes / MB))), overLimit };
  }

  dispose(): void {
    if (this.call) this.closeCall(this.call);
    this.tracker?.untrack(this);
    this.tracker = undefined;
    this.host?.files.release();
    // A wrecked isolate's thread never returns: disposing it would wait for that thread forever.
    if (this.wrecked || this.isolate.isDisposed) return;
    try {
      this.isolate.dispose();
    } catch {
      // Already being torn down by isolated-vm (memory limit); nothing is left to free.
    }
  }
}

// An execution environment: one isolate (its own heap and memory cap) with the runtime booted and one
// function version's module loaded. It runs one invocation at a time and enforces the time limit by
// disposing the isolate, which ends even a tight loop; the memory cap is enforced by isolated-vm.
// This is the one place host capabilities are injected into the isolate (as ivm References).
import { randomBytes } from "node:crypto";
import ivm from "isolated-vm";
import type { FunctionVersionRecord } from "@lambent/registry/functions";
import type { CachedBundle } from "../code-cache.js";
import type { FetchRequestData, FetchResponseData, FetchTrace } from "../host/fetch.js";
import type { CallerContext, FunctionCallFailure, FunctionCallOutput } from "../host/function-calls.js";
import type { EnvironmentHost } from "../host/sandbox-host.js";
import { INIT_TIMEOUT_MS, MAX_LOG_BYTES_PER_INVOCATION, logLimitNote, outOfMemoryError, runtimeExitError, timeoutError, type FunctionError } from "../limits.js";
import { compileSandbox, type CompiledScript } from "./sandbox-script.js";

/** Mirrors sandbox/host.ts: what the runtime's `invoke` resolves to. */
const MEMORY_SAMPLE_MIN_CPU_MS = 1;
const MEMORY_SAMPLE_INTERVAL_MS = 250;

type SandboxOutcome = { ok: true; body: string } | { ok: false; error: Required<FunctionError>; fatal: boolean };

/** The sandbox's outcome string (sandbox/host.ts encodeOutcome): a tag, then the body or the error's JSON. */
function decodeOutcome(encoded: string): SandboxOutcome {
  const tag = encoded.charAt(0);
  const rest = encoded.slice(1);
  if (tag === "0") return { ok: true, body: rest };
  return { ok: false, error: JSON.parse(rest) as Required<FunctionError>, fatal: tag === "2" };
}

export interface EnvironmentSettings {
  key: string;
  record: FunctionVersionRecord;
  bundle: CachedBundle;
  region: string;
  /** The call that needs this environment; init failures are reported under its id. */
  requestId: string;
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
}

export type RunOutcome = ({ ok: true; body: string } | { ok: false; error: FunctionError }) & {
  durationMs: number;
  maxMemoryUsedMb: number;
  /** False when the environment must not be used again (timed out, out of memory, exited). */
  reusable: boolean;
};

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

const MB = 1024 * 1024;

function throwingResolver(specifier: string): never {
  throw new Error(`Cannot find module '${specifier}'`);
}

function logStreamName(version: string, id: string, now: Date): string {
  const day = now.toISOString().slice(0, 10).replace(/-/g, "/");
  return `${day}/[${version}]${id}`;
}

function lambdaEnvironment(record: FunctionVersionRecord, region: string, streamName: string): Record<string, string> {
  return {
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
  };
}

/** A host error that came out of the isolate, in Lambda's shape. */
function describeHostError(error: unknown): Required<FunctionError> {
  if (error instanceof Error) {
    const trace = (error.stack ?? "").split("\n");
    // Frames past the isolate boundary are the worker's own: they are not the function's business.
    const boundary = trace.findIndex((line) => line.includes("<isolated-vm boundary>"));
    return { errorType: error.name || "Error", errorMessage: error.message, trace: boundary < 0 ? trace : trace.slice(0, boundary) };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
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
  private sink: string[] | undefined;
  /** Log bytes the running invocation (or init) has written; past the cap, lines are dropped. */
  private loggedBytes = 0;
  private host: EnvironmentHost | undefined;
  private readonly hostTimers = new Map<number, NodeJS.Timeout>();
  private timersOpen = false;
  private timedOut = false;
  private maxMemoryBytes = 0;
  /** Heap the isolate held after its last call: what it costs the worker while idle. */
  private heldBytes = 0;
  private lastMeasuredAt = -Infinity;
  private cpuTimeAtLastMeasure = 0n;
  private readonly isolate: ivm.Isolate;
  private invokeRef: ivm.Reference | undefined;
  private fireRef: ivm.Reference | undefined;
  private fetchedRef: ivm.Reference | undefined;
  private calledRef: ivm.Reference | undefined;
  /** The running call's handler span, when traced (fetches outlive no call, so one slot is enough). */
  private fetchTrace: FetchTrace | undefined;
  /** The running call, as the functions it invokes see their caller; undefined while none runs (init). */
  private caller: CallerContext | undefined;

  private constructor(
    readonly key: string,
    readonly record: FunctionVersionRecord,
    now: Date,
  ) {
    this.memoryMb = record.memorySize;
    this.logStreamName = logStreamName(record.version, this.id, now);
    this.isolate = new ivm.Isolate({ memoryLimit: record.memorySize });
  }

  /** Cold start: isolate, runtime, the function's module evaluated and its handler found. */
  static async create(settings: EnvironmentSettings): Promise<Environment> {
    const started = performance.now();
    const environment = new Environment(settings.key, settings.record, new Date());
    try {
      await environment.initialize(settings);
    } catch (error) {
      const initDurationMs = performance.now() - started;
      const lines = environment.initLines;
      const failure = environment.describeInitFailure(error, settings.requestId);
      const maxMemoryUsedMb = environment.measureMemory();
      environment.dispose();
      throw new InitFailure(failure, initDurationMs, lines, maxMemoryUsedMb, environment.logStreamName);
    }
    environment.initDurationMs = performance.now() - started;
    return environment;
  }

  private async initialize(settings: EnvironmentSettings): Promise<void> {
    const { record, bundle } = settings;
    // Only code that imports `fs` waits for its package's files (unzipped once per worker).
    const pkg = bundle.readsFiles ? await bundle.host.packages.get(record.packageObject) : undefined;
    const host = bundle.host.forEnvironment(pkg, record.ephemeralStorageMb, record.memorySize);
    this.host = host;
    const isolate = this.isolate;
    const context = isolate.createContextSync();
    compileSandbox(isolate).runSync(context);
    const boot = context.global.getSync("__lambentBoot", { reference: true }) as ivm.Reference;
    const handlerFile = record.handlerFile;
    const info = {
      functionName: record.functionName,
      functionVersion: record.version,
      memoryLimitInMB: String(record.memorySize),
      logGroupName: `/aws/lambda/${record.functionName}`,
      logStreamName: this.logStreamName,
      handler: record.handler,
      handlerFile,
      env: lambdaEnvironment(record, settings.region, this.logStreamName),
      callLimits: host.callLimits,
    };
    // The only capabilities the isolate gets from the host: a log line, arming or stopping a timer, a
    // synchronous call (hashes, random bytes, files), starting a fetch and starting a call of another
    // function (sandbox/host.ts lists them).
    const runtime = boot.applySync(
      undefined,
      [
        new ivm.Reference((line: string) => this.log(line)),
        new ivm.Reference((id: number, delayMs: number, repeat: number) => this.startTimer(id, delayMs, repeat === 1)),
        new ivm.Reference((id: number) => this.stopTimer(id)),
        new ivm.Reference((op: string, args: unknown[]) => host.call(op, args)),
        new ivm.Reference((id: number, request: FetchRequestData) => this.startFetch(id, request)),
        new ivm.Reference((id: number, call: unknown) => this.startCall(id, call)),
        new ivm.ExternalCopy(info).copyInto(),
      ],
      { result: { reference: true } },
    ) as ivm.Reference;
    boot.release();
    const load = runtime.getSync("load", { reference: true }) as ivm.Reference;
    this.invokeRef = runtime.getSync("invoke", { reference: true }) as ivm.Reference;
    this.fireRef = runtime.getSync("fire", { reference: true }) as ivm.Reference;
    this.fetchedRef = runtime.getSync("fetched", { reference: true }) as ivm.Reference;
    this.calledRef = runtime.getSync("called", { reference: true }) as ivm.Reference;

    this.sink = this.initLines;
    this.loggedBytes = 0;
    this.timersOpen = true;
    const deadline = performance.now() + INIT_TIMEOUT_MS;
    try {
      const module = await this.compileModule(bundle, handlerFile);
      module.instantiateSync(context, throwingResolver);
      await module.evaluate({ timeout: INIT_TIMEOUT_MS });
      const remaining = Math.max(1, Math.ceil(deadline - performance.now()));
      const missing = (await load.apply(undefined, [module.namespace.derefInto()], {
        timeout: remaining,
        result: { copy: true },
      })) as FunctionError | null;
      if (missing) throw new InitFailure(missing, 0, [], 0, this.logStreamName);
    } finally {
      this.closeTimers();
      this.sink = undefined;
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
    if (this.isolate.isDisposed && !this.timedOut) return outOfMemoryError(requestId, this.memoryMb);
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
    return this.isolate.isDisposed;
  }

  async run(request: RunRequest): Promise<RunOutcome> {
    const timeoutMs = this.record.timeout * 1000;
    const started = performance.now();
    this.sink = request.lines;
    this.fetchTrace = request.trace;
    this.loggedBytes = 0;
    this.timersOpen = true;
    const timer = setTimeout(() => {
      this.timedOut = true;
      this.dispose();
    }, timeoutMs);
    const deadlineMs = Date.now() + timeoutMs;
    this.caller = { requestId: request.requestId, depth: request.callDepth ?? 0, deadlineMs, trace: request.trace };
    let outcome: SandboxOutcome | undefined;
    let hostError: unknown;
    try {
      // Primitives in, one string out: nothing needs a structured copy across the isolate boundary.
      const encoded = (await (this.invokeRef as ivm.Reference).apply(
        undefined,
        [request.eventJson, request.requestId, deadlineMs, request.invokedFunctionArn, request.clientContext],
        { result: { promise: true } },
      )) as string;
      outcome = decodeOutcome(encoded);
    } catch (error) {
      hostError = error;
    }
    clearTimeout(timer);
    const durationMs = performance.now() - started;
    this.closeTimers();
    this.sink = undefined;
    this.fetchTrace = undefined;
    this.caller = undefined;
    this.lastUsed = performance.now();
    const maxMemoryUsedMb = this.measureMemory(durationMs);
    if (outcome?.ok) return { ok: true, body: outcome.body, durationMs, maxMemoryUsedMb, reusable: !this.disposed };
    if (outcome) return { ok: false, error: outcome.error, durationMs, maxMemoryUsedMb, reusable: !outcome.fatal && !this.disposed };
    let error: FunctionError;
    if (this.timedOut) error = timeoutError(request.requestId, this.record.timeout);
    else if (this.disposed) error = outOfMemoryError(request.requestId, this.memoryMb);
    else error = runtimeExitError(request.requestId, hostError instanceof Error ? hostError.message : String(hostError));
    this.dispose();
    return { ok: false, error, durationMs, maxMemoryUsedMb, reusable: false };
  }

  /** Memory this environment holds while idle, in MB: its heap (not its cap) and its /tmp, which lives in worker memory. */
  get idleMemoryMb(): number {
    return Math.max(1, Math.ceil((this.heldBytes + (this.host?.files.tmpBytes ?? 0)) / MB));
  }

  /** Peak heap use over the environment's life, in MB, as REPORT's Max Memory Used. */
  /**
   * Reading heap statistics locks the isolate, a real share of a short call's cost. Calls that used less
   * than MEMORY_SAMPLE_MIN_CPU_MS of CPU since the last reading cannot have allocated much, so they reuse
   * it unless it is older than MEMORY_SAMPLE_INTERVAL_MS (which still catches slow growth).
   */
  private measureMemory(callDurationMs = Infinity): number {
    const now = performance.now();
    // CPU time, not wall time: under load a call waits for a thread, and waiting allocates nothing.
    const cpuMs = this.disposed ? 0 : Number(this.isolate.cpuTime - this.cpuTimeAtLastMeasure) / 1e6;
    const due = callDurationMs === Infinity || cpuMs >= MEMORY_SAMPLE_MIN_CPU_MS || now - this.lastMeasuredAt >= MEMORY_SAMPLE_INTERVAL_MS;
    if (!this.disposed && due) {
      this.lastMeasuredAt = now;
      this.cpuTimeAtLastMeasure = this.isolate.cpuTime;
      try {
        const heap = this.isolate.getHeapStatisticsSync();
        const used = heap.used_heap_size + heap.externally_allocated_size;
        if (used > this.maxMemoryBytes) this.maxMemoryBytes = used;
        this.heldBytes = heap.total_heap_size + heap.externally_allocated_size;
        // isolated-vm's cap is soft; an environment found above it is not used again.
        if (used > this.memoryMb * MB) this.dispose();
      } catch {
        // The isolate went away between the check and the call; the last peak stands.
      }
    } else if (this.maxMemoryBytes === 0) {
      this.maxMemoryBytes = this.memoryMb * MB;
    }
    return Math.max(1, Math.ceil(this.maxMemoryBytes / MB));
  }

  /** One line from the function's console, unless it has already written its share of log. */
  private log(line: string): void {
    const sink = this.sink;
    if (!sink || this.loggedBytes > MAX_LOG_BYTES_PER_INVOCATION) return;
    this.loggedBytes += line.length;
    if (this.loggedBytes <= MAX_LOG_BYTES_PER_INVOCATION) sink.push(line);
    else sink.push(logLimitNote(line));
  }

  private startFetch(id: number, request: FetchRequestData): void {
    // Like timers: a fetch started by a call that has ended is dropped.
    if (!this.timersOpen || !this.host) return;
    this.host.startFetch(id, request, (fetchId: number, ok: boolean, value: FetchResponseData | string) => {
      try {
        this.fetchedRef?.applyIgnored(undefined, [fetchId, ok, value], { arguments: { copy: true } });
      } catch {
        // The isolate is gone (timed out or out of memory); its fetches die with it.
      }
    }, this.fetchTrace);
  }

  private startCall(id: number, call: unknown): void {
    // Like fetches: a call made by an invocation that has ended is dropped.
    if (!this.timersOpen || !this.host) return;
    this.host.startCall(id, call, (callId: number, ok: boolean, value: FunctionCallOutput | FunctionCallFailure) => {
      try {
        this.calledRef?.applyIgnored(undefined, [callId, ok, value], { arguments: { copy: true } });
      } catch {
        // The isolate is gone (timed out or out of memory); its calls die with it.
      }
    }, this.caller);
  }

  private startTimer(id: number, delayMs: number, repeat: boolean): void {
    // A timer armed by a call that has already ended is dropped: nothing leaks into the next call.
    if (!this.timersOpen) return;
    const fire = (): void => {
      if (!repeat) this.hostTimers.delete(id);
      try {
        this.fireRef?.applyIgnored(undefined, [id]);
      } catch {
        // The isolate is gone (timed out or out of memory); its timers die with it.
        this.closeTimers();
      }
    };
    this.stopTimer(id);
    this.hostTimers.set(id, repeat ? setInterval(fire, delayMs) : setTimeout(fire, delayMs));
  }

  private stopTimer(id: number): void {
    const handle = this.hostTimers.get(id);
    if (handle === undefined) return;
    clearTimeout(handle);
    this.hostTimers.delete(id);
  }

  /** The running call has ended: its timers, fetches and function calls end with it. */
  private closeTimers(): void {
    this.timersOpen = false;
    this.host?.cancelFetches();
    this.host?.cancelCalls();
    for (const handle of this.hostTimers.values()) clearTimeout(handle);
    this.hostTimers.clear();
  }

  dispose(): void {
    this.closeTimers();
    if (!this.isolate.isDisposed) {
      try {
        this.isolate.dispose();
      } catch {
        // Already being torn down by isolated-vm (memory limit); nothing is left to free.
      }
    }
  }
}

// One invocation message, start to finish: decode → look up the function's revision → take a warm
// environment or start one → run the handler → the result frame, with its log and the lease to give back.
// Never throws: every failure becomes a result the caller can read.
import { Buffer } from "node:buffer";
import { LATEST, functionArn, type FunctionVersionRecord } from "@lambent/registry/functions";
import { LambdaError, resourceNotFound, toLambdaError } from "@lambent/errors";
import {
  decodeInvocation,
  encodeInvocationResult,
  environmentKey,
  failureResult,
  type InvocationHeader,
  type InvocationRequest,
  type InvocationResultHeader,
  type Lease,
} from "@lambent/protocol";
import type { Logger } from "@lambent/telemetry";
import { tracer } from "@lambent/telemetry";
import { InvocationTrace } from "./tracing/invocation-trace.js";
import type { CodeCache } from "./code-cache.js";
import { LogBuffer, type InvocationLogSink } from "./log-buffer.js";
import type { TraceMaps } from "./trace-maps.js";
import { MAX_RESPONSE_BYTES, responseTooLargeError, type FunctionError } from "./limits.js";
import { InitFailure, type Environment, type RunOutcome, type RunRequest } from "./pool/environment.js";
import type { WarmPool } from "./pool/warm-pool.js";
import { startEnvironment, type EnvironmentRuntime } from "./cold-start.js";
import type { LeaseObserver } from "./running-leases.js";
import type { InvocationMetrics } from "./metrics/worker-metrics.js";
import type { ResponseSink } from "./pool/environment.js";

/** The worker's end of a streamed response (response-sink.ts): what the environment writes to, and the count the result names. */
export interface StreamSink extends ResponseSink {
  readonly pieces: number;
  close(): void;
}

/** The registry read the hot path needs (RegistryView provides it). */
export interface RevisionLookup {
  getRevision(functionName: string, version: string, revisionId: string): Promise<FunctionVersionRecord | undefined>;
  /** The record when it is cached (no waiting); the warm path looks here first. */
  cachedRevision?(functionName: string, version: string, revisionId: string): FunctionVersionRecord | undefined;
}

export interface InvokerOptions {
  /** Named in every answer, so a caller can send the function's next call straight here. */
  workerId?: string;
  region: string;
  accountId: string;
  registry: RevisionLookup;
  code: CodeCache;
  /** How this process's environments are entered (shared with the provisioner). */
  runtime: EnvironmentRuntime;
  pool: WarmPool<Environment>;
  logSink: InvocationLogSink;
  logger: Logger;
  /** Maps function errors' traces back to the user's files; absent in tests that run hand-written bundles. */
  traceMaps?: TraceMaps;
  /** Told of each leased call as it is decoded and sized, so heartbeats can report running calls. */
  leases?: LeaseObserver;
  /** Told each call's duration and each cold start's init duration. */
  metrics?: InvocationMetrics;
  /** Opens the worker's end of a streamed response to the caller's subject; absent, calls are answered whole. */
  responseSink?: (subject: string) => StreamSink;
  /** Whether a placed call that waited (for its record or an environment) may still start; absent, it always may. */
  placement?: PlacementFence;
}

/** The worker's lease on the leader's attention (scheduler-lease.ts), as a placed call's last check before it starts. */
export interface PlacementFence {
  time(): number;
  mayStart(term: number, arrivedAt: number): boolean;
}

/** Thrown, before the call starts, for a placed call whose slot may have been given away while it waited. */
class StalePlacement extends LambdaError {
  constructor() {
    super("ServiceException", "The call waited here while its scheduler lost the leadership or this worker lost its leader; it did not run. Call again.");
  }
}

export interface InvocationReply {
  /** The encoded InvocationResult for the caller. */
  result: Uint8Array;
  /** The scheduler's lease on this call, to release now. */
  lease?: Lease;
  /** The call did not start: it was placed by a deposed leader, or waited through a long lapse of the lease. */
  stale?: true;
  /** The environment key, when the environment that ran the call stays warm. */
  idleEnvironment?: string;
  /** The function's memory size, once its record was found. */
  memoryMb?: number;
  /** The worker had no room for another environment: nothing ran. */
  noRoom?: true;
}

/** A call that ran to an outcome, and the environment it ran in. */
interface RanCall {
  environment: Environment;
  cold: boolean;
  outcome: Exclude<RunOutcome, { rerun: true }>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function errorPayload(error: FunctionError): Uint8Array {
  return encoder.encode(JSON.stringify(error));
}

function logTime(): string {
  return new Date().toISOString();
}

export class Invoker {
  private readonly tracing = tracer();

  constructor(private readonly options: InvokerOptions) {}

  /** Decodes one invocation message and runs it (see handleRequest). */
  async handle(data: Uint8Array, traceparent?: string): Promise<InvocationReply> {
    let request: InvocationRequest;
    try {
      request = decodeInvocation(data);
    } catch (error) {
      this.options.logger.warn("malformed invocation message", { err: error });
      return { result: failureResult("", LATEST, { type: "ServiceException", message: "Malformed invocation message" }) };
    }
    return this.handleRequest(request, traceparent);
  }

  /**
   * Runs one call. `traceparent` is the caller's span, when the call is traced. A warm call whose
   * environment is entered inline and whose handler ends within that entry is answered synchronously.
   */
  handleRequest(request: InvocationRequest, traceparent?: string): InvocationReply | Promise<InvocationReply> {
    const { header } = request;
    if (header.lease) this.options.leases?.started(header.lease, header.functionName);
    const trace = this.tracing.enabled ? InvocationTrace.start(this.tracing, traceparent, header) : undefined;
    const fence = this.options.placement;
    const lease = header.lease;
    const arrivedAt = lease && fence ? fence.time() : 0;
    // Checked only after a wait: a call that starts at once started while its placement held.
    const mayStart = lease && fence ? (): void => {
          if (!fence.mayStart(lease.term, arrivedAt)) throw new StalePlacement();
        }
      : undefined;
    let reply: InvocationReply | Promise<InvocationReply>;
    try {
      reply = this.invoke(request, trace, mayStart);
    } catch (error) {
      reply = this.failed(header, error, trace);
    }
    if (reply instanceof Promise) {
      return reply.catch((error: unknown) => this.failed(header, error, trace)).finally(() => trace?.end());
    }
    trace?.end();
    return reply;
  }

  /** A call the platform could not run: the failure as the caller reads it. */
  private failed(header: InvocationHeader, error: unknown, trace: InvocationTrace | undefined): InvocationReply {
    trace?.fail(error);
    const failure = toLambdaError(error);
    if (failure.type === "ServiceException") {
      this.options.logger.error("invocation failed", { requestId: header.requestId, functionName: header.functionName, err: error });
    }
    const fields = Object.keys(failure.fields).length > 0 ? { fields: { ...failure.fields } } : {};
    const reply: InvocationReply = {
      result: failureResult(header.requestId, header.version, { type: failure.type, message: failure.message, ...fields }),
    };
    if (header.lease) reply.lease = header.lease;
    if (failure.type === "TooManyRequestsException" && failure.fields["Reason"] === "ConcurrentInvocationLimitExceeded") reply.noRoom = true;
    if (error instanceof StalePlacement) reply.stale = true;
    return reply;
  }

  private invoke(request: InvocationRequest, trace: InvocationTrace | undefined, mayStart: (() => void) | undefined): InvocationReply | Promise<InvocationReply> {
    const { header } = request;
    const { registry } = this.options;
    const record = registry.cachedRevision?.(header.functionName, header.version, header.revisionId);
    if (record) return this.invokeRecord(record, request, trace, mayStart);
    return registry.getRevision(header.functionName, header.version, header.revisionId).then((found) => {
      if (!found) throw resourceNotFound(`Function not found: ${this.arn(header.functionName, header.qualifier)}`);
      mayStart?.();
      return this.invokeRecord(found, request, trace, mayStart);
    });
  }

  /** The call of a known version: in an idle warm environment at once when there is one, else once one is started. */
  private invokeRecord(record: FunctionVersionRecord, { header, payload }: InvocationRequest, trace: InvocationTrace | undefined, mayStart: (() => void) | undefined): InvocationReply | Promise<InvocationReply> {
    const { pool } = this.options;
    if (header.lease) this.options.leases?.sized(header.lease, record.memorySize);
    const key = environmentKey(record.functionName, record.version, record.revisionId);
    const log = new LogBuffer(header.requestId);
    if (trace) log.traceId = trace.traceId;
    const sink = header.responseStream !== undefined ? this.options.responseSink?.(header.responseStream) : undefined;
    const runRequest = this.runRequest(record, header, payload, log);
    if (sink) runRequest.stream = sink;
    const warm = pool.takeWarm(key);
    if (warm) {
      const ran = this.runOnce(warm, false, record, runRequest, log, trace);
      const next = (call: RanCall | undefined): InvocationReply | Promise<InvocationReply> =>
        call ? this.answer(header, record, key, call, log, sink) : this.runInAny(key, record, runRequest, header, log, trace, mayStart).then((again) => this.answer(header, record, key, again, log, sink));
      return ran instanceof Promise ? ran.then(next) : next(ran);
    }
    return this.runInAny(key, record, runRequest, header, log, trace, mayStart).then(
      (ran) => this.answer(header, record, key, ran, log, sink),
      (error: unknown) => {
        sink?.close();
        if (error instanceof InitFailure) return this.initFailed(header, record, error, log, sink);
        throw error;
      },
    );
  }

  /** The function's outcome as the caller's answer: result or error payload, log, metrics, the environment back to the pool. */
  private answer(header: InvocationHeader, record: FunctionVersionRecord, key: string, ran: RanCall, log: LogBuffer, sink: StreamSink | undefined): InvocationReply | Promise<InvocationReply> {
    const { environment, outcome } = ran;
    const kept = this.options.pool.release(environment, outcome.reusable);
    if (!outcome.ok && outcome.error.trace && outcome.error.trace.length > 0 && this.options.traceMaps) {
      return this.mapTrace(record, outcome.error).then((error) => this.finish(header, record, key, ran, kept, log, error, sink));
    }
    return this.finish(header, record, key, ran, kept, log, outcome.ok ? undefined : outcome.error, sink);
  }

  private finish(
    header: InvocationHeader,
    record: FunctionVersionRecord,
    key: string,
    ran: RanCall,
    kept: boolean,
    log: LogBuffer,
    functionError: FunctionError | undefined,
    sink: StreamSink | undefined,
  ): InvocationReply {
    const { environment, cold, outcome } = ran;
    let body: Uint8Array;
    let error = functionError;
    if (outcome.ok) {
      body = encoder.encode(outcome.body);
      if (body.length > MAX_RESPONSE_BYTES) error = responseTooLargeError();
      // A handler that is not streamified answers a stream with its whole answer, as one piece.
      else if (sink && body.length > 0) sink.write(body, "application/json");
      if (sink) body = new Uint8Array(0);
    }
    if (error) {
      body = errorPayload(error);
      log.add(
        error.errorType === "Sandbox.Timedout"
          ? `${logTime()} ${header.requestId} ${error.errorMessage.slice(error.errorMessage.indexOf("Task timed out"))}`
          : `${logTime()}\t${header.requestId}\tERROR\tInvoke Error \t${JSON.stringify(error)}`,
      );
    }
    const initDurationMs = cold ? environment.takeInitDuration() : undefined;
    this.options.metrics?.ran(record.functionName, record.version, outcome.durationMs, initDurationMs);
    log.end({
      durationMs: outcome.durationMs,
      memorySizeMb: record.memorySize,
      maxMemoryUsedMb: outcome.maxMemoryUsedMb,
      ...(initDurationMs !== undefined ? { initDurationMs } : {}),
    });
    const resultHeader: InvocationResultHeader = { requestId: header.requestId, executedVersion: record.version };
    if (error) resultHeader.functionError = "Unhandled";
    if (sink) {
      resultHeader.streamedPieces = sink.pieces;
      sink.close();
    }
    if (this.options.workerId !== undefined) resultHeader.workerId = this.options.workerId;
    if (kept && header.lease?.answerReleases) resultHeader.idleEnvironment = key;
    this.finishLog(header, record, environment.logStreamName, log, resultHeader);
    const reply: InvocationReply = { result: encodeInvocationResult({ header: resultHeader, payload: body! }), memoryMb: record.memorySize };
    if (header.lease) reply.lease = header.lease;
    if (kept) reply.idleEnvironment = key;
    return reply;
  }

  private runRequest(record: FunctionVersionRecord, header: InvocationHeader, payload: Uint8Array, log: LogBuffer): RunRequest {
    const runRequest: RunRequest = {
      requestId: header.requestId,
      eventJson: payload.length === 0 ? "" : decoder.decode(payload),
      invokedFunctionArn: this.arn(record.functionName, header.qualifier),
      lines: log.lines,
    };
    if (header.clientContext) runRequest.clientContext = Buffer.from(header.clientContext, "base64").toString("utf8");
    if (header.callDepth) runRequest.callDepth = header.callDepth;
    return runRequest;
  }

  /**
   * One run in a taken environment; undefined when it overran its inline slice (nothing of it was seen, and
   * the environment is gone): the call must run again.
   */
  private runOnce(
    environment: Environment,
    cold: boolean,
    record: FunctionVersionRecord,
    runRequest: RunRequest,
    log: LogBuffer,
    trace: InvocationTrace | undefined,
  ): RanCall | undefined | Promise<RanCall | undefined> {
    if (cold) for (const line of environment.takeInitLines()) log.add(line);
    const mark = log.lines.length;
    log.start(record.version);
    const handler = trace?.handler(cold);
    const done = (outcome: RunOutcome): RanCall | undefined => {
      if (outcome.rerun) {
        if (handler) InvocationTrace.endHandler(handler, undefined);
        this.options.pool.release(environment, false);
        log.lines.length = mark;
        return undefined;
      }
      if (handler) InvocationTrace.endHandler(handler, outcome);
      return { environment, cold, outcome };
    };
    const failed = (error: unknown): never => {
      if (handler) InvocationTrace.endHandler(handler, undefined);
      this.options.pool.release(environment, false);
      throw error;
    };
    let outcome: RunOutcome | Promise<RunOutcome>;
    try {
      outcome = environment.run(handler ? { ...runRequest, trace: handler } : runRequest);
    } catch (error) {
      return failed(error);
    }
    return outcome instanceof Promise ? outcome.then(done, failed) : done(outcome);
  }

  /** Takes an environment (warm, or started for this call) until a run of the call comes to an outcome. */
  private async runInAny(
    key: string,
    record: FunctionVersionRecord,
    runRequest: RunRequest,
    header: InvocationHeader,
    log: LogBuffer,
    trace: InvocationTrace | undefined,
    mayStart: (() => void) | undefined,
  ): Promise<RanCall> {
    const start = () => startEnvironment(this.options.code, this.options.runtime, { key, record, region: this.options.region, requestId: header.requestId });
    for (;;) {
      const { environment, cold } = await this.options.pool.acquire(key, record.memorySize, () => (trace ? trace.init(start) : start()));
      try {
        mayStart?.();
      } catch (error) {
        this.options.pool.release(environment, true);
        throw error;
      }
      const ran = await this.runOnce(environment, cold, record, runRequest, log, trace);
      if (ran) return ran;
    }
  }

  private async mapTrace(record: FunctionVersionRecord, error: FunctionError): Promise<FunctionError> {
    const traceMaps = this.options.traceMaps;
    if (!traceMaps || !error.trace || error.trace.length === 0) return error;
    return { ...error, trace: await traceMaps.map(record.bundleObject, record.handlerFile, error.trace) };
  }

  /** The module failed to load: the call fails with the module's error, and the next call retries init. */
  private async initFailed(header: InvocationHeader, record: FunctionVersionRecord, failure: InitFailure, log: LogBuffer, sink: StreamSink | undefined): Promise<InvocationReply> {
    this.options.metrics?.initFailed(record.functionName, record.version, failure.initDurationMs);
    const error = await this.mapTrace(record, failure.error);
    for (const line of failure.lines) log.add(line);
    log.add(`${logTime()}\tundefined\tERROR\tUncaught Exception \t${JSON.stringify(error)}`);
    log.start(record.version);
    log.end({
      durationMs: failure.initDurationMs,
      memorySizeMb: record.memorySize,
      maxMemoryUsedMb: failure.maxMemoryUsedMb,
      initDurationMs: failure.initDurationMs,
    });
    const resultHeader: InvocationResultHeader = { requestId: header.requestId, executedVersion: record.version, functionError: "Unhandled" };
    if (sink) resultHeader.streamedPieces = sink.pieces;
    this.finishLog(header, record, failure.logStreamName, log, resultHeader);
    const reply: InvocationReply = { result: encodeInvocationResult({ header: resultHeader, payload: errorPayload(error) }) };
    if (header.lease) reply.lease = header.lease;
    return reply;
  }

  private finishLog(header: InvocationHeader, record: FunctionVersionRecord, logStreamName: string, log: LogBuffer, resultHeader: InvocationResultHeader): void {
    if (header.logType === "Tail") resultHeader.logResult = log.tailBase64();
    this.options.logSink.write({
      functionName: record.functionName,
      version: record.version,
      qualifier: header.qualifier,
      logGroupName: `/aws/lambda/${record.functionName}`,
      logStreamName,
      requestId: header.requestId,
      lines: log.lines,
      ...(log.traceId !== undefined ? { traceId: log.traceId } : {}),
      ...(log.billing ? { billing: log.billing } : {}),
      ...(resultHeader.functionError ? { functionError: true } : {}),
    });
  }

  /** Qualified with what the caller named, unqualified when the caller named nothing (`$LATEST`). */
  private arn(functionName: string, qualifier: string): string {
    const scope = { region: this.options.region, accountId: this.options.accountId };
    return qualifier === LATEST ? functionArn(scope, functionName) : functionArn(scope, functionName, qualifier);
  }
}

// Functions calling functions: what the host does when function code calls `invoke` from
// `lambent:functions` (sandbox/lambent/functions.ts). The arguments are checked as Lambda checks an Invoke,
// the target is resolved from the registry view, and the call goes where a call from outside goes: a
// synchronous one to the leading scheduler (admitted within the callee's concurrency, placed, answered by
// the callee's worker straight to this one), an event to the event stream (202 once JetStream has it).
// Each call carries its depth in the invocation header, so a chain of calls stops at MAX_CALL_DEPTH; it
// is a client span under the handler span, and sends that span's `traceparent` on; and it cannot outlive
// the invocation that made it.
import { randomUUID } from "node:crypto";
import type { NatsConnection } from "@nats-io/nats-core";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import { acceptEvent } from "@lambent/event-queue";
import { LambdaError, answerError, invalidParameter, recursiveInvocation, serviceError, toLambdaError } from "@lambent/errors";
import {
  InvocationTypes,
  LEADER_WAIT_MS,
  LogTypes,
  MAX_CALL_DEPTH,
  REPLY_MARGIN_MS,
  FrameError,
  checkPayload,
  isRecord,
  type InvocationHeader,
  type InvocationType,
  type LogType,
} from "@lambent/protocol";
import { LATEST, functionArn, parseFunctionReference, resolveTarget, type ArnScope, type RegistryView } from "@lambent/registry/functions";
import type { TraceSpan } from "@lambent/telemetry";
import { accessDeniedMessage, evaluatePolicy, policyOfRecord } from "@lambent/iam-policy";
import { MAX_RESPONSE_BYTES } from "../limits.js";
import type { FunctionCallMetrics } from "../metrics/worker-metrics.js";
import type { FetchTrace } from "./fetch.js";
import { WarmCaller } from "@lambent/warm-path";

// The shapes of the isolate boundary, as sandbox/host.ts spells them for the sandbox side: neither side
// may import the other, so both keep a copy.
export interface FunctionCallData {
  functionName: string;
  qualifier?: string;
  invocationType: string;
  logType: string;
  clientContext?: string;
  clientContextJson?: string;
  payload: Uint8Array;
}

export interface FunctionCallOutput {
  statusCode: number;
  payload: Uint8Array;
  functionError?: string;
  executedVersion?: string;
  logResult?: string;
}

export interface FunctionCallFailure {
  type: string;
  message: string;
  fields?: Record<string, string>;
}

export interface FunctionCallLimits {
  maxInFlight: number;
  maxBytesInFlight: number;
  maxQueued: number;
}

/** Calls one invocation may have in flight at once (the AWS SDK's own connection pool holds 50); more wait in the sandbox. */
export const MAX_CALLS_IN_FLIGHT = 50;
/** Calls one invocation may have waiting for room; past this they are refused. */
export const MAX_CALLS_QUEUED = 10_000;
/** Lambda's limit on `ClientContext`: base64 of a JSON object, at most this many characters. */
export const MAX_CLIENT_CONTEXT_CHARS = 3583;

const MB = 1024 * 1024;

/**
 * The limits for a function of `memoryMb`: the arguments of its calls in flight together may take no
 * more bytes than its memory, so the host never holds more of its payloads than the function could.
 */
export function callLimits(memoryMb: number): FunctionCallLimits {
  return { maxInFlight: MAX_CALLS_IN_FLIGHT, maxBytesInFlight: memoryMb * MB, maxQueued: MAX_CALLS_QUEUED };
}

/** What a call's arguments weigh against the limits: the payload and its strings (the sandbox counts the same). */
export function callSize(data: FunctionCallData): number {
  const text = (value: unknown): number => (typeof value === "string" ? value.length : 0);
  return data.payload.length + text(data.functionName) + text(data.qualifier) + text(data.clientContext) + text(data.clientContextJson);
}

/** A call whose arguments passed Lambda's checks. */
export interface FunctionCall {
  functionName: string;
  /** Undefined means `$LATEST`. */
  qualifier: string | undefined;
  invocationType: InvocationType;
  logType: LogType;
  /** Base64 JSON, as it travels in the invocation header. */
  clientContext?: string;
  /** The payload to deliver (`{}` for an empty one). */
  payload: Uint8Array;
}

/** The invocation making the call. */
export interface CallerContext {
  requestId: string;
  /** Its own depth: 0 when it was invoked from outside the cluster. */
  depth: number;
  /** Epoch milliseconds when it times out: no call it makes waits longer. */
  deadlineMs: number;
  /** Its handler span, when traced. */
  trace?: FetchTrace | undefined;
  /** Its function's execution role: a role the operator gave a policy may call only what the policy allows. */
  roleArn?: string | undefined;
  /** Its function's name: who asks, with the role, when it calls Lambda's API. */
  functionName?: string | undefined;
}

function enumError(field: string, value: string, allowed: readonly string[]): LambdaError {
  return invalidParameter(
    `1 validation error detected: Value '${value.slice(0, 64)}' at '${field}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(", ")}]`,
  );
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function clientContextOf(data: Record<string, unknown>): string | undefined {
  let encoded: string | undefined;
  if (typeof data["clientContextJson"] === "string") encoded = Buffer.from(data["clientContextJson"], "utf8").toString("base64");
  else if (typeof data["clientContext"] === "string") encoded = data["clientContext"];
  if (encoded === undefined) return undefined;
  if (encoded.length > MAX_CLIENT_CONTEXT_CHARS) {
    throw invalidParameter(`Client context must be at most ${MAX_CLIENT_CONTEXT_CHARS} characters of base64; it is ${encoded.length}`);
  }
  let parsed: unknown;
  try {
    if (encoded.length % 4 !== 0 || !BASE64.test(encoded)) throw new Error("not base64");
    parsed = JSON.parse(Buffer.from(encoded, "base64").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  if (!isRecord(parsed)) throw new LambdaError("InvalidRequestContentException", "Client context must be a valid Base64-encoded JSON object.");
  return encoded;
}

/**
 * Checks a call's arguments as they came out of the isolate (anything at all) the way Lambda checks an
 * Invoke. Throws the LambdaError the function then sees.
 */
export function parseFunctionCall(data: unknown): FunctionCall {
  if (!isRecord(data) || typeof data["functionName"] !== "string" || !(data["payload"] instanceof Uint8Array)) {
    throw invalidParameter("A function call needs a function name and a payload");
  }
  const qualifier = data["qualifier"];
  if (qualifier !== undefined && typeof qualifier !== "string") throw invalidParameter("Qualifier must be a string");
  const { functionName, qualifier: resolvedQualifier } = parseFunctionReference(data["functionName"], qualifier);
  const invocationType = data["invocationType"] ?? "RequestResponse";
  if (typeof invocationType !== "string" || !(InvocationTypes as readonly string[]).includes(invocationType)) {
    throw enumError("invocationType", String(invocationType), InvocationTypes);
  }
  const logType = data["logType"] ?? "None";
  if (typeof logType !== "string" || !(LogTypes as readonly string[]).includes(logType)) throw enumError("logType", String(logType), LogTypes);
  const call: FunctionCall = {
    functionName,
    qualifier: resolvedQualifier,
    invocationType: invocationType as InvocationType,
    // The log tail comes back only with a synchronous answer.
    logType: invocationType === "RequestResponse" ? (logType as LogType) : "None",
    payload: checkPayload(data["payload"], invocationType as InvocationType),
  };
  const clientContext = clientContextOf(data);
  if (clientContext !== undefined) call.clientContext = clientContext;
  return call;
}

/** Carries out checked calls; the worker's is NatsFunctionCalls. */
export interface FunctionCalls {
  /** Resolves with Lambda's Invoke output; rejects with a LambdaError. `signal` aborts when the caller's invocation ends. */
  call(call: FunctionCall, caller: CallerContext, signal: AbortSignal): Promise<FunctionCallOutput>;
  close(): void;
}

export interface NatsFunctionCallsOptions {
  nc: NatsConnection;
  /** This worker's node: callees' workers there are reached by their Unix socket. */
  nodeId: string;
  /** A worker not heard from for this long is gone, and calls sent straight to it fail. */
  workerTimeoutMs: number;
  view: RegistryView;
  scope: ArnScope;
  /** Counts each call by callee, type and outcome; absent, nothing is counted. */
  metrics?: FunctionCallMetrics | undefined;
  /** Roles' identity policies (a started RolePoliciesView); a role without one may call any function. */
  rolePolicies?: { get(roleArn: string): { policy: unknown } | undefined } | undefined;
}

const EMPTY = new Uint8Array(0);

export const CALL_SPAN_PREFIX = "invoke ";

export class NatsFunctionCalls implements FunctionCalls {
  private readonly warm: WarmCaller;
  private readonly events: JetStreamClient;

  constructor(private readonly options: NatsFunctionCallsOptions) {
    this.warm = new WarmCaller({ nc: options.nc, nodeId: options.nodeId, workerTimeoutMs: options.workerTimeoutMs });
    this.events = jetstream(options.nc);
  }

  close(): void {
    this.warm.close();
  }

  /** A role the operator gave a policy invokes only the functions it allows (lambda:InvokeFunction). */
  private authorize(call: FunctionCall, caller: CallerContext): void {
    const role = caller.roleArn === undefined ? undefined : this.options.rolePolicies?.get(caller.roleArn);
    if (!role || caller.roleArn === undefined) return;
    const action = "lambda:InvokeFunction";
    const resource = functionArn(this.options.scope, call.functionName, call.qualifier);
    const decision = evaluatePolicy(policyOfRecord(role), action, resource);
    if (decision !== "allow") throw new LambdaError("AccessDeniedException", accessDeniedMessage(caller.roleArn, action, resource, decision));
  }

  async call(call: FunctionCall, caller: CallerContext, signal: AbortSignal): Promise<FunctionCallOutput> {
    const span = caller.trace?.tracer.start(`${CALL_SPAN_PREFIX}${call.functionName}`, {
      kind: "client",
      parent: caller.trace.parent,
      attributes: { "faas.invoked_name": call.functionName, "lambent.invocation_type": call.invocationType, "lambent.call_depth": caller.depth + 1 },
    });
    const metrics = this.options.metrics;
    try {
      const output = await this.send(call, caller, signal, span);
      if (output.functionError) span?.fail(new Error(`Function error: ${output.functionError}`));
      metrics?.called(call.functionName, call.invocationType, output.functionError ? "function_error" : "ok");
      return output;
    } catch (error) {
      span?.fail(error);
      // A call given up because its caller ended is nobody's failure.
      if (!signal.aborted) metrics?.called(call.functionName, call.invocationType, toLambdaError(error).type);
      throw error;
    } finally {
      span?.end();
    }
  }

  private async send(call: FunctionCall, caller: CallerContext, signal: AbortSignal, span: TraceSpan | undefined): Promise<FunctionCallOutput> {
    const { view, scope } = this.options;
    this.authorize(call, caller);
    const record = await resolveTarget(view, scope, call.functionName, call.qualifier);
    span?.setAttribute("faas.version", record.version);
    // As Lambda answers a dry run: 204 and no ExecutedVersion.
    if (call.invocationType === "DryRun") return { statusCode: 204, payload: EMPTY };
    const depth = caller.depth + 1;
    if (depth > MAX_CALL_DEPTH) {
      throw recursiveInvocation(
        `Lambent stopped a recursive invocation: calling ${functionArn(scope, call.functionName, call.qualifier)} from request ${caller.requestId} would make a chain of ${depth} function-to-function calls (at most ${MAX_CALL_DEPTH})`,
      );
    }
    const header: InvocationHeader = {
      requestId: randomUUID(),
      functionName: call.functionName,
      qualifier: call.qualifier ?? LATEST,
      version: record.version,
      revisionId: record.revisionId,
      invocationType: call.invocationType,
      logType: call.logType,
      callDepth: depth,
    };
    if (call.clientContext !== undefined) header.clientContext = call.clientContext;
    span?.setAttribute("faas.invocation_id", header.requestId);
    if (call.invocationType === "Event") {
      await acceptEvent(this.events, header, call.payload, span?.traceparent);
      return { statusCode: 202, payload: EMPTY };
    }
    // The caller cannot wait past its own deadline, and no call waits past the callee's timeout.
    const remainingMs = Math.max(1, caller.deadlineMs - Date.now());
    let result;
    try {
      result = await this.warm.call(header, call.payload, {
        timeoutMs: Math.min(record.timeout * 1000 + REPLY_MARGIN_MS, remainingMs),
        traceparent: span?.traceparent,
        signal,
        leaderWaitMs: Math.min(LEADER_WAIT_MS, remainingMs),
        memoryMb: record.memorySize,
      });
    } catch (error) {
      if (error instanceof FrameError) throw serviceError(`The answer of ${call.functionName} could not be read: ${error.message}`);
      throw error;
    }
    const failure = result.header.failure;
    if (failure) throw answerError(failure.type, failure.message, failure.fields);
    if (result.payload.length > MAX_RESPONSE_BYTES) throw serviceError(`The answer of ${call.functionName} is larger than ${MAX_RESPONSE_BYTES} bytes`);
    // A copy of exactly the payload (`Buffer#slice` would be a view): the payload is a view into the
    // message, and a view crosses into the isolate with the whole buffer behind it.
    const output: FunctionCallOutput = { statusCode: 200, payload: new Uint8Array(result.payload), executedVersion: result.header.executedVersion };
    if (result.header.functionError) output.functionError = result.header.functionError;
    if (result.header.logResult !== undefined) output.logResult = result.header.logResult;
    return output;
  }
}

/** A call refused before it could start, or failed: the LambdaError as the sandbox receives it. */
export function callFailure(error: unknown): FunctionCallFailure {
  const failure = toLambdaError(error);
  const shape: FunctionCallFailure = { type: failure.type, message: failure.message };
  if (Object.keys(failure.fields).length > 0) shape.fields = { ...failure.fields };
  return shape;
}

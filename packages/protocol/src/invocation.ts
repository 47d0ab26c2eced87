// Invocation messages: what the frontend asks for, and what the worker answers.
import { isLambdaErrorType, type LambdaErrorType } from "@lambent/errors";
import { FrameError, decodeFrame, encodeFrame, frameHeaderLength } from "./frame.js";
import { isRecord } from "./guards.js";
import { MAX_CALL_DEPTH } from "./call-depth.js";

export const InvocationTypes = ["RequestResponse", "Event", "DryRun"] as const;
export type InvocationType = (typeof InvocationTypes)[number];
export const LogTypes = ["None", "Tail"] as const;
export type LogType = (typeof LogTypes)[number];


/**
 * A placed call's concurrency slot. `term` is the leadership term of the scheduler that placed it (see
 * docs/scheduling.md), so lease ids stay unique across scheduler restarts and takeovers.
 */
export interface Lease {
  term: number;
  leaseId: number;
  /**
   * The worker keeps the slot after the call (a kept slot): callers then send the function's calls
   * straight to that worker, which runs them within the slots it keeps (see docs/scheduling.md).
   */
  kept?: boolean;
  /**
   * The call's answer releases the slot: the scheduler that placed the call also waits for its answer
   * (an event, an event-source batch, a workflow task) and closes the lease when the answer comes, so
   * the worker sends no release of its own. One message fewer per call, and the scheduler knows the
   * environment is idle before it places the next call.
   */
  answerReleases?: boolean;
}

export interface InvocationHeader {
  requestId: string;
  functionName: string;
  /** The qualifier as the caller named it (`$LATEST`, a version, or an alias). */
  qualifier: string;
  /** The version the qualifier resolved to: `$LATEST` or a number. */
  version: string;
  /** The RevisionId of that version's configuration when it was resolved. */
  revisionId: string;
  /** Sync calls are answered on the NATS reply subject; async ones come from the event queue. */
  invocationType: Exclude<InvocationType, "DryRun">;
  logType: LogType;
  /** Base64 client context, passed to the handler as `context.clientContext`. */
  clientContext?: string;
  /** Set by the scheduler when it places the call; absent on a call sent straight to a worker. */
  lease?: Lease;
  /** The caller sends later calls straight to warm workers: the scheduler gives the worker a kept slot. */
  keepSlot?: boolean;
  /** The caller's trace context, on a call sent over a channel without message headers (a local socket). */
  traceparent?: string;
  /** Present on asynchronous events: when accepted, and how often the function has run them. */
  event?: EventDelivery;
  /**
   * Hops from an invocation from outside the cluster (call-depth.ts): set when a function, a destination,
   * a trigger or an event source mapping made this call, 1 to MAX_CALL_DEPTH; absent (0) for a call from
   * outside. An event may carry MAX_CALL_DEPTH + 1: a hop the event runner stops instead of running.
   */
  callDepth?: number;
  /**
   * A streamed response (response-stream.ts): the subject the function's bytes go to as it writes them.
   * The result frame then carries `streamedPieces`, and its payload is empty.
   */
  responseStream?: string;
}

export interface EventDelivery {
  /** Epoch milliseconds when the frontend accepted the event: its age counts from here. */
  enqueuedAt: number;
  /** Runs of the function so far (0 on the first delivery); retries are runs after the first. */
  attempt: number;
  /** Epoch milliseconds before which the event must not run (a retry's delay). */
  notBefore?: number;
  /** Runs the platform lost (the process running it ended, no answer came): these are not the function's retries. */
  losses?: number;
}

/** A failure of the platform (not of the function), reported instead of a result. */
export interface ServiceFailure {
  type: LambdaErrorType;
  message: string;
  fields?: Record<string, string>;
}

export interface InvocationResultHeader {
  requestId: string;
  executedVersion: string;
  /** Present when the function failed; the payload is then `{errorType, errorMessage, trace}`. */
  functionError?: "Unhandled";
  /** Base64 of the last 4 KB of the invocation's log, when `LogType: Tail` was asked. */
  logResult?: string;
  /** Present when the platform could not run the call at all; the payload is then empty. */
  failure?: ServiceFailure;
  /**
   * A call sent straight to a worker that has no free kept slot (or no room) for it: nothing ran, and the
   * caller sends it through the leading scheduler instead.
   */
  declined?: true;
  /** The worker that ran the call: its environment is warm, so the caller may send the next one straight there. */
  workerId?: string;
  /** A streamed response: how many pieces were published to the stream's subject. */
  streamedPieces?: number;
  /**
   * On the answer to a call whose lease the answer releases (`Lease.answerReleases`): the environment it
   * ran in, idle again; absent when that environment was discarded.
   */
  idleEnvironment?: string;
}

export interface InvocationRequest {
  header: InvocationHeader;
  payload: Uint8Array;
}

export interface InvocationResult {
  header: InvocationResultHeader;
  payload: Uint8Array;
}

export function encodeInvocation(request: InvocationRequest): Uint8Array {
  return encodeFrame(request.header, request.payload);
}

/**
 * The frame of a call `decodeInvocation` accepted, with `lease` added to its header: the header's JSON is
 * reused up to its closing brace and the lease written after it, and the payload's bytes are copied as
 * they are. The leader places every call this way, without encoding the header again. A lease already in
 * the header is overridden (JSON's last duplicate key wins, and the parser reads only the last).
 */
export function withLease(frame: Uint8Array, lease: Lease): Uint8Array {
  const headerLength = frameHeaderLength(frame);
  // The header decoded as a JSON object, so its last byte that is not whitespace is its closing brace.
  let close = 4 + headerLength - 1;
  while (close > 4 && frame[close] !== 0x7d) close--;
  if (frame[close] !== 0x7d) throw new FrameError("invocation header must be an object");
  const empty = isEmptyObject(frame, close);
  const suffix = `${empty ? "" : ","}"lease":${JSON.stringify(lease)}}`;
  // The suffix is ASCII (field names, numbers, booleans): one byte per character.
  const newHeaderLength = close - 4 + suffix.length;
  const payloadStart = 4 + headerLength;
  const out = new Uint8Array(4 + newHeaderLength + (frame.length - payloadStart));
  out[0] = newHeaderLength >>> 24;
  out[1] = (newHeaderLength >>> 16) & 0xff;
  out[2] = (newHeaderLength >>> 8) & 0xff;
  out[3] = newHeaderLength & 0xff;
  out.set(frame.subarray(4, close), 4);
  for (let i = 0; i < suffix.length; i++) out[close + i] = suffix.charCodeAt(i);
  out.set(frame.subarray(payloadStart), 4 + newHeaderLength);
  return out;
}

/** Whether the header's bytes before its closing brace at `close` are only `{` and whitespace. */
function isEmptyObject(frame: Uint8Array, close: number): boolean {
  for (let i = close - 1; i >= 4; i--) {
    const byte = frame[i]!;
    if (byte === 0x7b) return true;
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return false;
  }
  return false;
}

export function decodeInvocation(bytes: Uint8Array): InvocationRequest {
  const { header, payload } = decodeFrame(bytes);
  return { header: parseInvocationHeader(header), payload };
}

export function encodeInvocationResult(result: InvocationResult): Uint8Array {
  return encodeFrame(result.header, result.payload);
}

export function decodeInvocationResult(bytes: Uint8Array): InvocationResult {
  const { header, payload } = decodeFrame(bytes);
  return { header: parseResultHeader(header), payload };
}

function requireString(record: Record<string, unknown>, field: string): string {
  const value = record[field];
  if (typeof value !== "string") throw new FrameError(`invocation field ${field} must be a string`);
  return value;
}

function parseInvocationHeader(value: unknown): InvocationHeader {
  if (!isRecord(value)) throw new FrameError("invocation header must be an object");
  const invocationType = requireString(value, "invocationType");
  if (invocationType !== "RequestResponse" && invocationType !== "Event") {
    throw new FrameError(`unknown invocation type ${invocationType}`);
  }
  const logType = requireString(value, "logType");
  if (logType !== "None" && logType !== "Tail") throw new FrameError(`unknown log type ${logType}`);
  const header: InvocationHeader = {
    requestId: requireString(value, "requestId"),
    functionName: requireString(value, "functionName"),
    qualifier: requireString(value, "qualifier"),
    version: requireString(value, "version"),
    revisionId: requireString(value, "revisionId"),
    invocationType,
    logType,
  };
  if (typeof value["clientContext"] === "string") header.clientContext = value["clientContext"];
  const lease = value["lease"];
  if (isRecord(lease) && typeof lease["term"] === "number" && typeof lease["leaseId"] === "number") {
    header.lease = { term: lease["term"], leaseId: lease["leaseId"] };
    if (lease["kept"] === true) header.lease.kept = true;
    if (lease["answerReleases"] === true) header.lease.answerReleases = true;
  }
  if (value["keepSlot"] === true) header.keepSlot = true;
  if (typeof value["traceparent"] === "string" && value["traceparent"].length <= 256) header.traceparent = value["traceparent"];
  if (typeof value["responseStream"] === "string" && value["responseStream"].length <= 256 && invocationType === "RequestResponse") {
    header.responseStream = value["responseStream"];
  }
  const event = value["event"];
  if (isRecord(event) && typeof event["enqueuedAt"] === "number" && typeof event["attempt"] === "number") {
    header.event = { enqueuedAt: event["enqueuedAt"], attempt: event["attempt"] };
    if (typeof event["notBefore"] === "number") header.event.notBefore = event["notBefore"];
    if (typeof event["losses"] === "number") header.event.losses = event["losses"];
  }
  const callDepth = value["callDepth"];
  if (callDepth !== undefined) {
    // Only an event may be past the limit: it is stopped before it runs. A call past it is never made.
    const deepest = invocationType === "Event" ? MAX_CALL_DEPTH + 1 : MAX_CALL_DEPTH;
    if (typeof callDepth !== "number" || !Number.isInteger(callDepth) || callDepth < 1 || callDepth > deepest) {
      throw new FrameError(`invocation field callDepth must be an integer from 1 to ${deepest}`);
    }
    header.callDepth = callDepth;
  }
  return header;
}

function parseResultHeader(value: unknown): InvocationResultHeader {
  if (!isRecord(value)) throw new FrameError("result header must be an object");
  const header: InvocationResultHeader = {
    requestId: requireString(value, "requestId"),
    executedVersion: requireString(value, "executedVersion"),
  };
  if (value["functionError"] === "Unhandled") header.functionError = "Unhandled";
  if (typeof value["logResult"] === "string") header.logResult = value["logResult"];
  if (value["declined"] === true) header.declined = true;
  if (typeof value["workerId"] === "string") header.workerId = value["workerId"];
  if (typeof value["streamedPieces"] === "number" && Number.isSafeInteger(value["streamedPieces"])) header.streamedPieces = value["streamedPieces"];
  if (typeof value["idleEnvironment"] === "string") header.idleEnvironment = value["idleEnvironment"];
  const failure = value["failure"];
  if (isRecord(failure)) {
    const type = failure["type"];
    header.failure = {
      type: isLambdaErrorType(type) ? type : "ServiceException",
      message: typeof failure["message"] === "string" ? failure["message"] : "Internal service error",
    };
    if (isRecord(failure["fields"])) header.failure.fields = failure["fields"] as Record<string, string>;
  }
  return header;
}

/** A result that carries a platform failure instead of the function's answer. */
export function failureResult(requestId: string, version: string, failure: ServiceFailure): Uint8Array {
  return encodeInvocationResult({ header: { requestId, executedVersion: version, failure }, payload: new Uint8Array(0) });
}

/**
 * The answer for a call whose sandbox process a fatal out-of-memory error in its own isolate ended: the
 * function's error (Runtime.OutOfMemory, as Lambda reports a function killed for its memory), not the
 * platform's, so an event counts it as a run and a retry.
 */
export function outOfMemoryResult(requestId: string, version: string, memoryMb: number): Uint8Array {
  const error = { errorType: "Runtime.OutOfMemory", errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: out of memory (limit ${memoryMb} MB)` };
  return encodeInvocationResult({ header: { requestId, executedVersion: version, functionError: "Unhandled" }, payload: new TextEncoder().encode(JSON.stringify(error)) });
}

/** The answer of a worker that will not take a call sent straight to it: nothing ran. */
export function declinedResult(requestId: string, version: string, workerId: string): Uint8Array {
  return encodeInvocationResult({ header: { requestId, executedVersion: version, declined: true, workerId }, payload: new Uint8Array(0) });
}

// `lambent:functions`: function code invokes another Lambent function by name — synchronously
// (RequestResponse), as an event (Event) or as a check (DryRun) — and gets Lambda's Invoke output. The
// host carries each call out (services/worker/src/host/function-calls.ts): it checks the arguments' values
// and sends the call through the scheduler like any other, so the callee is admitted within its
// concurrency, traced under the handler and bounded by this invocation's deadline. Every call belongs to
// the invocation that made it: `abandonCalls` runs when the invocation ends, and an answer arriving later is
// dropped. Calls past the in-flight limits wait here, in the function's own heap, so the host never holds
// more than the limits allow.
import { startCall } from "../outbox.js";
import type { FunctionCallData, FunctionCallFailure, FunctionCallLimits, FunctionCallOutput } from "../host.js";
import { current } from "../invocation-state.js";
import { btoa, latin1Decode, toBytes, utf8Decode, utf8Encode } from "../web/encoding.js";

// Intrinsics taken before any function code runs: a payload's size is measured, and the payload copied,
// with these, so code that replaces methods on the prototypes cannot make the host hold more than counted.
const apply = Reflect.apply;
const OwnUint8Array = Uint8Array;
const typedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const byteLengthOf = Object.getOwnPropertyDescriptor(typedArrayPrototype, "byteLength")?.get as () => number;
const copyInto = (typedArrayPrototype as { set: (source: ArrayLike<number>) => void }).set;

const OPTION_NAMES = ["qualifier", "invocationType", "logType", "clientContext"];

/** Lambda's Invoke output, as `@aws-sdk/client-lambda` gives it. */
export interface InvokeOutput {
  StatusCode: number;
  Payload: Uint8Array & { transformToString(encoding?: string): string };
  FunctionError?: string;
  ExecutedVersion?: string;
  LogResult?: string;
}

interface Call {
  data: FunctionCallData;
  /** Bytes the call's arguments take (payload and strings), counted against the limits. */
  size: number;
  resolve(output: InvokeOutput): void;
  reject(error: unknown): void;
}

let limits: FunctionCallLimits = { maxInFlight: 1, maxBytesInFlight: 0, maxQueued: 0 };
const running = new Map<number, Call>();
const waiting: Call[] = [];
let inFlight = 0;
let bytesInFlight = 0;
let nextCallId = 1;

/** The module function code gets from `lambent:functions`. */
export function createFunctions(callLimits: FunctionCallLimits): { invoke: typeof invoke } {
  limits = callLimits;
  return { invoke };
}

/** Invokes `functionName` (a name, `name:qualifier` or an ARN) with `payload`. */
function invoke(functionName: unknown, payload?: unknown, options?: unknown): Promise<InvokeOutput> {
  return new Promise((resolve, reject) => {
    if (current.requestId === undefined) {
      throw new Error("lambent:functions can invoke a function only while a handler runs, not while the module initialises");
    }
    const data = callData(functionName, payload, options);
    const size = apply(byteLengthOf, data.payload, []) + data.functionName.length + (data.qualifier?.length ?? 0) + (data.clientContext?.length ?? 0) + (data.clientContextJson?.length ?? 0);
    if (waiting.length >= limits.maxQueued) {
      throw platformError({
        type: "TooManyRequestsException",
        message: `Rate Exceeded. This invocation already has ${inFlight} function calls in flight and ${waiting.length} waiting for room.`,
        fields: { Reason: "CallerRateLimitExceeded" },
      });
    }
    waiting.push({ data, size, resolve, reject });
    startWaiting();
  });
}

function callData(functionName: unknown, payload: unknown, options: unknown): FunctionCallData {
  if (typeof functionName !== "string") throw new TypeError('The "functionName" argument must be a string: a function name, name:qualifier or ARN');
  const given = options === undefined || options === null ? {} : options;
  if (typeof given !== "object") throw new TypeError('The "options" argument must be an object');
  for (const name of Object.keys(given)) {
    if (!OPTION_NAMES.includes(name)) throw new TypeError(`Unknown option "${name}": the options are ${OPTION_NAMES.join(", ")}`);
  }
  const { qualifier, invocationType = "RequestResponse", logType = "None", clientContext } = given as Record<string, unknown>;
  const data: FunctionCallData = {
    functionName,
    invocationType: optionalString("invocationType", invocationType) ?? "RequestResponse",
    logType: optionalString("logType", logType) ?? "None",
    payload: payloadBytes(payload),
  };
  const qualifierText = optionalString("qualifier", qualifier);
  if (qualifierText !== undefined) data.qualifier = qualifierText;
  if (typeof clientContext === "string") data.clientContext = clientContext;
  else if (typeof clientContext === "object" && clientContext !== null) data.clientContextJson = JSON.stringify(clientContext);
  else if (clientContext !== undefined) throw new TypeError('The "clientContext" option must be an object, or a string of base64 JSON as the AWS SDK takes it');
  return data;
}

function optionalString(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new TypeError(`The "${name}" option must be a string`);
  return value;
}

/** Bytes and strings go as they are (JSON text); anything else as JSON; nothing as an empty payload (`{}`). */
function payloadBytes(payload: unknown): Uint8Array {
  if (payload === undefined) return new OwnUint8Array(0);
  let view: Uint8Array;
  if (typeof payload === "string") view = utf8Encode(payload);
  else if (payload instanceof ArrayBuffer || ArrayBuffer.isView(payload)) view = toBytes(payload);
  else {
    const json = JSON.stringify(payload);
    if (json === undefined) throw new TypeError("The payload cannot be serialized as JSON");
    view = utf8Encode(json);
  }
  // The real length, whatever the view's prototype now says, and a copy that owns exactly those bytes.
  const length = apply(byteLengthOf, view, []);
  const copy = new OwnUint8Array(length);
  apply(copyInto, copy, [view]);
  return copy;
}

/** Hands waiting calls to the host while the limits have room; one call always may go. */
function startWaiting(): void {
  while (waiting.length > 0) {
    const next = waiting[0] as Call;
    if (inFlight > 0 && (inFlight >= limits.maxInFlight || bytesInFlight + next.size > limits.maxBytesInFlight)) return;
    waiting.shift();
    const id = nextCallId++;
    inFlight++;
    bytesInFlight += next.size;
    running.set(id, next);
    startCall(id, next.data);
  }
}

/** The host's answer to call `id`; ignored when the invocation that made it has ended. */
export function settleCall(id: number, ok: boolean, value: FunctionCallOutput | FunctionCallFailure): void {
  const call = running.get(id);
  if (!call) return;
  running.delete(id);
  inFlight--;
  bytesInFlight -= call.size;
  if (ok) call.resolve(invokeOutput(value as FunctionCallOutput));
  else call.reject(platformError(value as FunctionCallFailure));
  startWaiting();
}

/** Whether a call is running or waiting for room. */
export function callsPending(): boolean {
  return running.size > 0 || waiting.length > 0;
}

/** The invocation has ended: its calls never settle, and waiting ones never start. */
export function abandonCalls(): void {
  running.clear();
  waiting.length = 0;
  inFlight = 0;
  bytesInFlight = 0;
}

function invokeOutput(value: FunctionCallOutput): InvokeOutput {
  const output: InvokeOutput = { StatusCode: value.statusCode, Payload: payloadBlob(value.payload) };
  if (value.functionError !== undefined) output.FunctionError = value.functionError;
  if (value.executedVersion !== undefined) output.ExecutedVersion = value.executedVersion;
  if (value.logResult !== undefined) output.LogResult = value.logResult;
  return output;
}

/** The payload's bytes with the AWS SDK's `transformToString`, so code written for the SDK reads it unchanged. */
function payloadBlob(bytes: Uint8Array): InvokeOutput["Payload"] {
  Object.defineProperty(bytes, "transformToString", {
    value(encoding = "utf-8"): string {
      const name = String(encoding).toLowerCase();
      if (name === "utf-8" || name === "utf8") return utf8Decode(bytes);
      if (name === "base64") return btoa(latin1Decode(bytes));
      throw new RangeError(`Unsupported encoding "${String(encoding)}": use utf-8 or base64`);
    },
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return bytes as InvokeOutput["Payload"];
}

/** A platform error as the AWS SDK throws it: `name` is the Lambda error type, extra fields (`Reason`) beside. */
function platformError(failure: FunctionCallFailure): Error {
  const error = new Error(failure.message) as Error & Record<string, unknown>;
  error.name = failure.type;
  for (const [field, value] of Object.entries(failure.fields ?? {})) error[field] = value;
  return error;
}

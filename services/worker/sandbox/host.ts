// The host capabilities the worker injects at boot, and the only way sandbox code reaches the host.
// Each is an isolated-vm Reference to a host function. Most calls are fire-and-forget (applyIgnored), so
// the isolate never waits on the host; `call` is the one synchronous exception, for short work the host
// does at once (hashes, random bytes, file operations). Nothing the host owns is exposed as an object:
// arguments and results cross as copies.

export interface HostFunction<Args extends unknown[]> {
  applyIgnored(receiver: undefined, args: Args, options?: { arguments: { copy: true } }): void;
}

export interface HostCall {
  applySync(receiver: undefined, args: [op: string, args: unknown[]], options: { arguments: { copy: true }; result: { copy: true } }): unknown;
}

/** What the sandbox's `fetch` hands the host: the request, fully read. */
export interface FetchRequestData {
  url: string;
  method: string;
  headers: [string, string][];
  body: Uint8Array | null;
  redirect: "follow" | "manual" | "error";
}

/** What the host hands back: the response, its body fully read (and capped). */
export interface FetchResponseData {
  url: string;
  status: number;
  statusText: string;
  headers: [string, string][];
  body: Uint8Array;
  redirected: boolean;
}

/**
 * What `lambent:functions`' invoke hands the host: the call's arguments with their JavaScript types
 * checked. Their values (names, qualifier, invocation type, payload size and JSON) are the host's to check.
 */
export interface FunctionCallData {
  functionName: string;
  qualifier?: string;
  invocationType: string;
  logType: string;
  /** Base64 of a JSON object, as the AWS SDK's `ClientContext`. */
  clientContext?: string;
  /** The JSON text of a client context given as an object. */
  clientContextJson?: string;
  /** The payload's bytes (empty means `{}`). */
  payload: Uint8Array;
}

/** The host's answer to a call that went through: Lambda's Invoke output. */
export interface FunctionCallOutput {
  statusCode: number;
  payload: Uint8Array;
  functionError?: string;
  executedVersion?: string;
  logResult?: string;
}

/** A call refused or failed by the platform: a Lambda error type, its message and extra fields (`Reason`). */
export interface FunctionCallFailure {
  type: string;
  message: string;
  fields?: Record<string, string>;
}

/**
 * How many calls one invocation may have with the host at once, and how many bytes of arguments they may
 * carry together (one call always may go). Calls past either wait in the sandbox, in the function's own heap.
 */
export interface FunctionCallLimits {
  maxInFlight: number;
  maxBytesInFlight: number;
  /** Calls waiting for room past this many are refused with TooManyRequestsException. */
  maxQueued: number;
}

export interface HostCapabilities {
  /** One finished log line, already formatted. */
  log: HostFunction<[line: string]>;
  /** Arm a host timer that calls the runtime's `fire(id)`; `repeat` 1 re-arms it every `delayMs`. */
  startTimer: HostFunction<[id: number, delayMs: number, repeat: number]>;
  stopTimer: HostFunction<[id: number]>;
  /**
   * Synchronous host work: `hash` (algorithm, bytes), `hmac` (algorithm, key, bytes), `random` (size),
   * `uuid`, `zlib` (method, bytes, options), and `fs.<op>` (path, …) answering `{ ok, value }` or `{ ok: false, error: { code, syscall, path } }`.
   */
  call: HostCall;
  /** Starts a fetch; the host answers through the runtime's `fetched(id, ok, response | message)`. */
  startFetch: HostFunction<[id: number, request: FetchRequestData]>;
  /** Starts an invocation of another function; the host answers through the runtime's `called(id, ok, output | failure)`. */
  startCall: HostFunction<[id: number, call: FunctionCallData]>;
}

/** Static facts about this execution environment, copied in once at boot. */
export interface EnvironmentInfo {
  functionName: string;
  functionVersion: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
  /** The handler setting, e.g. `src/app.handler`. */
  handler: string;
  /** Path of the handler file under the task root, e.g. `src/app.js`. */
  handlerFile: string;
  /** The function's environment variables merged with the ones Lambda defines. */
  env: Record<string, string>;
  /** Bounds on `lambent:functions` calls in flight. */
  callLimits: FunctionCallLimits;
}

/** Per-invocation facts, copied in with each call. */
export interface InvocationInfo {
  requestId: string;
  /** Epoch milliseconds when the invocation times out. */
  deadlineMs: number;
  invokedFunctionArn: string;
  /** JSON text of the client context, when the caller sent one. */
  clientContext?: string;
}

export interface FunctionErrorShape {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

/** What a handler run comes to, inside the sandbox. */
export type InvocationOutcome =
  | { ok: true; body: string }
  | { ok: false; error: FunctionErrorShape; fatal: boolean };

/**
 * The outcome as it crosses to the host: one string (strings cross without a structured copy), its first
 * character a tag and the rest the body or the error's JSON. The host decodes it in pool/environment.ts.
 */
export const OutcomeTag = { ok: "0", error: "1", fatal: "2" } as const;

export function encodeOutcome(outcome: InvocationOutcome): string {
  if (outcome.ok) return OutcomeTag.ok + outcome.body;
  return (outcome.fatal ? OutcomeTag.fatal : OutcomeTag.error) + JSON.stringify(outcome.error);
}

/** What `boot` hands back to the host. */
export interface Runtime {
  /** Finds the handler on the bundle's `userModule` export; an error shape when it is missing. */
  load(bundleNamespace: unknown): FunctionErrorShape | null;
  /** Primitive arguments only: they cross into the isolate without a structured copy. */
  invoke(eventJson: string, requestId: string, deadlineMs: number, invokedFunctionArn: string, clientContext: string | undefined): Promise<string>;
  /** Called by host timers. */
  fire(id: number): void;
  /** Called by the host when a fetch has its response (ok) or failed (the TypeError's message). */
  fetched(id: number, ok: boolean, value: FetchResponseData | string): void;
  /** Called by the host when a function call has its output (ok) or failed. */
  called(id: number, ok: boolean, value: FunctionCallOutput | FunctionCallFailure): void;
}

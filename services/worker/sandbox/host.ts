// The boundary between the isolate and the host. The host hands the sandbox exactly one capability: `call`,
// a synchronous Reference for short work the host does at once (hashes, random bytes, compression, file
// operations, flushing log lines). Everything else the sandbox wants from the host — log lines, a timer
// wake-up, fetches to start or abort, other functions to invoke — waits in the sandbox's outbox (in the
// function's own heap, counted against its memory) until the host enters the isolate and then takes the
// outbox (`Runtime.take`). The host starts every entry, so it takes after every entry: nothing is queued
// on the host's side that function code controls, and the host checks and caps whatever it takes.
// Arguments and results cross as copies; nothing the host owns is exposed as an object.

/**
 * The one host Reference. Called with `applySync` for short work done at once on the host's main thread:
 * `hash` (algorithm, bytes), `hmac` (algorithm, key, bytes), `hash.start` (algorithm, key or null),
 * `hash.update` (bytes) and `hash.end` (a long input fed in pieces), `random` (size), `uuid`, `log` (lines:
 * flushes the outbox's lines early; false when the invocation's log is full), `wasm` (bytes: how far the environment's live WebAssembly memories may
 * grow together) and `fs.<op>` (path, …) answering `{ ok, value }` or `{ ok: false, error: { code, syscall,
 * path } }`. None carries more than EnvironmentInfo.hostCallBytes. Called with `applySyncPromise` for work
 * the host does off its main thread while the isolate waits: `zlib` (method, bytes, options), and `fetch`
 * (FetchRequestData, timeout in ms or 0: a Python function's blocking HTTP, answered with FetchResponseData).
 */
export interface HostCall {
  applySync(receiver: undefined, args: [op: string, args: unknown[]], options: { arguments: { copy: true }; result: { copy: true } }): HostReply;
  applySyncPromise(receiver: undefined, args: [op: string, args: unknown[]], options: { arguments: { copy: true } }): HostReply;
}

/** A host call's answer: `[0, value]`, or `[1, error]` for a failure the sandbox throws as its own Error. */
export type HostReply = [0, unknown] | [1, HostErrorData];

/** A host failure as data: no host stack, no host paths; the sandbox builds the Error function code sees. */
export interface HostErrorData {
  name: string;
  message: string;
  code?: string;
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

/**
 * What waits in the outbox for the host, as `Runtime.take` hands it over. Absent fields mean nothing new.
 */
export interface SandboxPacket {
  /** Finished log lines, in order. */
  lines?: string[];
  /** The running invocation's outcome (encodeOutcome), once its handler has settled. */
  outcome?: string;
  /** When the earliest pending timer is due (epoch milliseconds), or null when none is pending any more. */
  wakeAt?: number | null;
  /** Fetches to start: the host answers each through `Runtime.fetched`. */
  fetches?: [id: number, request: FetchRequestData][];
  /** Fetches the function aborted: the host stops them and answers nothing more. */
  abortedFetches?: number[];
  /** Calls of other functions to start: the host answers each through `Runtime.called`. */
  calls?: [id: number, call: FunctionCallData][];
  /** A streamed response's bytes, in order, within the credit the host gave (`Runtime.drained`). */
  responseBytes?: Uint8Array[];
  /** A streamed response's content type, once the function set it. */
  responseContentType?: string;
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
  /** The most bytes one synchronous host call may carry either way; larger data goes in pieces. */
  hostCallBytes: number;
  /** Set for a Python function: boot returns the Python runtime (python/runtime.ts). */
  language?: "python";
}

/** Per-invocation facts, copied in with each call. */
export interface InvocationInfo {
  requestId: string;
  /** Epoch milliseconds when the invocation times out. */
  deadlineMs: number;
  invokedFunctionArn: string;
  /** JSON text of the client context, when the caller sent one. */
  clientContext?: string;
  /** A streamed response's first credit in bytes; absent when the caller takes the answer whole. */
  streamWindow?: number;
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

/** What `boot` hands back to the host: every way the host enters the isolate. */
export interface Runtime {
  /** Finds the handler on the bundle's `userModule` export; an error shape when it is missing. */
  load(bundleNamespace: unknown): FunctionErrorShape | null;
  /**
   * Starts the handler. Primitive arguments only: they cross into the isolate without a structured copy.
   * `traceHeader` is the call's trace as X-Ray writes it, the handler's `process.env._X_AMZN_TRACE_ID`.
   */
  invoke(
    eventJson: string,
    requestId: string,
    deadlineMs: number,
    invokedFunctionArn: string,
    clientContext: string | undefined,
    streamWindow: number | undefined,
    traceHeader: string | undefined,
  ): void;
  /** The caller took `bytes` more of the streamed response: the function may write as many more. */
  drained(bytes: number): void;
  /** Hands over the outbox (see SandboxPacket); undefined when it is empty. */
  take(): SandboxPacket | undefined;
  /** Runs the timers due at `nowMs` (epoch milliseconds). */
  fire(nowMs: number): void;
  /** The host's answer to a fetch: ok with the response, or the TypeError's message. */
  fetched(id: number, ok: boolean, value: FetchResponseData | string): void;
  /** The host's answer to a function call: ok with Lambda's Invoke output, or the platform's failure. */
  called(id: number, ok: boolean, value: FunctionCallOutput | FunctionCallFailure): void;
  /** Events wait for the environment's sockets or name lookups: the sandbox polls for them (`net.poll`). */
  sockets(): void;
  /** The host ended the invocation (or the module's initialisation): its timers, fetches and calls go. */
  end(): void;
}

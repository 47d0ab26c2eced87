// Types of `lambent:functions`, the module Lambent's runtime offers function code to invoke other
// functions with (see docs/runtime.md). Copy this file into a TypeScript package, anywhere its
// tsconfig.json includes, so `import { invoke } from "lambent:functions"` type-checks. It is only for the
// type checker: Lambent compiles TypeScript at deploy without it.
declare module "lambent:functions" {
  export type InvocationType = "RequestResponse" | "Event" | "DryRun";
  export type LogType = "None" | "Tail";

  export interface InvokeOptions {
    /** A version, an alias or `$LATEST` (the default). The function name may carry it instead: `name:qualifier`. */
    qualifier?: string;
    /** `RequestResponse` (default) waits for the answer; `Event` queues the call (202); `DryRun` only checks it (204). */
    invocationType?: InvocationType;
    /** `Tail`: `LogResult` holds the last 4 KB of the callee's log, base64 (synchronous calls only). */
    logType?: LogType;
    /** The callee's `context.clientContext`: an object, or base64 of a JSON object as the AWS SDK takes it. */
    clientContext?: Record<string, unknown> | string;
  }

  /** The payload's bytes, read as `@aws-sdk/client-lambda`'s are. */
  export interface InvokePayload extends Uint8Array {
    transformToString(encoding?: "utf-8" | "utf8" | "base64"): string;
  }

  /** Lambda's Invoke output, as `@aws-sdk/client-lambda` returns it. */
  export interface InvokeOutput {
    /** 200 for RequestResponse, 202 for Event, 204 for DryRun. */
    StatusCode: number;
    /** The callee's answer as JSON bytes: its result, or `{errorType, errorMessage, trace}` when `FunctionError` is set. Empty for Event and DryRun. */
    Payload: InvokePayload;
    /** `Unhandled` when the callee failed: it threw, timed out or ran out of memory. */
    FunctionError?: "Unhandled";
    /** The version that ran (RequestResponse, DryRun). */
    ExecutedVersion?: string;
    /** With `logType: "Tail"`: the end of the callee's log, base64. */
    LogResult?: string;
  }

  /** How a call the platform refused rejects: `name` is Lambda's error type. */
  export interface InvokeError extends Error {
    name:
      | "InvalidParameterValueException"
      | "InvalidRequestContentException"
      | "RequestTooLargeException"
      | "ResourceNotFoundException"
      | "TooManyRequestsException"
      | "RecursiveInvocationException"
      | "ServiceException";
    /** Why a call was throttled (`TooManyRequestsException`). */
    Reason?: string;
  }

  /**
   * Invokes another function: `functionName` is a name, `name:qualifier` or an ARN. A string or bytes
   * payload is sent as it is (it must be JSON); anything else is sent as `JSON.stringify(payload)`; no
   * payload is `{}`. Rejects with an InvokeError when the platform refuses the call, and with a TypeError
   * for arguments of the wrong type.
   */
  export function invoke(functionName: string, payload?: unknown, options?: InvokeOptions): Promise<InvokeOutput>;
}

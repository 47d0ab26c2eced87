// Invocation payload checks: size limits and JSON, with Lambda's messages. Every path that accepts a
// payload to invoke with checks it here: the frontend's API and a function invoking another.
import { Buffer, isUtf8 } from "node:buffer";
import { LambdaError } from "@lambent/errors";
import type { InvocationType } from "./invocation.js";

export const PayloadLimits = {
  /** Synchronous request and response. */
  syncBytes: 6 * 1024 * 1024,
  /** Asynchronous (Event) request. */
  asyncBytes: 1024 * 1024,
} as const;

export function payloadLimit(invocationType: InvocationType): number {
  return invocationType === "Event" ? PayloadLimits.asyncBytes : PayloadLimits.syncBytes;
}

export function requestTooLarge(limit: number): LambdaError {
  return new LambdaError("RequestTooLargeException", `Request must be smaller than ${limit} bytes for the InvokeFunction operation`);
}

const EMPTY_EVENT = new TextEncoder().encode("{}");

/** Returns the payload to deliver: valid JSON as given, or `{}` for an empty body. */
export function checkPayload(payload: Uint8Array, invocationType: InvocationType): Uint8Array {
  const limit = payloadLimit(invocationType);
  if (payload.length > limit) throw requestTooLarge(limit);
  if (payload.length === 0) return EMPTY_EVENT;
  try {
    if (!isUtf8(payload)) throw new Error("payload is not valid UTF-8");
    JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("utf8"));
  } catch (error) {
    const reason = error instanceof Error ? error.message : "invalid JSON";
    throw new LambdaError("InvalidRequestContentException", `Could not parse request body into json: ${reason}`);
  }
  return payload;
}

// Lambda's invocation record: what an on-success or on-failure destination receives about an event.
import type { InvocationHeader } from "@lambent/protocol";

/** Lambda's conditions, and Lambent's RecursiveInvocationDropped for an event stopped as a recursive loop. */
export type RecordCondition = "Success" | "RetriesExhausted" | "EventAgeExceeded" | "RecursiveInvocationDropped";

export interface EventOutcome {
  /** The function's answer, when it ran. */
  response?: { executedVersion: string; functionError?: string; payload: Uint8Array };
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** JSON payloads are embedded as values, anything else as a string (as Lambda does). */
function embed(bytes: Uint8Array): unknown {
  const text = decoder.decode(bytes);
  if (text === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function invocationRecord(
  header: InvocationHeader,
  functionArn: string,
  condition: RecordCondition,
  invokeCount: number,
  payload: Uint8Array,
  outcome: EventOutcome,
  now: Date,
): Uint8Array {
  const record: Record<string, unknown> = {
    version: "1.0",
    timestamp: now.toISOString(),
    requestContext: { requestId: header.requestId, functionArn: `${functionArn}:${header.qualifier}`, condition, approximateInvokeCount: invokeCount },
    requestPayload: embed(payload),
  };
  if (outcome.response) {
    const responseContext: Record<string, unknown> = { statusCode: 200, executedVersion: outcome.response.executedVersion };
    if (outcome.response.functionError) responseContext["functionError"] = outcome.response.functionError;
    record["responseContext"] = responseContext;
    record["responsePayload"] = embed(outcome.response.payload);
  }
  return encoder.encode(JSON.stringify(record));
}

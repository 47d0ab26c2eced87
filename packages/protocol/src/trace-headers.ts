// Trace context in NATS message headers: a W3C `traceparent` rides beside an invocation frame (never
// inside it), so a message without one is unchanged and costs nothing to decode.
import { headers, type MsgHdrs } from "@nats-io/nats-core";

export const TRACEPARENT_HEADER = "traceparent";

/** Headers carrying one `traceparent`. */
export function traceHeaders(traceparent: string): MsgHdrs {
  const carrier = headers();
  carrier.set(TRACEPARENT_HEADER, traceparent);
  return carrier;
}

/** The `traceparent` a message carries, if any (core and JetStream messages alike). */
export function traceparentOf(msg: { headers?: MsgHdrs | undefined }): string | undefined {
  const value = msg.headers?.get(TRACEPARENT_HEADER);
  return value ? value : undefined;
}

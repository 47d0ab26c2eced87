// The invocation's place in the request's trace: the server span that is active (tracing/request-spans.ts)
// is named for the call and its context goes on to the scheduler in the NATS headers.
import type { InvocationHeader } from "@lambent/protocol";
import type { TraceSpan, Tracer } from "@lambent/telemetry";

/** The active server span, labelled with the invocation; undefined outside a traced request. */
export function invocationSpan(tracer: Tracer, header: InvocationHeader): TraceSpan | undefined {
  const span = tracer.activeSpan();
  span
    ?.setAttribute("faas.invoked_name", header.functionName)
    .setAttribute("faas.invocation_id", header.requestId)
    .setAttribute("faas.version", header.version)
    .setAttribute("lambent.invocation_type", header.invocationType);
  return span;
}

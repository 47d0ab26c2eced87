// The invocation's place in the request's trace: the route's server span (tracing/request-spans.ts) is
// labelled with the call, and its context goes on to the worker with the invocation.
import type { InvocationHeader } from "@lambent/protocol";
import type { TraceSpan } from "@lambent/telemetry";

/** Labels the request's server span with the invocation it carries. */
export function labelInvocation(span: TraceSpan, header: InvocationHeader): TraceSpan {
  return span
    .setAttribute("faas.invoked_name", header.functionName)
    .setAttribute("faas.invocation_id", header.requestId)
    .setAttribute("faas.version", header.version)
    .setAttribute("lambent.invocation_type", header.invocationType);
}

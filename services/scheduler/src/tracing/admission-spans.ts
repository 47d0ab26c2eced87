// The scheduler's part of an invocation's trace: one admission span per placement (a child of the
// frontend's span, carried in the NATS headers) that the worker's spans hang under, and for an event
// a span for the time it waited in the queue.
import type { LambdaError } from "@lambent/errors";
import { traceHeaders, type EventDelivery, type InvocationHeader } from "@lambent/protocol";
import type { TraceSpan, Tracer } from "@lambent/telemetry";
import type { PublishOptions } from "@nats-io/nats-core";

export const ADMIT_SPAN = "lambent.scheduler.admit";
export const QUEUED_SPAN = "lambent.event.queued";

/** Starts the admission span for a call whose frontend sent `traceparent` (a new trace when it sent none). */
export function startAdmission(tracer: Tracer, traceparent: string | undefined, header: InvocationHeader): TraceSpan {
  return tracer.start(ADMIT_SPAN, {
    kind: "consumer",
    parent: { traceparent },
    attributes: { "faas.invoked_name": header.functionName, "faas.invocation_id": header.requestId, "lambent.invocation_type": header.invocationType },
  });
}

/** Ends the admission span: failed when the call was refused (throttled, no worker). */
export function endAdmission(span: TraceSpan, refused: LambdaError | undefined): void {
  if (refused) span.fail(refused, `${refused.type}: ${refused.message}`);
  span.end();
}

/** How the placed call goes to its worker: with the admission span as the worker's parent. */
export function workerPublishOptions(replyTo: string | undefined, span: TraceSpan, workerId: string): Partial<PublishOptions> {
  span.setAttribute("lambent.worker_id", workerId);
  const headers = traceHeaders(span.traceparent);
  return replyTo ? { reply: replyTo, headers } : { headers };
}

/** Records the time an event waited, from acceptance (or its retry's due time) until it was placed now. */
export function recordQueued(tracer: Tracer, traceparent: string | undefined, header: InvocationHeader, delivery: EventDelivery): void {
  tracer
    .start(QUEUED_SPAN, {
      kind: "consumer",
      parent: { traceparent },
      startTime: Math.max(delivery.enqueuedAt, delivery.notBefore ?? 0),
      attributes: { "faas.invocation_id": header.requestId, "lambent.event.attempt": delivery.attempt },
    })
    .end();
}

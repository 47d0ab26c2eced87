// Enqueues an asynchronous invocation of a function named by name and qualifier, from inside the
// cluster: destinations, triggers (schedules, topics, bucket and KV events) and functions invoking
// functions, each with its depth in the chain of invocations that led to it. The qualifier is resolved
// now (an alias picks its version by weight), as the frontend does.
import { randomUUID } from "node:crypto";
import type { JetStreamClient } from "@nats-io/jetstream";
import { resolveTarget, type ArnScope, type RegistryView } from "@lambent/registry/functions";
import { publishEvent } from "./event-stream.js";

export interface EventTarget {
  functionName: string;
  /** `$LATEST` when absent. */
  qualifier?: string;
}

export interface EnqueueOptions {
  /** The request id the function sees; a new one when absent. */
  requestId?: string;
  /**
   * A key naming this event among everything ever enqueued (a schedule's tick, a source message's
   * sequence): a second enqueue with the same key within the stream's duplicate window is stored once.
   */
  dedupKey?: string;
  /** Continues the caller's trace in the scheduler's spans. */
  traceparent?: string;
  /**
   * The event's depth in a chain of invocations (`nextHop` of the invocation it comes from); absent for
   * one from outside. MAX_CALL_DEPTH + 1 stores an event the event runner stops instead of running.
   */
  callDepth?: number;
  now?: () => number;
}

/**
 * Resolves the target and stores the event durably; resolves with its request id once JetStream has it.
 * Rejects with ResourceNotFoundException when the function or qualifier does not exist.
 */
export async function enqueueInvocation(
  js: JetStreamClient,
  view: RegistryView,
  scope: ArnScope,
  target: EventTarget,
  payload: Uint8Array,
  options: EnqueueOptions = {},
): Promise<string> {
  const qualifier = target.qualifier ?? "$LATEST";
  const record = await resolveTarget(view, scope, target.functionName, qualifier);
  const requestId = options.requestId ?? randomUUID();
  await publishEvent(
    js,
    {
      header: {
        requestId,
        functionName: target.functionName,
        qualifier,
        version: record.version,
        revisionId: record.revisionId,
        invocationType: "Event",
        logType: "None",
        event: { enqueuedAt: (options.now ?? Date.now)(), attempt: 0 },
        ...(options.callDepth ? { callDepth: options.callDepth } : {}),
      },
      payload,
    },
    options.traceparent,
    options.dedupKey,
  );
  return requestId;
}

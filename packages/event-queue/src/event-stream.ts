// The stream that holds accepted asynchronous invocations until they are handled. A work queue: an event
// leaves it when the scheduler acks it (ran, dead-lettered, or dropped for age). File storage, so events
// survive a nats-server restart; new events are refused rather than old ones dropped when it is full.
import { AckPolicy, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType, jetstreamManager, type JetStreamClient, type PubAck } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { serviceError } from "@lambent/errors";
import { Consumers, Streams, Subjects, encodeInvocation, traceHeaders, type InvocationHeader, type InvocationRequest } from "@lambent/protocol";

/** Lambda accepts asynchronous payloads up to 1 MB (256 KB until 2025). */
export const MAX_EVENT_PAYLOAD_BYTES = 1024 * 1024;
/** The longest MaximumEventAgeInSeconds Lambda allows: no event is kept longer (plus a margin). */
export const MAX_EVENT_AGE_SECONDS = 21_600;
const STREAM_MAX_AGE_NS = (MAX_EVENT_AGE_SECONDS + 3_600) * 1_000_000_000;
/** Room for the frame's header beside the largest payload. */
const MAX_EVENT_MESSAGE_BYTES = MAX_EVENT_PAYLOAD_BYTES + 64 * 1024;
/** A retried publish with the same message id within this window is stored once. */
const DUPLICATE_WINDOW_NS = 120 * 1_000_000_000;
/** How long a pulled event may stay unacknowledged before JetStream hands it out again (the runner extends it while it works). */
export const EVENT_ACK_WAIT_MS = 10_000;

export interface EventStreamOptions {
  replicas: number;
}

/** Creates the stream and the runner's durable consumer when missing (idempotent; every service may call it). */
export async function ensureEventStream(nc: NatsConnection, options: EventStreamOptions): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const config = {
    name: Streams.events,
    subjects: [Subjects.asyncEventAll],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    max_age: STREAM_MAX_AGE_NS,
    max_msg_size: MAX_EVENT_MESSAGE_BYTES,
    duplicate_window: DUPLICATE_WINDOW_NS,
    num_replicas: options.replicas,
    // Direct reads let the API find a function's oldest event without a consumer.
    allow_direct: true,
  };
  try {
    await jsm.streams.info(Streams.events);
  } catch {
    try {
      await jsm.streams.add(config);
    } catch (error) {
      // Another service created it meanwhile.
      if (!/already in use|already exists/i.test(String(error))) throw error;
    }
  }
  try {
    await jsm.consumers.info(Streams.events, Consumers.eventRunner);
  } catch {
    await jsm.consumers.add(Streams.events, {
      durable_name: Consumers.eventRunner,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: EVENT_ACK_WAIT_MS * 1_000_000,
      max_deliver: -1,
      max_ack_pending: 10_000,
    });
  }
}

/**
 * Stores one event durably; resolves once JetStream has it. The message id makes a retried publish of
 * the same event (same request id and attempt, or the same `dedupKey`) a no-op within the duplicate
 * window. A `traceparent` is stored with the event, so the scheduler's spans for it continue the caller's trace.
 */
export function publishEvent(js: JetStreamClient, request: InvocationRequest, traceparent?: string, dedupKey?: string): Promise<PubAck> {
  const { header } = request;
  return js.publish(Subjects.asyncEvent(header.functionName), encodeInvocation(request), {
    // Each stored copy of an event (a retry, a run the platform lost) is its own message, never a duplicate.
    msgID: dedupKey ?? `${header.requestId}:${header.event?.attempt ?? 0}${header.event?.losses ? `:lost${header.event.losses}` : ""}`,
    ...(traceparent ? { headers: traceHeaders(traceparent) } : {}),
  });
}

/**
 * Accepts a caller's `Event` invocation (from the frontend, or a function invoking another): stamps its
 * arrival and stores it; resolves once JetStream has it. A ServiceException when JetStream cannot take it.
 */
export async function acceptEvent(js: JetStreamClient, header: InvocationHeader, payload: Uint8Array, traceparent?: string): Promise<void> {
  header.event = { enqueuedAt: Date.now(), attempt: 0 };
  try {
    await publishEvent(js, { header, payload }, traceparent);
  } catch (error) {
    throw serviceError(`The event could not be queued: ${error instanceof Error ? error.message : String(error)}`);
  }
}

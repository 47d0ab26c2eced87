// Runs asynchronous events from the event stream while this scheduler leads. Each event is admitted and
// placed like a synchronous call; the worker answers here. Then:
//   success                    → on-success destination, ack
//   function error or timeout  → a copy with the next attempt and a growing delay is stored, then ack
//   retries or age run out     → dead-letter target and on-failure destination, ack
//   throttled, no worker, lost → nak with a delay: the event waits in the stream, it is never dropped
//   past MAX_CALL_DEPTH        → not run (a recursive loop, stopped as Lambda stops one): dead-letter
//                                target and on-failure destination, ack
// What is sent on carries the event's call depth, so a loop through destinations and triggers is cut.
// An event is acked only after whatever replaces it (retry copy, dead letter) is stored, so a crash at
// any point leads to running it again, never to losing it: delivery is at least once.
import type { ConsumerMessages, JetStreamClient, JsMsg } from "@nats-io/jetstream";
import { Consumers, MAX_CALL_DEPTH, Streams, decodeInvocation, traceparentOf, type InvocationHeader, type InvocationRequest, type RequestReply } from "@lambent/protocol";
import { publishEvent } from "@lambent/event-queue";
import type { LambdaError } from "@lambent/errors";
import type { FunctionVersionRecord } from "@lambent/registry/functions";
import type { Logger } from "@lambent/telemetry";
import { tracer, type TraceSpan } from "@lambent/telemetry";
import { recordQueued } from "../tracing/admission-spans.js";
import { runInvocation, throttleDelay } from "../invocation/run-invocation.js";
import type { LoopStopsReport } from "../invocation/loop-stops.js";
import type { DestinationSender } from "./destinations.js";
import type { EventCounterBook } from "./event-counters.js";
import { invocationRecord, type EventOutcome, type RecordCondition } from "./invocation-record.js";

/** How the function's asynchronous invocation is configured (EventInvokeConfig with defaults, and its DLQ). */
export interface EventSettings {
  maximumRetryAttempts: number;
  maximumEventAgeInSeconds: number;
  onSuccess?: string;
  onFailure?: string;
  deadLetterTargetArn?: string;
}

export interface EventRunnerOptions {
  js: JetStreamClient;
  requests: RequestReply;
  destinations: DestinationSender;
  counters: EventCounterBook;
  loops: LoopStopsReport;
  logger: Logger;
  now: () => number;
  /** Delay before the first retry; the second waits twice as long (Lambda: about 1 and 2 minutes). */
  retryBaseMs: number;
  /** The version's configuration now; undefined when the function or version no longer exists. */
  record(functionName: string, version: string): Promise<FunctionVersionRecord | undefined>;
  settings(record: FunctionVersionRecord, qualifier: string): Promise<EventSettings>;
  functionArn(functionName: string): string;
  /** Admits and places the call with the worker's answer going to `replyTo`; an error when it cannot run now. */
  dispatch(request: InvocationRequest, replyTo: string, span?: TraceSpan): LambdaError | undefined | Promise<LambdaError | undefined>;
}

/** Events pulled from JetStream per request. */
const PULL_BATCH = 128;
/**
 * Events run at once by this scheduler. More would start an environment per event under a backlog (each
 * a cold start) without draining faster on a small machine; the rest wait, unacknowledged, in JetStream.
 */
const MAX_EVENTS_IN_FLIGHT = 64;
const PLATFORM_RETRY_DELAY_MS = 500;
/**
 * Runs the platform may lose before the event counts as the function's failure: an event that keeps
 * bringing down the process running it (in a way no one could pin on it) cannot crash-loop a node.
 */
export const MAX_PLATFORM_LOSSES = 3;

/** How long the runner waits before opening its consumer again after it stopped handing out events. */
const REOPEN_DELAY_MS = 1_000;

export class EventRunner {
  private messages: ConsumerMessages | undefined;
  private running = false;
  /** Counts starts: a consuming loop of an earlier start ends rather than run beside a newer one. */
  private generation = 0;
  private inFlight = 0;
  private readonly slotWaiters: (() => void)[] = [];

  private readonly tracing = tracer();

  constructor(private readonly options: EventRunnerOptions) {}

  /** Opens the consumer (a failure here fails the start, and the leader tries again), then keeps it open. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const generation = ++this.generation;
    const messages = await this.open(generation);
    if (messages) void this.consume(messages, generation);
  }

  /** Stops pulling; events being handled finish (their acks still count). */
  async stop(): Promise<void> {
    this.running = false;
    this.generation++;
    await this.messages?.close();
    this.messages = undefined;
    await this.options.counters.flush();
  }

  private current(generation: number): boolean {
    return this.running && generation === this.generation;
  }

  /** The consumer's messages; undefined when this start is over meanwhile. */
  private async open(generation: number): Promise<ConsumerMessages | undefined> {
    const consumer = await this.options.js.consumers.get(Streams.events, Consumers.eventRunner);
    if (!this.current(generation)) return undefined;
    const messages = await consumer.consume({ max_messages: PULL_BATCH });
    if (!this.current(generation)) {
      await messages.close();
      return undefined;
    }
    this.messages = messages;
    return messages;
  }

  /**
   * Handles what the consumer hands out for as long as this start lasts. The client's iterator can end or
   * fail under it (a JetStream outage, a request the server refused): it is opened again, never left
   * closed while this scheduler leads, or the events in the stream would wait for the next leader.
   */
  private async consume(first: ConsumerMessages, generation: number): Promise<void> {
    let messages: ConsumerMessages | undefined = first;
    while (this.current(generation)) {
      if (messages) {
        const error = await this.handleAll(messages);
        if (!this.current(generation)) return;
        this.options.logger.warn("event consumer stopped: opening it again", { ...(error !== undefined ? { err: error } : {}) });
        await messages.close();
      }
      await new Promise((resolve) => setTimeout(resolve, REOPEN_DELAY_MS));
      messages = await this.open(generation).catch((error: unknown) => {
        this.options.logger.warn("event consumer could not be opened: trying again", { err: error });
        return undefined;
      });
    }
  }

  /** Hands each message to `handle`, at most MAX_EVENTS_IN_FLIGHT at once; resolves with the error that ended the iterator, if one did. */
  private async handleAll(messages: ConsumerMessages): Promise<unknown> {
    try {
      for await (const message of messages) {
        if (this.inFlight >= MAX_EVENTS_IN_FLIGHT) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
        this.inFlight++;
        void this.handle(message)
          .catch((error: unknown) => {
            this.options.logger.error("event handling failed", { err: error, seq: message.seq });
            message.nak(PLATFORM_RETRY_DELAY_MS);
          })
          .finally(() => {
            this.inFlight--;
            this.slotWaiters.shift()?.();
          });
      }
      return undefined;
    } catch (error) {
      return error;
    }
  }

  /** Handles one pulled event (public so its decisions can be tested without a stream). */
  async handle(message: JsMsg): Promise<void> {
    const { logger, now } = this.options;
    let request: InvocationRequest;
    try {
      request = decodeInvocation(message.data);
    } catch (error) {
      // Nothing can ever run it: keeping it would only block the queue.
      logger.error("malformed event removed from the queue", { err: error, seq: message.seq });
      message.term("malformed");
      return;
    }
    const { header, payload } = request;
    const delivery = (header.event ??= { enqueuedAt: Math.floor(message.info.timestampNanos / 1_000_000), attempt: 0 });
    if (delivery.notBefore !== undefined && delivery.notBefore > now()) {
      message.nak(delivery.notBefore - now());
      return;
    }
    const record = await this.options.record(header.functionName, header.version);
    if (!record) {
      logger.warn("event dropped: its function no longer exists", { requestId: header.requestId, functionName: header.functionName, version: header.version });
      message.ack();
      return;
    }
    const settings = await this.options.settings(record, header.qualifier);
    if ((header.callDepth ?? 0) > MAX_CALL_DEPTH) {
      this.options.loops.stopped(header.functionName, "event", { requestId: header.requestId, callDepth: header.callDepth });
      const reason = `Lambent stopped a recursive loop: this event of ${this.options.functionArn(header.functionName)} would run ${header.callDepth} hops from the invocation that started its chain (at most ${MAX_CALL_DEPTH})`;
      await this.giveUp(request, settings, "RecursiveInvocationDropped", {}, "RecursiveInvocationException", reason);
      message.ack();
      return;
    }
    if (now() - delivery.enqueuedAt > settings.maximumEventAgeInSeconds * 1000) {
      await this.options.counters.countNow(header.functionName, "droppedForAge");
      await this.giveUp(request, settings, "EventAgeExceeded", {}, "EventAgeExceeded", "Event age exceeded the maximum");
      message.ack();
      return;
    }

    // $LATEST may have changed since the event was accepted: it runs the configuration of now.
    header.revisionId = record.revisionId;
    delete header.lease;
    const traceparent = this.tracing.enabled ? traceparentOf(message) : undefined;
    const reply = await runInvocation(this.options, request, record.timeout, {
      ...(traceparent !== undefined ? { traceparent } : {}),
      admitted: () => recordQueued(this.tracing, traceparent, header, delivery),
      whileRunning: () => message.working(),
    });
    let answered: { executedVersion: string; functionError?: "Unhandled"; payload: Uint8Array };
    switch (reply.kind) {
      case "refused":
        message.nak(throttleDelay(message.info.deliveryCount));
        return;
      case "noAnswer":
      case "platformFailure": {
        // The platform lost the run (worker lost, no answer): not the function's fault, so not a retry,
        // unless it keeps happening.
        const problem = reply.kind === "noAnswer" ? String(reply.error) : reply.failure.message;
        const losses = (delivery.losses ?? 0) + 1;
        if (losses < MAX_PLATFORM_LOSSES) {
          logger.warn("event run lost by the platform: it will run again", { requestId: header.requestId, losses, problem });
          const again: InvocationHeader = { ...header, event: { ...delivery, losses, notBefore: now() + PLATFORM_RETRY_DELAY_MS } };
          delete again.lease;
          await publishEvent(this.options.js, { header: again, payload }, traceparent);
          message.ack();
          return;
        }
        logger.warn("event run lost by the platform too often: it counts as the function's failure", { requestId: header.requestId, losses, problem });
        answered = { executedVersion: header.version, functionError: "Unhandled", payload: lostRunsPayload(header.requestId, losses, problem) };
        break;
      }
      case "answered":
        answered = reply;
        break;
    }
    const outcome: EventOutcome = {
      response: { executedVersion: answered.executedVersion, payload: answered.payload, ...(answered.functionError ? { functionError: answered.functionError } : {}) },
    };
    const runs = delivery.attempt + 1;
    if (!answered.functionError) {
      if (settings.onSuccess) await this.deliverRecord(settings.onSuccess, request, "Success", runs, outcome);
      this.options.counters.count(header.functionName, "succeeded");
      message.ack();
      return;
    }
    if (delivery.attempt < settings.maximumRetryAttempts) {
      const retry: InvocationHeader = {
        ...header,
        event: { enqueuedAt: delivery.enqueuedAt, attempt: runs, notBefore: now() + this.options.retryBaseMs * 2 ** delivery.attempt },
      };
      delete retry.lease;
      await this.options.counters.countNow(header.functionName, "retried");
      await publishEvent(this.options.js, { header: retry, payload }, traceparent);
      message.ack();
      return;
    }
    const error = errorOf(answered.payload);
    await this.giveUp(request, settings, "RetriesExhausted", outcome, error.type, error.message);
    message.ack();
  }

  /** The event's last word: the original payload to the dead-letter target, the record to on-failure. */
  private async giveUp(
    request: InvocationRequest,
    settings: EventSettings,
    condition: RecordCondition,
    outcome: EventOutcome,
    errorCode: string,
    errorMessage: string,
  ): Promise<void> {
    const { header, payload } = request;
    const runs = (header.event?.attempt ?? 0) + (outcome.response ? 1 : 0);
    if (condition === "RetriesExhausted") await this.options.counters.countNow(header.functionName, "deadLettered");
    if (settings.deadLetterTargetArn) {
      await this.options.destinations.send(settings.deadLetterTargetArn, payload, {
        callDepth: header.callDepth ?? 0,
        attributes: { RequestID: header.requestId, ErrorCode: errorCode, ErrorMessage: errorMessage.slice(0, 1024) },
      });
    }
    if (settings.onFailure) await this.deliverRecord(settings.onFailure, request, condition, runs, outcome);
    this.options.logger.warn("event given up", { requestId: header.requestId, functionName: header.functionName, condition, runs });
  }

  private async deliverRecord(arn: string, request: InvocationRequest, condition: RecordCondition, runs: number, outcome: EventOutcome): Promise<void> {
    const { header, payload } = request;
    const record = invocationRecord(header, this.options.functionArn(header.functionName), condition, runs, payload, outcome, new Date(this.options.now()));
    await this.options.destinations.send(arn, record, { callDepth: header.callDepth ?? 0 });
  }
}

const decoder = new TextDecoder();

/** The function error's type and message from its `{errorType, errorMessage}` payload. */
function errorOf(payload: Uint8Array): { type: string; message: string } {
  try {
    const parsed = JSON.parse(decoder.decode(payload)) as { errorType?: unknown; errorMessage?: unknown };
    return {
      type: typeof parsed.errorType === "string" ? parsed.errorType : "Unhandled",
      message: typeof parsed.errorMessage === "string" ? parsed.errorMessage : "",
    };
  } catch {
    return { type: "Unhandled", message: "" };
  }
}


/** The function error an event gets when the platform lost its runs MAX_PLATFORM_LOSSES times in a row. */
function lostRunsPayload(requestId: string, losses: number, problem: string): Uint8Array {
  const error = { errorType: "Runtime.ExitError", errorMessage: `RequestId: ${requestId} Error: Runtime exited without an answer ${losses} times (last: ${problem})` };
  return new TextEncoder().encode(JSON.stringify(error));
}

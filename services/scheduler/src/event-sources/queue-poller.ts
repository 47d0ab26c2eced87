// Polls one queue-semantics mapping (an SQS-like queue on a NATS subject) from its durable consumer while
// this scheduler leads. Each slot receives a batch (up to BatchSize, waiting up to the batching window),
// invokes the function with an SQS event, then settles every message:
//   success                          → ack
//   function error or timeout        → nak with the visibility timeout: received again after it
//   ReportBatchItemFailures          → only the listed messages go back; the rest are acked
//   no FilterCriteria pattern matches → acked without running (deleted, as Lambda deletes it from SQS)
//   received 1 + MaximumRetryAttempts times and failed again → the original message to
//                                      DestinationConfig.OnFailure (when set), then ack
//   a message past MAX_CALL_DEPTH    → not run: a recursive loop, which fails as a receive (as Lambda
//                                      returns RecursiveInvocationException to an SQS mapping) until it
//                                      goes to OnFailure like any message that keeps failing
// Messages stay invisible while their batch waits for admission or runs (the consumer's ack wait is
// extended), and a throttled batch waits without counting as a receive. Slots grow with the backlog
// (the consumer's pending count) up to ScalingConfig.MaximumConcurrency and shrink when idle.
import type { Consumer, JsMsg } from "@nats-io/jetstream";
import { MAX_CALL_DEPTH, callDepthOf, nextHop } from "@lambent/protocol";
import type { QueueMapping, StreamMapping } from "@lambent/registry/event-sources";
import { RUNNING_INTERVAL_MS } from "../invocation/run-invocation.js";
import { compilePattern, matchesAny, queueRecordView, type CompiledPattern } from "@lambent/event-filter";
import { parseBatchItemFailures } from "./batch-response.js";
import { sleep } from "./batch-invoker.js";
import { StateLostError, type MappingStateWriter } from "./mapping-state.js";
import { FUNCTION_CALL_FAILED, FUNCTION_NOT_FOUND, OK, type Poller, type PollerDeps } from "./poller.js";
import { MAX_EVENT_BYTES, queueMessageId, receiptHandle, sqsRecord, type SourceContext } from "./source-events.js";

/** Batches in flight at most without ScalingConfig (Lambent's default; see docs/triggers.md). */
export const DEFAULT_QUEUE_CONCURRENCY = 10;
/**
 * A long poll for the first message of a batch waits this long before asking again. Short, because
 * disabling or deleting a mapping waits for its idle polls to end (a message they receive after the stop
 * would count as a receive).
 */
const IDLE_POLL_MS = 2_000;
/** nats.js waits at least a second for a pull request. */
const MIN_FETCH_EXPIRES_MS = 1_000;
const FUNCTION_RECHECK_MS = 2_000;
const RECEIVE_ERROR_DELAY_MS = 5_000;
/** Room in the 6 MB event for the fields around each message body. */
const EVENT_OVERHEAD_BYTES = 1_024;

const encoder = new TextEncoder();

export class QueuePoller implements Poller {
  readonly kind = "queue";
  private running = false;
  private consumer: Consumer | undefined;
  /** Slots running, counted apart from their promises so two idle slots never both decide to leave. */
  private active = 0;
  private readonly slots = new Set<Promise<void>>();
  /** When this poller first received each message still unsettled, for ApproximateFirstReceiveTimestamp. */
  private readonly firstReceived = new Map<number, number>();
  /** The mapping's FilterCriteria, compiled (the frontend checked them when it wrote the mapping). */
  private filters: CompiledPattern[];

  constructor(
    private mapping: QueueMapping,
    private readonly writer: MappingStateWriter,
    private readonly deps: PollerDeps,
  ) {
    this.filters = (mapping.filters ?? []).map(compilePattern);
  }

  async start(): Promise<void> {
    await this.writer.claim(this.mapping);
    try {
      this.consumer = await this.deps.js.consumers.get(this.mapping.stream, this.mapping.consumer);
    } catch (error) {
      this.deps.logger.error("event source mapping's consumer is missing: not polling", { uuid: this.mapping.uuid, stream: this.mapping.stream, err: error });
      this.result(`PROBLEM: The consumer ${this.mapping.consumer} of stream ${this.mapping.stream} does not exist`);
      return;
    }
    this.running = true;
    this.spawn();
  }

  async update(mapping: QueueMapping | StreamMapping): Promise<void> {
    if (mapping.kind !== "queue") throw new Error("a queue poller cannot poll a stream");
    this.mapping = mapping;
    this.filters = (mapping.filters ?? []).map(compilePattern);
    await this.writer.update((state) => ({ ...state, applied: { revisionId: mapping.revisionId, enabled: mapping.enabled } })).catch((error: unknown) => this.onWriteFailed(error));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.allSettled([...this.slots]);
    await this.writer.settled();
  }

  private spawn(): void {
    this.active += 1;
    const slot = this.runSlot()
      .catch((error: unknown) => this.deps.logger.error("event source poller failed", { uuid: this.mapping.uuid, err: error }))
      .finally(() => this.slots.delete(slot));
    this.slots.add(slot);
  }

  /** An idle slot leaves unless it is the last one, which keeps polling (checked and counted in one step). */
  private leaveIfIdle(): boolean {
    if (this.active <= 1) return false;
    this.active -= 1;
    return true;
  }

  private async runSlot(): Promise<void> {
    let left = false;
    try {
      while (this.running) {
        if (!(await this.deps.invoker.target(this.mapping))) {
          this.result(FUNCTION_NOT_FOUND);
          if ((left = this.leaveIfIdle())) return;
          await sleep(FUNCTION_RECHECK_MS);
          continue;
        }
        let batch: JsMsg[];
        try {
          batch = await this.receive();
        } catch (error) {
          if (!this.running) return;
          this.deps.logger.warn("event source receive failed", { uuid: this.mapping.uuid, err: error });
          this.result(`PROBLEM: Cannot receive from the consumer ${this.mapping.consumer} of stream ${this.mapping.stream}`);
          await sleep(RECEIVE_ERROR_DELAY_MS);
          continue;
        }
        if (!this.running) {
          // Received after the stop: visible again at once, for whoever polls next.
          for (const message of batch) message.nak();
          return;
        }
        if (batch.length === 0) {
          if ((left = this.leaveIfIdle())) return;
          continue;
        }
        if (batch[batch.length - 1]!.info.pending > 0 && this.active < this.maximumConcurrency()) this.spawn();
        await this.process(batch);
      }
    } finally {
      if (!left) this.active -= 1;
    }
  }

  /** Received messages are kept invisible well within the visibility timeout (the consumer's ack wait). */
  private keepAliveMs(): number {
    return Math.max(100, Math.min(RUNNING_INTERVAL_MS, Math.floor((this.mapping.visibilityTimeoutSeconds * 1000) / 3)));
  }

  private maximumConcurrency(): number {
    return this.mapping.maximumConcurrency ?? DEFAULT_QUEUE_CONCURRENCY;
  }

  /**
   * A long poll for the first message, then the rest of the batch: with no batching window, only what is
   * already waiting; with one, whatever arrives until the batch is full or the window has passed. A batch
   * stops short of the 6 MB an event may carry; a message past that goes back at once.
   */
  private async receive(): Promise<JsMsg[]> {
    const consumer = this.consumer!;
    const first = await consumer.next({ expires: IDLE_POLL_MS });
    if (!first) return [];
    const batch = [first];
    const { batchSize } = this.mapping;
    const windowMs = this.mapping.maximumBatchingWindowInSeconds * 1000;
    const started = this.deps.now();
    let bytes = first.data.byteLength + EVENT_OVERHEAD_BYTES;
    let full = false;
    const seen = new Set([first.seq]);
    // What is gathered stays invisible while the window waits for more.
    const keepAlive = setInterval(() => {
      for (const message of batch) message.working();
    }, this.keepAliveMs());
    try {
      while (batch.length < batchSize && this.running && !full) {
        const remainingMs = windowMs - (this.deps.now() - started);
        const waiting = batch[batch.length - 1]!.info.pending;
        const want = windowMs > 0 ? batchSize - batch.length : Math.min(batchSize - batch.length, waiting);
        if (want <= 0 || (windowMs > 0 && remainingMs <= 0)) break;
        let received = 0;
        for await (const message of await consumer.fetch({ max_messages: want, expires: Math.max(MIN_FETCH_EXPIRES_MS, remainingMs) })) {
          received += 1;
          // A redelivery of a message already in the batch (its first delivery is the one settled).
          if (seen.has(message.seq)) continue;
          seen.add(message.seq);
          const size = message.data.byteLength + EVENT_OVERHEAD_BYTES;
          if (full || bytes + size > MAX_EVENT_BYTES) {
            full = true;
            message.nak();
            continue;
          }
          batch.push(message);
          bytes += size;
        }
        if (received === 0 || windowMs === 0) break;
      }
    } catch (error) {
      // The batch goes with what was received; the rest waits for the next one.
      this.deps.logger.warn("event source receive ended early", { uuid: this.mapping.uuid, err: error });
    } finally {
      clearInterval(keepAlive);
    }
    return batch;
  }

  private async process(received: JsMsg[]): Promise<void> {
    const { mapping } = this;
    // Each message is a hop from the invocation that published it; the batch runs one call deeper than
    // its deepest message. A message past the limit does not run, and fails (one receive) on its own.
    const deepEnough: JsMsg[] = [];
    let deepest = 0;
    for (const message of received) {
      const depth = callDepthOf(message);
      if (nextHop(depth).kind === "run") {
        deepEnough.push(message);
        deepest = Math.max(deepest, depth);
        continue;
      }
      this.deps.loops.stopped(mapping.functionName, "event_source_mapping", { uuid: mapping.uuid, seq: message.seq, callDepth: depth });
      await this.fail(message, MAX_CALL_DEPTH + 1);
    }
    if (deepEnough.length === 0) {
      this.result(FUNCTION_CALL_FAILED);
      return;
    }
    const callDepth = deepest + 1;
    const now = this.deps.now();
    const source: SourceContext = { eventSourceArn: mapping.eventSourceArn, ...this.deps.scope };
    const allIds = deepEnough.map((message) => queueMessageId(mapping.stream, message.seq));
    const allRecords = deepEnough.map((message, index) => {
      if (!this.firstReceived.has(message.seq)) this.firstReceived.set(message.seq, now);
      return sqsRecord(
        {
          messageId: allIds[index]!,
          receiptHandle: receiptHandle(mapping.uuid, message.seq, message.info.deliveryCount),
          seq: message.seq,
          data: message.data,
          headers: message.headers ?? [],
          receiveCount: message.info.deliveryCount,
          sentMs: Math.floor(message.info.timestampNanos / 1_000_000),
          firstReceiveMs: this.firstReceived.get(message.seq)!,
        },
        source,
      );
    });
    // Messages no filter lets through are deleted without running the function, as Lambda deletes them.
    const kept = deepEnough.map((_message, index) => index).filter((index) => matchesAny(this.filters, queueRecordView(allRecords[index]!)));
    for (const [index, message] of deepEnough.entries()) if (!kept.includes(index)) this.succeed(message);
    if (kept.length === 0) return;
    const batch = kept.map((index) => deepEnough[index]!);
    const ids = kept.map((index) => allIds[index]!);
    const records = kept.map((index) => allRecords[index]!);
    const payload = encoder.encode(JSON.stringify({ Records: records }));
    const outcome = await this.deps.invoker.invoke(
      mapping,
      () => payload,
      {
        whileWaiting: () => {
          for (const message of batch) message.working();
        },
        intervalMs: this.keepAliveMs(),
        stopped: () => !this.running,
      },
      callDepth,
    );
    if (outcome.kind !== "answered") {
      // It did not run: the messages are visible again at once, and their receive is not held against them.
      for (const message of batch) message.nak();
      if (outcome.kind === "functionMissing") this.result(FUNCTION_NOT_FOUND);
      return;
    }
    let failed: ReadonlySet<number>;
    if (outcome.functionError) failed = new Set(batch.map((_message, index) => index));
    else if (!mapping.reportBatchItemFailures) failed = new Set();
    else {
      const failures = parseBatchItemFailures(outcome.payload, new Set(ids));
      if (failures.kind === "all") this.deps.logger.warn("partial batch response not usable: the whole batch failed", { uuid: mapping.uuid, reason: failures.reason });
      failed =
        failures.kind === "none"
          ? new Set()
          : failures.kind === "all"
            ? new Set(batch.map((_message, index) => index))
            : new Set(failures.identifiers.map((identifier) => ids.indexOf(identifier)));
    }
    await Promise.all(batch.map((message, index) => (failed.has(index) ? this.fail(message, callDepth) : this.succeed(message))));
    this.result(outcome.functionError ? FUNCTION_CALL_FAILED : OK);
  }

  private succeed(message: JsMsg): void {
    this.firstReceived.delete(message.seq);
    message.ack();
  }

  /**
   * Back to the queue after the visibility timeout, or, past the receive limit, to the dead-letter target,
   * as coming from the invocation at `callDepth` that failed it.
   */
  private async fail(message: JsMsg, callDepth: number): Promise<void> {
    const { mapping } = this;
    const limit = mapping.maximumRetryAttempts;
    if (limit < 0 || message.info.deliveryCount <= limit) {
      message.nak(mapping.visibilityTimeoutSeconds * 1000);
      return;
    }
    if (mapping.onFailure) {
      try {
        await this.deps.destinations.send(mapping.onFailure, message.data, { callDepth, attributes: deadLetterHeaders(message, mapping.uuid) });
      } catch (error) {
        this.deps.logger.error("event source message not dead-lettered: it stays in the queue", { uuid: mapping.uuid, seq: message.seq, err: error });
        message.nak(mapping.visibilityTimeoutSeconds * 1000);
        return;
      }
    } else {
      this.deps.logger.warn("event source message discarded after its last retry", { uuid: mapping.uuid, seq: message.seq, receives: message.info.deliveryCount });
    }
    this.firstReceived.delete(message.seq);
    message.ack();
  }

  /** LastProcessingResult, written when it changes. */
  private result(text: string): void {
    if (this.writer.current?.lastProcessingResult === text) return;
    this.writer.update((state) => ({ ...state, lastProcessingResult: text })).catch((error: unknown) => this.onWriteFailed(error));
  }

  private onWriteFailed(error: unknown): void {
    if (error instanceof StateLostError) {
      this.running = false;
      return;
    }
    this.deps.logger.warn("event source mapping state not written", { uuid: this.mapping.uuid, err: error });
  }
}

/**
 * A dead letter keeps the message's own headers, with a message id naming the mapping and the message:
 * a dead letter stored twice (a crash between storing it and acking) is stored once by a stream that
 * keeps a duplicate window.
 */
function deadLetterHeaders(message: JsMsg, mappingUuid: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, values] of message.headers ?? []) {
    if (!name.toLowerCase().startsWith("nats-") && values[0] !== undefined) headers[name] = values[0];
  }
  headers["Nats-Msg-Id"] = `${mappingUuid}:${message.seq}`;
  return headers;
}

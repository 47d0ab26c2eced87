// Polls one stream-semantics mapping (a Kinesis-like stream on JetStream) while this scheduler leads.
// One ordered consumer reads the stream from the stored position; records are buffered per partition
// (subject) in a PartitionBook, and batches run at most ParallelizationFactor at a time, one per
// partition, in order. A failing batch blocks only its partition: it is retried with a growing delay
// (bisected first when BisectBatchOnFunctionError is set) until it succeeds, its records expire from the
// stream, or MaximumRetryAttempts / MaximumRecordAgeInSeconds end it; then the on-failure destination gets
// Lambda's failure record and the partition moves on. A batch runs one call deeper than its deepest record
// (each a hop from the invocation that published it); records past MAX_CALL_DEPTH, a recursive loop, are
// given up at once, unrun (retrying could only stop them again), with the condition
// RecursiveInvocationDropped. Progress is stored by compare-and-set after every
// batch (mapping-state.ts), so a takeover resumes exactly where the last checkpoint stands. Records no
// FilterCriteria pattern matches are skipped as Lambda skips them: passed over without running, and finished.
// With TumblingWindowInSeconds each partition's batches fall in windows (tumbling-windows.ts): every call
// carries the window's state and answers the next one, which is stored with the checkpoint it goes with;
// once the window is over a final call (no records) gets the final state, and until it succeeds the
// partition's later windows wait.
import { randomUUID } from "node:crypto";
import { DeliverPolicy, type ConsumerMessages, type JsMsg } from "@nats-io/jetstream";
import { MAX_CALL_DEPTH, callDepthOf, nextHop } from "@lambent/protocol";
import { NO_RECORDS_PROCESSED, type OpenWindow, type QueueMapping, type StreamMapping } from "@lambent/registry/event-sources";
import type { FunctionVersionRecord } from "@lambent/registry/functions";
import { compilePattern, matchesAny, streamRecordView, type CompiledPattern } from "@lambent/event-filter";
import { parseBatchItemFailures } from "./batch-response.js";
import { sleep, type BatchOutcome } from "./batch-invoker.js";
import { StateLostError, type MappingStateWriter } from "./mapping-state.js";
import { PartitionBook, type Batch, type BufferedRecord, type PartitionBookOptions } from "./partition-book.js";
import { FUNCTION_CALL_FAILED, FUNCTION_NOT_FOUND, OK, type Poller, type PollerDeps } from "./poller.js";
import { MAX_EVENT_BYTES, kinesisRecord, kinesisRecordSize, streamFailureRecord, type FailureCondition, type SourceContext } from "./source-events.js";
import { MAX_WINDOW_STATE_BYTES, WINDOW_CLOSE_GRACE_MS, readWindowState, stateBytes, windowEventFields, windowStart } from "./tumbling-windows.js";

/** Records the reader asks JetStream for at a time. */
const READ_AHEAD = 256;
/** The book holds at most this many records (or four batches, when batches are larger). */
const TOTAL_CAP = 10_000;
const FUNCTION_RECHECK_MS = 2_000;
const READER_RETRY_MS = 2_000;
/** A failed batch waits at most this long between retries. */
const MAX_RETRY_DELAY_MS = 60_000;
/** When the on-failure destination cannot be reached, the batch waits this long before it is tried again. */
const DESTINATION_RETRY_MS = 5_000;
/** The stream's end is looked up at most this often while a window waits to close. */
const CAUGHT_UP_CHECK_MS = 500;

const encoder = new TextEncoder();

export class StreamPoller implements Poller {
  readonly kind = "stream";
  private running = false;
  private book: PartitionBook | undefined;
  private reader: ConsumerMessages | undefined;
  private readerDone: Promise<void> = Promise.resolve();
  /** Bumped whenever the reader is replaced: a reader of an older generation offers nothing more. */
  private generation = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private roomWaiters: (() => void)[] = [];
  private functionMissingSince: number | undefined;
  /** Records still to read after the last one read, as JetStream counted them. */
  private readerPending = 0;
  /** Arrival time of the last record finished (epoch ms). */
  private lastArrival: number | undefined;
  private lastResult: string | undefined;
  private pumpScheduled = false;
  /** The mapping's FilterCriteria, compiled (the frontend checked them when it wrote the mapping). */
  private filters: CompiledPattern[];
  /** Tumbling windows: each partition's open window. */
  private readonly windows = new Map<string, OpenWindow>();
  /** Partitions whose window's final call is in flight. */
  private readonly closing = new Set<string>();
  /** Partitions whose final call failed: how often, and when it may go again. */
  private readonly closeRetries = new Map<string, { attempts: number; notBefore: number }>();
  /** When (scheduler time) the reader was last seen to have read every record the stream held. */
  private caughtUpAt = 0;
  private caughtUpCheck: Promise<void> | undefined;
  private lastCaughtUpCheck = 0;

  constructor(
    private mapping: StreamMapping,
    private readonly writer: MappingStateWriter,
    private readonly deps: PollerDeps,
  ) {
    this.filters = (mapping.filters ?? []).map(compilePattern);
  }

  async start(): Promise<void> {
    const state = await this.writer.claim(this.mapping);
    this.lastResult = state.lastProcessingResult;
    this.windows.clear();
    if (this.tumblingMs() > 0) for (const [subject, window] of Object.entries(state.windows ?? {})) this.windows.set(subject, window);
    this.book = new PartitionBook({ position: state.position ?? 1, partitions: state.partitions ?? {} }, this.bookOptions());
    this.running = true;
    this.openReader(this.book.readerPosition);
  }

  async update(mapping: StreamMapping | QueueMapping): Promise<void> {
    if (mapping.kind !== "stream") throw new Error("a stream poller cannot poll a queue");
    this.mapping = mapping;
    this.filters = (mapping.filters ?? []).map(compilePattern);
    // Windows turned off: the open ones end without a final call.
    if (this.tumblingMs() === 0) this.windows.clear();
    this.book?.configure(this.bookOptions());
    await this.writer.update((state) => ({ ...state, applied: { revisionId: mapping.revisionId, enabled: mapping.enabled } })).catch((error: unknown) => this.onWriteFailed(error));
    this.pump();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.closeReader();
    await this.readerDone;
    await Promise.allSettled([...this.inFlight]);
    if (this.book && !this.writer.isLost) this.saveCheckpoint();
    await this.writer.settled();
  }

  iteratorAgeSeconds(): number {
    const book = this.book;
    if (!book || (book.idle && this.readerPending === 0)) return 0;
    const since = this.lastArrival ?? book.oldestArrival();
    return since === undefined ? 0 : Math.max(0, this.deps.now() - since) / 1000;
  }

  private bookOptions(): PartitionBookOptions {
    const { batchSize } = this.mapping;
    return {
      batchSize,
      windowMs: this.mapping.maximumBatchingWindowInSeconds * 1000,
      partitionCap: 2 * batchSize,
      totalCap: Math.max(TOTAL_CAP, 4 * batchSize),
      // A windowed event carries the window's state too.
      maxBatchBytes: MAX_EVENT_BYTES - 1024 - (this.tumblingMs() > 0 ? MAX_WINDOW_STATE_BYTES : 0),
      recordSize: kinesisRecordSize,
      tumblingMs: this.tumblingMs(),
    };
  }

  private tumblingMs(): number {
    return (this.mapping.tumblingWindowInSeconds ?? 0) * 1000;
  }

  /** Reads the stream from `from` on; opened again (from where reading stopped) when it fails or ends. */
  private openReader(from: number): void {
    const generation = ++this.generation;
    this.readerDone = (async () => {
      let start = from;
      while (this.running && generation === this.generation) {
        try {
          const consumer = await this.deps.js.consumers.get(this.mapping.stream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, start) });
          if (!this.running || generation !== this.generation) return;
          const messages = await consumer.consume({ max_messages: READ_AHEAD });
          this.reader = messages;
          await this.read(messages, generation);
          if (!this.running || generation !== this.generation) return;
          this.deps.logger.warn("event source stream reader ended: reading again", { uuid: this.mapping.uuid, stream: this.mapping.stream });
        } catch (error) {
          if (!this.running || generation !== this.generation) return;
          this.deps.logger.warn("event source stream not readable: trying again", { uuid: this.mapping.uuid, stream: this.mapping.stream, err: error });
          this.result(`PROBLEM: Stream ${this.mapping.stream} is not readable`);
        }
        await sleep(READER_RETRY_MS);
        start = this.book?.readerPosition ?? start;
      }
    })();
  }

  private closeReader(): void {
    this.generation += 1;
    const reader = this.reader;
    this.reader = undefined;
    if (reader) void reader.close().catch(() => undefined);
    this.wakeReader();
  }

  private async read(messages: ConsumerMessages, generation: number): Promise<void> {
    for await (const message of messages) {
      if (!this.running || generation !== this.generation) return;
      const record = this.toRecord(message);
      this.readerPending = message.info.pending;
      for (;;) {
        if (!this.running || generation !== this.generation) return;
        if (this.book!.offer(record) !== "full") break;
        await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
      }
      this.schedulePump();
    }
  }

  /** One pump after a burst of reads rather than one per record. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private toRecord(message: JsMsg): BufferedRecord {
    return {
      seq: message.seq,
      subject: message.subject,
      data: message.data,
      arrivalMs: Math.floor(message.info.timestampNanos / 1_000_000),
      readAtMs: this.deps.now(),
      callDepth: callDepthOf(message),
    };
  }

  private wakeReader(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Starts every batch that may run now, up to ParallelizationFactor, and sets a timer for the next one due. */
  private pump(): void {
    const book = this.book;
    if (!this.running || !book) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.functionMissingSince !== undefined) {
      this.timer = setTimeout(() => void this.recheckFunction(), FUNCTION_RECHECK_MS);
      return;
    }
    const now = this.deps.now();
    while (this.inFlight.size < this.mapping.parallelizationFactor) {
      const closing = this.windowToClose(now);
      if (closing !== undefined) {
        this.closing.add(closing);
        this.track(
          this.closeWindow(closing).catch((error: unknown) => {
            this.deps.logger.error("event source window's final call failed in the scheduler", { uuid: this.mapping.uuid, subject: closing, err: error });
          }),
        );
        continue;
      }
      const batch = book.take(now, (subject, head) => this.heldForWindow(subject, head));
      if (!batch) break;
      this.track(
        this.run(batch).catch((error: unknown) => {
          this.deps.logger.error("event source batch failed in the scheduler", { uuid: this.mapping.uuid, subject: batch.subject, err: error });
          book.release(batch.subject);
        }),
      );
    }
    if (this.inFlight.size >= this.mapping.parallelizationFactor) return;
    const dues = [book.dueAt(now), this.windowDueAt(now)].filter((due): due is number => due !== undefined);
    if (dues.length > 0) this.timer = setTimeout(() => this.pump(), Math.max(0, Math.min(...dues) - now));
  }

  private track(work: Promise<void>): void {
    const tracked: Promise<void> = work.finally(() => {
      this.inFlight.delete(tracked);
      this.changed();
    });
    this.inFlight.add(tracked);
  }

  /**
   * A partition whose open window must get its final call now: a record of a later window waits behind
   * it, or the window's end has passed with nothing of it left to read or run.
   */
  private windowToClose(now: number): string | undefined {
    const sizeMs = this.tumblingMs();
    if (sizeMs === 0) return undefined;
    for (const [subject, window] of this.windows) {
      if (this.closing.has(subject) || (this.closeRetries.get(subject)?.notBefore ?? 0) > now) continue;
      const { head, inFlight, behind } = this.book!.status(subject);
      if (inFlight) continue;
      if (head !== undefined) {
        if (windowStart(head.arrivalMs, sizeMs) > window.start) return subject;
        continue;
      }
      if (behind) continue;
      const closesAt = window.start + sizeMs + WINDOW_CLOSE_GRACE_MS;
      if (now < closesAt) continue;
      if (this.caughtUpAt >= closesAt) return subject;
      this.checkCaughtUp(now);
    }
    return undefined;
  }

  /** When a window with nothing left to run may close, or its failed final call go again. */
  private windowDueAt(now: number): number | undefined {
    const sizeMs = this.tumblingMs();
    if (sizeMs === 0) return undefined;
    let due: number | undefined;
    for (const [subject, window] of this.windows) {
      if (this.closing.has(subject)) continue;
      const at = Math.max(window.start + sizeMs + WINDOW_CLOSE_GRACE_MS, this.closeRetries.get(subject)?.notBefore ?? 0, this.lastCaughtUpCheck + CAUGHT_UP_CHECK_MS);
      due = Math.min(due ?? Infinity, Math.max(at, now + 1));
    }
    return due;
  }

  /** Whether the reader has read every record the stream holds: then no record of an ended window is still to come. */
  private checkCaughtUp(now: number): void {
    if (this.caughtUpCheck || now - this.lastCaughtUpCheck < CAUGHT_UP_CHECK_MS) return;
    this.lastCaughtUpCheck = now;
    this.caughtUpCheck = (async () => {
      try {
        const lastSeq = (await this.deps.jsm.streams.info(this.mapping.stream)).state.last_seq;
        if (this.book && this.book.readerPosition > lastSeq) this.caughtUpAt = Math.max(this.caughtUpAt, now);
      } catch (error) {
        this.deps.logger.warn("event source stream not readable: windows wait to close", { uuid: this.mapping.uuid, stream: this.mapping.stream, err: error });
      } finally {
        this.caughtUpCheck = undefined;
      }
      this.pump();
    })();
  }

  /** A partition's batches wait while its window's final call runs, or while a record of a later window waits for that call. */
  private heldForWindow(subject: string, head: BufferedRecord): boolean {
    if (this.closing.has(subject)) return true;
    const window = this.windows.get(subject);
    return window !== undefined && windowStart(head.arrivalMs, this.tumblingMs()) > window.start;
  }

  /** The final call of a partition's window: once it succeeds the window is over; until then the partition waits. */
  private async closeWindow(subject: string): Promise<void> {
    try {
      const window = this.windows.get(subject);
      if (!window) return;
      const outcome = await this.callWindow(window, false);
      if (outcome.kind === "stopped") return;
      if (outcome.kind === "functionMissing") {
        this.functionMissingSince ??= this.deps.now();
        this.result(FUNCTION_NOT_FOUND);
        return;
      }
      if (outcome.functionError) {
        const attempts = (this.closeRetries.get(subject)?.attempts ?? 0) + 1;
        this.closeRetries.set(subject, { attempts, notBefore: this.deps.now() + this.backoffMs(attempts) });
        this.deps.logger.warn("event source window's final call failed: it runs again", { uuid: this.mapping.uuid, subject, attempts });
        this.result(FUNCTION_CALL_FAILED);
        return;
      }
      this.closeRetries.delete(subject);
      if (this.windows.get(subject) === window) this.windows.delete(subject);
      this.result(OK);
    } finally {
      this.closing.delete(subject);
    }
  }

  /** A final call without records: the window's end, or (`terminatedEarly`) its state grown too large. */
  private callWindow(window: OpenWindow, terminatedEarly: boolean): Promise<BatchOutcome> {
    const fields = windowEventFields({ window, sizeMs: this.tumblingMs(), final: true, terminatedEarly }, this.source());
    // A window's final call carries no records: it is a first hop.
    return this.deps.invoker.invoke(this.mapping, () => encoder.encode(JSON.stringify({ Records: [], ...fields })), { stopped: () => !this.running }, 1);
  }

  private backoffMs(attempts: number): number {
    return Math.min(this.deps.retryBaseMs * 2 ** (attempts - 1), MAX_RETRY_DELAY_MS);
  }

  private async recheckFunction(): Promise<void> {
    if (!this.running) return;
    if (await this.deps.invoker.target(this.mapping)) this.functionMissingSince = undefined;
    this.pump();
  }

  /** After the book changed: the reader may go on (or must rewind), progress is stored, more batches may start. */
  private changed(): void {
    const book = this.book;
    if (!book || !this.running) return;
    const rewind = book.rewind();
    if (rewind !== undefined) {
      this.deps.logger.info("event source reader rewinds for a partition that caught up", { uuid: this.mapping.uuid, from: rewind });
      this.closeReader();
      this.openReader(rewind);
    }
    this.wakeReader();
    this.saveCheckpoint();
    this.pump();
  }

  private async run(batch: Batch): Promise<void> {
    const { mapping } = this;
    const now = this.deps.now();
    if (mapping.maximumRecordAgeInSeconds >= 0) {
      const cutoff = now - mapping.maximumRecordAgeInSeconds * 1000;
      const old = batch.records.filter((record) => record.arrivalMs < cutoff);
      if (old.length > 0) {
        await this.giveUp(batch.subject, old, "RecordAgeExceeded", batch.attempts, undefined, Math.max(...old.map((record) => record.callDepth ?? 0)) + 1);
        return;
      }
    }
    if (batch.attempts > 0) {
      const firstSeq = (await this.deps.jsm.streams.info(mapping.stream)).state.first_seq;
      const expired = batch.records.filter((record) => record.seq < firstSeq);
      if (expired.length > 0) {
        this.deps.logger.warn("event source records expired from the stream before they succeeded: skipped", {
          uuid: mapping.uuid,
          subject: batch.subject,
          from: expired[0]!.seq,
          to: expired[expired.length - 1]!.seq,
        });
        this.finish(batch.subject, expired);
        return;
      }
    }
    // Records past the limit at the head are given up; a batch runs the records before the first of them.
    const runs = batch.records.findIndex((record) => nextHop(record.callDepth).kind !== "run");
    if (runs === 0) {
      const next = batch.records.findIndex((record) => nextHop(record.callDepth).kind === "run");
      const stopped = next === -1 ? batch.records : batch.records.slice(0, next);
      this.deps.loops.stopped(mapping.functionName, "event_source_mapping", { uuid: mapping.uuid, subject: batch.subject, from: stopped[0]!.seq, to: stopped[stopped.length - 1]!.seq });
      await this.giveUp(batch.subject, stopped, "RecursiveInvocationDropped", 0, undefined, MAX_CALL_DEPTH + 1);
      return;
    }
    const running = runs === -1 ? batch : { ...batch, records: batch.records.slice(0, runs) };
    const callDepth = Math.max(...running.records.map((record) => record.callDepth ?? 0)) + 1;
    // Records no filter lets through are finished without running; the function sees only the rest.
    const kept = this.filters.length === 0 ? running.records : running.records.filter((record) => matchesAny(this.filters, streamRecordView(record.data)));
    if (kept.length === 0) {
      this.finish(running.subject, running.records);
      return;
    }
    const source = this.source();
    const window = this.windowOf(running);
    const sizeMs = this.tumblingMs();
    const outcome = await this.deps.invoker.invoke(
      mapping,
      (record: FunctionVersionRecord) =>
        encoder.encode(
          JSON.stringify({
            Records: kept.map((item) => kinesisRecord(item, source, record.role)),
            ...(window ? windowEventFields({ window, sizeMs, final: false, terminatedEarly: false }, source) : {}),
          }),
        ),
      { stopped: () => !this.running },
      callDepth,
    );
    await this.settle(running, outcome, callDepth, window);
  }

  /** The window a batch runs in, with the state so far (a fresh one when its window is not open yet); undefined without windows. */
  private windowOf(batch: Batch): OpenWindow | undefined {
    const sizeMs = this.tumblingMs();
    if (sizeMs === 0) return undefined;
    const start = windowStart(batch.records[0]!.arrivalMs, sizeMs);
    const open = this.windows.get(batch.subject);
    // A record stamped before its open window (the clock stepped back) joins that window.
    return open !== undefined && open.start >= start ? open : { start, state: {} };
  }

  /**
   * The window after a call answered `state`: the same window with it, or, when the partitions' states
   * together grow past Lambda's limit, ended early by a final call with it and going on with a fresh
   * state. Undefined when that final call failed: the batch counts as failed.
   */
  private async nextWindow(subject: string, window: OpenWindow, state: Record<string, unknown>): Promise<OpenWindow | undefined> {
    const next = { start: window.start, state };
    const others = [...this.windows].filter(([other]) => other !== subject).map(([, open]) => open);
    if (stateBytes([...others, next]) <= MAX_WINDOW_STATE_BYTES) return next;
    this.deps.logger.warn("event source window state over 1 MB: the window ends early", { uuid: this.mapping.uuid, subject });
    const outcome = await this.callWindow(next, true);
    if (outcome.kind !== "answered" || outcome.functionError) return undefined;
    return { start: window.start, state: {} };
  }

  private async settle(batch: Batch, outcome: BatchOutcome, callDepth: number, window?: OpenWindow): Promise<void> {
    const book = this.book!;
    const { mapping } = this;
    if (outcome.kind === "stopped") {
      book.release(batch.subject);
      return;
    }
    if (outcome.kind === "functionMissing") {
      book.release(batch.subject);
      this.functionMissingSince ??= this.deps.now();
      this.result(FUNCTION_NOT_FOUND);
      return;
    }
    let failedFrom = outcome.functionError ? 0 : batch.records.length;
    let bisect = mapping.bisectBatchOnFunctionError;
    let answeredState: Record<string, unknown> | undefined;
    if (!outcome.functionError && window) {
      // Lambda counts a windowed call that answers no state as failed.
      const answer = readWindowState(outcome.payload);
      if (answer.kind === "unusable") {
        this.deps.logger.warn("windowed call answered no state: the whole batch failed", { uuid: mapping.uuid, reason: answer.reason });
        failedFrom = 0;
      } else {
        answeredState = answer.state;
      }
    }
    if (failedFrom > 0 && mapping.reportBatchItemFailures) {
      const sequences = batch.records.map((record) => String(record.seq));
      const failures = parseBatchItemFailures(outcome.payload, new Set(sequences));
      if (failures.kind === "all") {
        this.deps.logger.warn("partial batch response not usable: the whole batch failed", { uuid: mapping.uuid, reason: failures.reason });
        failedFrom = 0;
      } else if (failures.kind === "some") {
        // Checkpoint before the first failed record: everything from it on runs again.
        failedFrom = Math.min(...failures.identifiers.map((identifier) => sequences.indexOf(identifier)));
        bisect = false;
      }
    }
    if (window && answeredState !== undefined) {
      const next = await this.nextWindow(batch.subject, window, answeredState);
      // Stored with the records it counts, in the same checkpoint.
      if (next) this.windows.set(batch.subject, next);
      else failedFrom = 0;
    }
    if (failedFrom === batch.records.length) {
      this.finish(batch.subject, batch.records);
      this.result(OK);
      return;
    }
    this.result(FUNCTION_CALL_FAILED);
    if (failedFrom > 0) this.finish(batch.subject, batch.records.slice(0, failedFrom));
    const failed = batch.records.slice(failedFrom);
    const decision = book.failed(batch.subject, failed.length, {
      bisect,
      maximumRetryAttempts: mapping.maximumRetryAttempts,
      now: this.deps.now(),
      backoffMs: (attempts) => this.backoffMs(attempts),
    });
    if (decision.kind === "giveUp") {
      const response = { executedVersion: outcome.executedVersion, ...(outcome.functionError ? { functionError: outcome.functionError } : {}) };
      await this.giveUp(batch.subject, decision.records, "RetryAttemptsExhausted", decision.attempts, { requestId: outcome.requestId, response }, callDepth);
    }
  }

  /**
   * Records that will not run again: Lambda's failure record to the on-failure destination, as coming from
   * an invocation at `callDepth`, then the partition moves on.
   */
  private async giveUp(
    subject: string,
    records: BufferedRecord[],
    condition: FailureCondition,
    invokeCount: number,
    lastRun: { requestId: string; response: { executedVersion: string; functionError?: string } } | undefined,
    callDepth: number,
  ): Promise<void> {
    const { mapping } = this;
    const book = this.book!;
    if (mapping.onFailure) {
      const record = streamFailureRecord(
        {
          requestId: lastRun?.requestId ?? randomUUID(),
          functionArn: this.deps.invoker.functionArn(mapping),
          condition,
          invokeCount,
          ...(lastRun ? { response: lastRun.response } : {}),
          records,
        },
        this.source(),
        new Date(this.deps.now()),
      );
      try {
        await this.deps.destinations.send(mapping.onFailure, encoder.encode(JSON.stringify(record)), { callDepth });
      } catch (error) {
        this.deps.logger.error("event source failure record not delivered: the batch waits and runs again", { uuid: mapping.uuid, subject, err: error });
        book.release(subject, this.deps.now() + DESTINATION_RETRY_MS);
        return;
      }
    }
    this.deps.logger.warn("event source records given up", { uuid: mapping.uuid, subject, condition, from: records[0]!.seq, to: records[records.length - 1]!.seq });
    this.finish(subject, records);
  }

  private finish(subject: string, records: readonly BufferedRecord[]): void {
    this.book!.finish(subject, records.length);
    const last = records[records.length - 1];
    if (last) this.lastArrival = Math.max(this.lastArrival ?? 0, last.arrivalMs);
  }

  private source(): SourceContext {
    return { eventSourceArn: this.mapping.eventSourceArn, ...this.deps.scope };
  }

  private saveCheckpoint(): void {
    const book = this.book!;
    this.writer
      .update((state) => {
        const next = { ...state, ...book.checkpoint(), lastProcessingResult: this.lastResult ?? state.lastProcessingResult ?? NO_RECORDS_PROCESSED };
        if (this.windows.size > 0) next.windows = Object.fromEntries(this.windows);
        else delete next.windows;
        return next;
      })
      .catch((error: unknown) => this.onWriteFailed(error));
  }

  private result(text: string): void {
    if (this.lastResult === text) return;
    this.lastResult = text;
    this.saveCheckpoint();
  }

  private onWriteFailed(error: unknown): void {
    if (error instanceof StateLostError) {
      // Another scheduler owns the mapping now: stop reading and running batches, write nothing more.
      this.running = false;
      clearTimeout(this.timer);
      this.closeReader();
      return;
    }
    this.deps.logger.warn("event source checkpoint not written", { uuid: this.mapping.uuid, err: error });
  }
}

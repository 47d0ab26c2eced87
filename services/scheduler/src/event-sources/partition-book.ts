// The decisions of a stream mapping, kept apart from NATS so each is unit-tested: which records are
// buffered per partition (subject), which batch runs next, what a failure leads to (retry with backoff,
// bisect, give up), and the checkpoint that lets a restart resume exactly where processing stopped.
//
// Records are read once, in stream order, by one reader. Each partition holds its unfinished records in
// order; its head batch is in flight or waiting to retry, so a failing batch blocks only its partition.
// Memory is bounded: a partition holds at most `partitionCap` records and the book `totalCap`; when a
// partition is full the reader waits, unless that partition is blocked by a failing batch, in which case
// its later records are dropped (the partition is "behind") and read again once it has caught up (the
// reader rewinds). The checkpoint is a position (every record below it is finished) and the last finished
// sequence of each partition that is ahead of it; on resume, records at or below their partition's
// finished sequence are skipped. With tumbling windows a batch never spans two windows.
import type { StreamRecordView } from "./source-events.js";
import { windowStart } from "./tumbling-windows.js";

export interface BufferedRecord extends StreamRecordView {
  /** When the reader buffered it (epoch ms): the batching window counts from here. */
  readAtMs: number;
}

export interface PartitionBookOptions {
  batchSize: number;
  /** MaximumBatchingWindowInSeconds in ms: how long a partial batch waits for more records. */
  windowMs: number;
  partitionCap: number;
  totalCap: number;
  /** Largest event a batch may make (bytes); a batch stops before the record that would pass it. */
  maxBatchBytes: number;
  recordSize(record: StreamRecordView): number;
  /** TumblingWindowInSeconds in ms: a batch holds records of one window (by arrival); 0 or absent: no windows. */
  tumblingMs?: number;
}

export interface Checkpoint {
  /** Every record below this sequence is finished. */
  position: number;
  /** Last finished sequence of each partition ahead of `position`. */
  partitions: Record<string, number>;
}

export type Offer =
  | "accepted"
  /** Already buffered or finished (a resume or a rewind reads it again). */
  | "skipped"
  /** Not buffered: its partition is blocked and full, or behind; it is read again after a rewind. */
  | "dropped"
  /** No room now: the reader waits and offers it again. */
  | "full";

export type FailureDecision =
  /** The batch is split: its first half runs next, at once, without counting a retry. */
  | { kind: "bisect" }
  /** The batch runs again after `delayMs`. */
  | { kind: "retry"; delayMs: number; attempts: number }
  /** Retries are exhausted: the caller reports the records, then calls `finish`. */
  | { kind: "giveUp"; records: BufferedRecord[]; attempts: number };

export interface Batch {
  subject: string;
  records: BufferedRecord[];
  /** Runs of these records before this one (retries so far). */
  attempts: number;
}

interface Partition {
  subject: string;
  queue: BufferedRecord[];
  /** Last finished sequence. */
  done: number;
  /** Highest sequence buffered or finished: a record at or below it is not taken again. */
  readUpTo: number;
  /** Later records were dropped; they must be read again. */
  behind: boolean;
  /** Records at the head of the queue in flight (0: none). */
  inFlight: number;
  /** Failed runs of the head batch so far. */
  attempts: number;
  /** The head batch may not run before this time (epoch ms). */
  notBefore: number;
  /** While bisecting: batches take at most this many records (0: no limit) … */
  limit: number;
  /** … as long as the head record's sequence is at or below this one. */
  limitUntil: number;
}

export class PartitionBook {
  private readonly partitions = new Map<string, Partition>();
  private total = 0;
  /** The next sequence the reader will read. */
  private next: number;

  constructor(
    checkpoint: Checkpoint,
    private options: PartitionBookOptions,
  ) {
    this.next = checkpoint.position;
    for (const [subject, done] of Object.entries(checkpoint.partitions)) {
      if (done >= checkpoint.position) this.partition(subject).done = done;
      const partition = this.partitions.get(subject);
      if (partition) partition.readUpTo = partition.done;
    }
  }

  /** New batch size or window (a mapping update); what is buffered stays. */
  configure(options: PartitionBookOptions): void {
    this.options = options;
  }

  /** Where the reader starts (or restarts). */
  get readerPosition(): number {
    return this.next;
  }

  get buffered(): number {
    return this.total;
  }

  /** Nothing buffered and nothing in flight. */
  get idle(): boolean {
    return this.total === 0;
  }

  offer(record: BufferedRecord): Offer {
    const partition = this.partition(record.subject);
    if (record.seq <= partition.readUpTo) {
      this.advance(record.seq);
      return "skipped";
    }
    if (partition.behind) {
      this.advance(record.seq);
      return "dropped";
    }
    if (partition.queue.length >= this.options.partitionCap || this.total >= this.options.totalCap) {
      if (!this.blocked(partition)) return "full";
      partition.behind = true;
      this.advance(record.seq);
      return "dropped";
    }
    partition.queue.push(record);
    partition.readUpTo = record.seq;
    this.total += 1;
    this.advance(record.seq);
    return "accepted";
  }

  /**
   * Where the reader must go back to, when a partition that dropped records has caught up (nothing
   * buffered, nothing in flight): the first record it dropped. Every partition is then read again from
   * there, skipping what each already has.
   */
  rewind(): number | undefined {
    let target: number | undefined;
    for (const partition of this.partitions.values()) {
      if (!partition.behind || partition.queue.length > 0) continue;
      target = Math.min(target ?? Infinity, partition.readUpTo + 1);
    }
    if (target === undefined || target >= this.next) return undefined;
    for (const partition of this.partitions.values()) partition.behind = false;
    this.next = target;
    return target;
  }

  /** The next batch that may run now, oldest head first, of a partition `held` does not hold back; undefined when none is ready. */
  take(now: number, held?: (subject: string, head: BufferedRecord) => boolean): Batch | undefined {
    let chosen: Partition | undefined;
    for (const partition of this.partitions.values()) {
      if (!this.ready(partition, now)) continue;
      if (held?.(partition.subject, partition.queue[0]!)) continue;
      if (!chosen || partition.queue[0]!.seq < chosen.queue[0]!.seq) chosen = partition;
    }
    if (!chosen) return undefined;
    const records = this.headBatch(chosen);
    chosen.inFlight = records.length;
    return { subject: chosen.subject, records, attempts: chosen.attempts };
  }

  /** When the next partition that is not ready now becomes ready (a retry's delay, a batching window); undefined when none waits. */
  dueAt(now: number): number | undefined {
    let due: number | undefined;
    for (const partition of this.partitions.values()) {
      if (partition.inFlight > 0 || partition.queue.length === 0) continue;
      const at = this.readyAt(partition);
      if (at > now) due = Math.min(due ?? Infinity, at);
    }
    return due;
  }

  /**
   * The head batch of `subject` failed (its first `count` records). Bisects when asked and possible,
   * otherwise counts a retry, and gives up when `maximumRetryAttempts` (≥ 0) is exceeded.
   */
  failed(subject: string, count: number, options: { bisect: boolean; maximumRetryAttempts: number; now: number; backoffMs: (attempts: number) => number }): FailureDecision {
    const partition = this.require(subject);
    if (options.bisect && count > 1) {
      partition.inFlight = 0;
      partition.limit = Math.floor(count / 2);
      partition.limitUntil = Math.max(partition.limitUntil, partition.queue[count - 1]!.seq);
      partition.notBefore = 0;
      return { kind: "bisect" };
    }
    partition.attempts += 1;
    if (options.maximumRetryAttempts >= 0 && partition.attempts > options.maximumRetryAttempts) {
      // Still in flight until the caller has reported the records and finished them (or released them).
      partition.inFlight = count;
      return { kind: "giveUp", records: partition.queue.slice(0, count), attempts: partition.attempts };
    }
    partition.inFlight = 0;
    // A retry takes exactly the failed records again, not more that arrived meanwhile.
    partition.limit = count;
    partition.limitUntil = Math.max(partition.limitUntil, partition.queue[count - 1]!.seq);
    const delayMs = options.backoffMs(partition.attempts);
    partition.notBefore = options.now + delayMs;
    return { kind: "retry", delayMs, attempts: partition.attempts };
  }

  /** The first `count` records of `subject` are finished (processed, or given up and reported). */
  finish(subject: string, count: number): void {
    const partition = this.require(subject);
    const removed = partition.queue.splice(0, count);
    if (removed.length > 0) partition.done = Math.max(partition.done, removed[removed.length - 1]!.seq);
    this.total -= removed.length;
    partition.inFlight = 0;
    if (removed.length === 0) return;
    // The next head batch is a new one: its retries count from zero.
    partition.attempts = 0;
    partition.notBefore = 0;
    if (partition.queue.length === 0 || partition.queue[0]!.seq > partition.limitUntil) {
      partition.limit = 0;
      partition.limitUntil = 0;
    }
  }

  /**
   * The head batch of `subject` did not finish (the poller stops, the function is missing, its failure
   * could not be reported): it runs again as it was, not before `notBefore` when given.
   */
  release(subject: string, notBefore?: number): void {
    const partition = this.partitions.get(subject);
    if (!partition) return;
    partition.inFlight = 0;
    if (notBefore !== undefined) partition.notBefore = notBefore;
  }

  /** The progress to store, and partitions no longer needed in memory are forgotten. */
  checkpoint(): Checkpoint {
    let position = this.next;
    for (const partition of this.partitions.values()) {
      if (partition.queue.length > 0) position = Math.min(position, partition.queue[0]!.seq);
      if (partition.behind) position = Math.min(position, partition.readUpTo + 1);
    }
    const partitions: Record<string, number> = {};
    for (const [subject, partition] of this.partitions) {
      if (partition.done >= position) partitions[subject] = partition.done;
      else if (partition.queue.length === 0 && !partition.behind && partition.inFlight === 0) this.partitions.delete(subject);
    }
    return { position, partitions };
  }

  /** A partition's head record, whether a batch of it is in flight, and whether it dropped records it must read again. */
  status(subject: string): { head: BufferedRecord | undefined; inFlight: boolean; behind: boolean } {
    const partition = this.partitions.get(subject);
    return { head: partition?.queue[0], inFlight: (partition?.inFlight ?? 0) > 0, behind: partition?.behind ?? false };
  }

  /** Arrival time of the oldest buffered record (epoch ms), for the iterator age while records wait. */
  oldestArrival(): number | undefined {
    let oldest: number | undefined;
    for (const partition of this.partitions.values()) {
      const head = partition.queue[0];
      if (head) oldest = Math.min(oldest ?? Infinity, head.arrivalMs);
    }
    return oldest;
  }

  private ready(partition: Partition, now: number): boolean {
    return partition.inFlight === 0 && partition.queue.length > 0 && this.readyAt(partition) <= now;
  }

  /**
   * When a partition's head batch may run: after a retry's delay; a partial batch also waits out the
   * batching window from its first record, unless more records are known to follow (a retry, a bisect,
   * dropped records).
   */
  private readyAt(partition: Partition): number {
    const waitsForMore =
      this.options.windowMs > 0 &&
      partition.queue.length < this.options.batchSize &&
      partition.attempts === 0 &&
      partition.limit === 0 &&
      !partition.behind &&
      // A record of a later tumbling window ends the head's batch: nothing more can join it.
      this.tumblingWindow(partition.queue[partition.queue.length - 1]!) === this.tumblingWindow(partition.queue[0]!);
    return waitsForMore ? Math.max(partition.notBefore, partition.queue[0]!.readAtMs + this.options.windowMs) : partition.notBefore;
  }

  private headBatch(partition: Partition): BufferedRecord[] {
    const limit = partition.limit > 0 ? Math.min(partition.limit, this.options.batchSize) : this.options.batchSize;
    const records: BufferedRecord[] = [];
    let bytes = 0;
    const window = this.tumblingWindow(partition.queue[0]!);
    for (const record of partition.queue) {
      if (records.length >= limit) break;
      if (this.tumblingWindow(record) !== window) break;
      const size = this.options.recordSize(record);
      if (records.length > 0 && bytes + size > this.options.maxBatchBytes) break;
      records.push(record);
      bytes += size;
    }
    return records;
  }

  /** The start of the tumbling window a record falls in (epoch ms); 0 without windows. */
  private tumblingWindow(record: BufferedRecord): number {
    const size = this.options.tumblingMs ?? 0;
    return size > 0 ? windowStart(record.arrivalMs, size) : 0;
  }

  /** A partition waiting out a failed batch: its later records may be dropped rather than hold up the reader. */
  private blocked(partition: Partition): boolean {
    return partition.attempts > 0 || partition.limit > 0;
  }

  private advance(seq: number): void {
    this.next = Math.max(this.next, seq + 1);
  }

  private partition(subject: string): Partition {
    let partition = this.partitions.get(subject);
    if (!partition) {
      partition = { subject, queue: [], done: this.next - 1, readUpTo: this.next - 1, behind: false, inFlight: 0, attempts: 0, notBefore: 0, limit: 0, limitUntil: 0 };
      this.partitions.set(subject, partition);
    }
    return partition;
  }

  private require(subject: string): Partition {
    const partition = this.partitions.get(subject);
    if (!partition) throw new Error(`no partition ${subject}`);
    return partition;
  }
}

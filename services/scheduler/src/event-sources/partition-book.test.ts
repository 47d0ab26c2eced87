// The stream mapping's decisions: batching per partition, retries, bisecting, giving up, bounded memory
// with rewinds, and checkpoints that resume without processing a record twice or skipping one.
import { describe, expect, it } from "vitest";
import { PartitionBook, type BufferedRecord, type PartitionBookOptions } from "./partition-book.js";

const encoder = new TextEncoder();

function record(seq: number, subject: string, readAtMs = 0, arrivalMs = seq): BufferedRecord {
  return { seq, subject, data: encoder.encode(`r${seq}`), arrivalMs, readAtMs };
}

function book(options: Partial<PartitionBookOptions> = {}, checkpoint = { position: 1, partitions: {} }): PartitionBook {
  return new PartitionBook(checkpoint, {
    batchSize: 10,
    windowMs: 0,
    partitionCap: 100,
    totalCap: 1000,
    maxBatchBytes: 1_000_000,
    recordSize: () => 1,
    ...options,
  });
}

const seqs = (records: readonly { seq: number }[]): number[] => records.map((item) => item.seq);
const retry = { bisect: false, maximumRetryAttempts: -1, now: 0, backoffMs: (attempts: number) => 100 * attempts };

describe("PartitionBook", () => {
  it("batches each subject's records in order, oldest head first, one batch per subject at a time", () => {
    const partitions = book({ batchSize: 2 });
    for (const [seq, subject] of [[1, "a"], [2, "b"], [3, "a"], [4, "a"], [5, "b"]] as const) expect(partitions.offer(record(seq, subject))).toBe("accepted");
    const first = partitions.take(0)!;
    expect(first).toMatchObject({ subject: "a", attempts: 0 });
    expect(seqs(first.records)).toEqual([1, 3]);
    const second = partitions.take(0)!;
    expect(second.subject).toBe("b");
    expect(seqs(second.records)).toEqual([2, 5]);
    // a's next batch waits for the one in flight.
    expect(partitions.take(0)).toBeUndefined();
    partitions.finish("a", 2);
    expect(seqs(partitions.take(0)!.records)).toEqual([4]);
  });

  it("holds a partial batch for the batching window, counted from its first record's read", () => {
    const partitions = book({ batchSize: 3, windowMs: 1000 });
    partitions.offer(record(1, "a", 100));
    partitions.offer(record(2, "a", 400));
    expect(partitions.take(500)).toBeUndefined();
    expect(partitions.dueAt(500)).toBe(1100);
    expect(seqs(partitions.take(1100)!.records)).toEqual([1, 2]);
    // A full batch does not wait.
    partitions.offer(record(3, "b", 2000));
    partitions.offer(record(4, "b", 2000));
    partitions.offer(record(5, "b", 2000));
    expect(seqs(partitions.take(2000)!.records)).toEqual([3, 4, 5]);
  });

  it("stops a batch before the record that would pass the event's size", () => {
    const partitions = book({ maxBatchBytes: 250, recordSize: () => 100 });
    for (let seq = 1; seq <= 4; seq += 1) partitions.offer(record(seq, "a"));
    expect(seqs(partitions.take(0)!.records)).toEqual([1, 2]);
  });

  it("retries a failed batch after a growing delay with exactly its records, then gives up after MaximumRetryAttempts", () => {
    const partitions = book({ batchSize: 2 });
    partitions.offer(record(1, "a"));
    partitions.offer(record(2, "a"));
    partitions.take(0);
    partitions.offer(record(3, "a"));
    const options = { ...retry, maximumRetryAttempts: 2 };
    expect(partitions.failed("a", 2, { ...options, now: 1000 })).toEqual({ kind: "retry", delayMs: 100, attempts: 1 });
    expect(partitions.take(1050)).toBeUndefined();
    const again = partitions.take(1100)!;
    expect(again.attempts).toBe(1);
    expect(seqs(again.records)).toEqual([1, 2]);
    expect(partitions.failed("a", 2, { ...options, now: 2000 })).toEqual({ kind: "retry", delayMs: 200, attempts: 2 });
    partitions.take(2200);
    const decision = partitions.failed("a", 2, { ...options, now: 3000 });
    expect(decision.kind).toBe("giveUp");
    expect(decision.kind === "giveUp" && seqs(decision.records)).toEqual([1, 2]);
    // Still in flight until the records are reported and finished.
    expect(partitions.take(10_000)).toBeUndefined();
    partitions.finish("a", 2);
    const next = partitions.take(10_000)!;
    expect(next.attempts).toBe(0);
    expect(seqs(next.records)).toEqual([3]);
  });

  it("bisects a failing batch without counting a retry, down to one record, which then counts", () => {
    const partitions = book({ batchSize: 4 });
    for (let seq = 1; seq <= 5; seq += 1) partitions.offer(record(seq, "a"));
    const options = { ...retry, bisect: true, maximumRetryAttempts: 0 };
    expect(seqs(partitions.take(0)!.records)).toEqual([1, 2, 3, 4]);
    expect(partitions.failed("a", 4, options)).toEqual({ kind: "bisect" });
    expect(partitions.take(0)).toMatchObject({ attempts: 0 });
    partitions.finish("a", 2);
    expect(seqs(partitions.take(0)!.records)).toEqual([3, 4]);
    expect(partitions.failed("a", 2, options)).toEqual({ kind: "bisect" });
    expect(seqs(partitions.take(0)!.records)).toEqual([3]);
    const decision = partitions.failed("a", 1, options);
    expect(decision.kind === "giveUp" && seqs(decision.records)).toEqual([3]);
    partitions.finish("a", 1);
    // The rest of the bisected batch still goes in halves; after it, full batches again.
    expect(seqs(partitions.take(0)!.records)).toEqual([4]);
    partitions.finish("a", 1);
    expect(seqs(partitions.take(0)!.records)).toEqual([5]);
  });

  it("checkpoints the lowest unfinished record and the partitions ahead of it, and resumes from them", () => {
    const partitions = book({ batchSize: 1 });
    for (const [seq, subject] of [[1, "a"], [2, "b"], [3, "b"], [4, "c"]] as const) partitions.offer(record(seq, subject));
    partitions.take(0); // a:1, which keeps failing
    partitions.take(0); // b:2
    partitions.take(0); // c:4
    partitions.failed("a", 1, { ...retry, now: 0 });
    partitions.finish("b", 1);
    partitions.finish("c", 1);
    const checkpoint = partitions.checkpoint();
    expect(checkpoint).toEqual({ position: 1, partitions: { b: 2, c: 4 } });

    // A new owner resumes there: a:1 and b:3 run again, b:2 and c:4 are skipped.
    const resumed = book({ batchSize: 1 }, checkpoint);
    expect(resumed.readerPosition).toBe(1);
    expect([1, 2, 3, 4].map((seq) => resumed.offer(record(seq, seq === 1 ? "a" : seq === 4 ? "c" : "b")))).toEqual(["accepted", "skipped", "accepted", "skipped"]);
    resumed.take(0);
    resumed.take(0);
    resumed.finish("a", 1);
    resumed.finish("b", 1);
    expect(resumed.checkpoint()).toEqual({ position: 5, partitions: {} });
  });

  it("makes the reader wait for a full partition, but drops a blocked one's records and rewinds for them later", () => {
    const partitions = book({ batchSize: 1, partitionCap: 2 });
    expect(partitions.offer(record(1, "a"))).toBe("accepted");
    expect(partitions.offer(record(2, "a"))).toBe("accepted");
    expect(partitions.offer(record(3, "a"))).toBe("full");
    partitions.take(0);
    partitions.failed("a", 1, { ...retry, now: 0 });
    // a is blocked by its failing batch: its later records are dropped, other partitions go on.
    expect(partitions.offer(record(3, "a"))).toBe("dropped");
    expect(partitions.offer(record(4, "b"))).toBe("accepted");
    expect(partitions.offer(record(5, "a"))).toBe("dropped");
    expect(partitions.readerPosition).toBe(6);
    expect(partitions.checkpoint().position).toBe(1);
    expect(partitions.rewind()).toBeUndefined();
    partitions.take(1000);
    partitions.finish("a", 1);
    partitions.take(1000);
    partitions.finish("a", 1);
    // a has caught up: the reader goes back to a's first dropped record; b's is not taken twice.
    expect(partitions.rewind()).toBe(3);
    expect(partitions.offer(record(3, "a"))).toBe("accepted");
    expect(partitions.offer(record(4, "b"))).toBe("skipped");
    expect(partitions.offer(record(5, "a"))).toBe("accepted");
  });

  it("lets a batch that did not run go again as it was", () => {
    const partitions = book();
    partitions.offer(record(1, "a"));
    partitions.take(0);
    partitions.release("a", 500);
    expect(partitions.take(100)).toBeUndefined();
    expect(seqs(partitions.take(500)!.records)).toEqual([1]);
  });

  it("with tumbling windows, never batches records of two windows together, nor waits for more once a later window's record is in", () => {
    const partitions = book({ batchSize: 10, windowMs: 5_000, tumblingMs: 1_000 });
    for (const [seq, arrivalMs] of [[1, 100], [2, 900], [3, 1_000], [4, 1_500]] as const) partitions.offer(record(seq, "a", 0, arrivalMs));
    // The batch is ready at once, though the batching window has not passed: record 3 opens the next window.
    const first = partitions.take(0)!;
    expect(seqs(first.records)).toEqual([1, 2]);
    partitions.finish("a", 2);
    expect(partitions.take(0)).toBeUndefined();
    expect(partitions.dueAt(0)).toBe(5_000);
    expect(seqs(partitions.take(5_000)!.records)).toEqual([3, 4]);
  });

  it("holds back a partition its caller holds, and reports a partition's head and flight", () => {
    const partitions = book();
    partitions.offer(record(1, "a"));
    partitions.offer(record(2, "b"));
    expect(partitions.take(0, (subject) => subject === "a")!.subject).toBe("b");
    expect(partitions.status("b")).toMatchObject({ inFlight: true, behind: false });
    expect(partitions.status("a")).toMatchObject({ head: { seq: 1 }, inFlight: false });
    expect(partitions.status("none")).toEqual({ head: undefined, inFlight: false, behind: false });
  });
});

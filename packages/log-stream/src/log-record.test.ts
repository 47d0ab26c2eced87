import { describe, expect, it } from "vitest";
import { decodeLogRecord, decodeLogRecords, encodeLogRecord, encodeLogRecordParts, encodeLogRecords, type FunctionLogRecord } from "./log-record.js";
import { parseSince } from "./log-reader.js";

const record = (lines: string[]): FunctionLogRecord => ({
  functionName: "f",
  version: "$LATEST",
  logGroupName: "/aws/lambda/f",
  logStreamName: "2024/01/01/[$LATEST]abc",
  requestId: "r1",
  timestamp: 1_700_000_000_000,
  lines,
});

describe("log records", () => {
  it("round-trips and refuses what is not a record", () => {
    const original = record(["START RequestId: r1 Version: $LATEST", "END RequestId: r1"]);
    expect(decodeLogRecord(encodeLogRecord(original))).toEqual(original);
    expect(decodeLogRecord(new TextEncoder().encode("{}"))).toBeUndefined();
    expect(decodeLogRecord(new TextEncoder().encode("not json"))).toBeUndefined();
  });

  it("carries a traced call's trace id, and refuses one that is not 32 hex digits", () => {
    const traced = { ...record(["END RequestId: r1"]), traceId: "4bf92f3577b34da6a3ce929d0e0e4736" };
    expect(decodeLogRecords(encodeLogRecords([traced]))).toEqual([traced]);
    expect(decodeLogRecord(encodeLogRecord({ ...traced, traceId: "<script>" }))).toBeUndefined();
  });

  it("keeps a small record whole and splits a large one into parts that fit, lines in order", () => {
    expect(encodeLogRecordParts(record(["a"]), 10_000)).toHaveLength(1);
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${"x".repeat(100)}`);
    const parts = encodeLogRecordParts(record(lines), 4_096);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(4_096);
    expect(parts.flatMap((part) => decodeLogRecord(part)!.lines)).toEqual(lines);
  });

  it("cuts a single line too long for any part", () => {
    const parts = encodeLogRecordParts(record(["y".repeat(50_000)]), 4_096);
    expect(parts).toHaveLength(1);
    expect(decodeLogRecord(parts[0]!)!.lines[0]).toMatch(/line truncated/);
  });
});

describe("parseSince", () => {
  const now = Date.parse("2024-01-01T12:00:00.000Z");
  it("reads durations back from now and ISO times", () => {
    expect(parseSince("10m", now)?.toISOString()).toBe("2024-01-01T11:50:00.000Z");
    expect(parseSince("2h", now)?.toISOString()).toBe("2024-01-01T10:00:00.000Z");
    expect(parseSince("1d", now)?.toISOString()).toBe("2023-12-31T12:00:00.000Z");
    expect(parseSince("2024-01-01T08:00:00Z", now)?.toISOString()).toBe("2024-01-01T08:00:00.000Z");
  });
  it("refuses anything else", () => {
    expect(parseSince("ten minutes", now)).toBeUndefined();
    expect(parseSince("10", now)).toBeUndefined();
    expect(parseSince("2024-13-45", now)).toBeUndefined();
  });

  it("carries a turn's records of one function in one message, and reads single records too", () => {
    const first: FunctionLogRecord = { functionName: "fn", version: "$LATEST", logGroupName: "/aws/lambda/fn", logStreamName: "s", requestId: "r1", timestamp: 1, lines: ["START", "END"] };
    const second = { ...first, requestId: "r2", lines: ["other"] };
    expect(decodeLogRecords(encodeLogRecords([first, second]))).toEqual([first, second]);
    expect(decodeLogRecords(encodeLogRecord(first))).toEqual([first]);
    expect(decodeLogRecords(new TextEncoder().encode('{"records":[{"functionName":1}]}'))).toEqual([]);
    expect(decodeLogRecords(new TextEncoder().encode("not json"))).toEqual([]);
  });
});

// The Logs tab's logic: the tail's filter and length, and an invocation's detail from its lines.
import { describe, expect, it } from "vitest";
import type { LogEventResponse } from "@lambent/lambda-api";
import { MAX_TAIL_LINES, appendToTail, invocationDetailOf, matchesFilter, traceLinkOf } from "./invocation-log.js";

const line = (requestId: string, message: string): LogEventResponse => ({ Timestamp: 1_700_000_000_000, RequestId: requestId, Version: "3", LogStreamName: "2024/01/01/[3]abc", Message: message });

describe("the log tail", () => {
  it("keeps lines that hold every word of the filter, in the message or the request id", () => {
    const event = line("6f1c-aa", "2024-01-01T00:00:00.000Z\t6f1c-aa\tERROR\tpayment declined");
    expect(matchesFilter(event, "")).toBe(true);
    expect(matchesFilter(event, "error DECLINED")).toBe(true);
    expect(matchesFilter(event, "6f1c")).toBe(true);
    expect(matchesFilter(event, "error accepted")).toBe(false);
  });

  it("keeps only the newest lines", () => {
    const many = Array.from({ length: MAX_TAIL_LINES }, (_, index) => line("r", String(index)));
    const tail = appendToTail(many, [line("r", "newest")]);
    expect(tail).toHaveLength(MAX_TAIL_LINES);
    expect(tail[0]!.Message).toBe("1");
    expect(tail[tail.length - 1]!.Message).toBe("newest");
  });
});

describe("an invocation's detail", () => {
  it("gathers its lines and reads its REPORT line", () => {
    const events = [
      line("other", "START RequestId: other Version: 3"),
      line("r1", "START RequestId: r1 Version: 3"),
      line("r1", "2024-01-01T00:00:00.000Z\tr1\tINFO\thello"),
      line("r1", "END RequestId: r1"),
      line("r1", "REPORT RequestId: r1\tDuration: 2.50 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t"),
    ];
    const detail = invocationDetailOf("r1", events);
    expect(detail).toMatchObject({ requestId: "r1", version: "3", logStreamName: "2024/01/01/[3]abc", finishedAt: 1_700_000_000_000 });
    expect(detail.report).toEqual({ requestId: "r1", durationMs: 2.5, billedDurationMs: 3, memorySizeMb: 128, maxMemoryUsedMb: 40 });
    expect(detail.lines).toHaveLength(4);
    expect(invocationDetailOf("missing", events)).toEqual({ requestId: "missing", lines: [] });
  });

  it("carries the trace id its lines were stored with, and links it where the operator's trace viewer shows it", () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const detail = invocationDetailOf("r2", [line("r2", "START RequestId: r2 Version: 3"), { ...line("r2", "END RequestId: r2"), TraceId: traceId }]);
    expect(detail.traceId).toBe(traceId);
    expect(invocationDetailOf("r1", [line("r1", "START RequestId: r1 Version: 3")]).traceId).toBeUndefined();
    expect(traceLinkOf("https://jaeger.example/trace/{traceId}?uiEmbed=v0", traceId)).toBe(`https://jaeger.example/trace/${traceId}?uiEmbed=v0`);
  });
});

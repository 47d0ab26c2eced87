// Tumbling windows' pure parts: which window a record falls in, a windowed event's fields, and the state a call answers.
import { describe, expect, it } from "vitest";
import { MAX_WINDOW_STATE_BYTES, readWindowState, stateBytes, windowEventFields, windowStart } from "./tumbling-windows.js";

const encoder = new TextEncoder();
const source = { eventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/S", region: "us-east-1", accountId: "000000000000" };

describe("tumbling windows", () => {
  it("places a record in the window of its arrival, aligned on the window's length since the epoch", () => {
    const minute = 60_000;
    expect(windowStart(Date.parse("2020-12-09T07:04:59.999Z"), 2 * minute)).toBe(Date.parse("2020-12-09T07:04:00Z"));
    expect(windowStart(Date.parse("2020-12-09T07:06:00.000Z"), 2 * minute)).toBe(Date.parse("2020-12-09T07:06:00Z"));
  });

  it("adds Lambda's window fields after Records, times to the second", () => {
    const window = { start: Date.parse("2020-12-09T07:04:00Z"), state: { "1": 282 } };
    const fields = windowEventFields({ window, sizeMs: 120_000, final: true, terminatedEarly: false }, source);
    expect(fields).toEqual({
      window: { start: "2020-12-09T07:04:00Z", end: "2020-12-09T07:06:00Z" },
      state: { "1": 282 },
      shardId: "shardId-000000000000",
      eventSourceARN: source.eventSourceArn,
      isFinalInvokeForWindow: true,
      isWindowTerminatedEarly: false,
    });
    expect(Object.keys(fields)).toEqual(["window", "state", "shardId", "eventSourceARN", "isFinalInvokeForWindow", "isWindowTerminatedEarly"]);
  });

  it("reads the state a call answers, and counts an answer without one as failed", () => {
    expect(readWindowState(encoder.encode(JSON.stringify({ state: { "1": 282, "2": 715 }, batchItemFailures: [] })))).toEqual({ kind: "state", state: { "1": 282, "2": 715 } });
    expect(readWindowState(encoder.encode("null")).kind).toBe("unusable");
    expect(readWindowState(new Uint8Array()).kind).toBe("unusable");
    expect(readWindowState(encoder.encode(JSON.stringify({ state: [1] }))).kind).toBe("unusable");
    expect(readWindowState(encoder.encode("not json"))).toEqual({ kind: "unusable", reason: "the function's answer is not JSON" });
  });

  it("measures the states kept against Lambda's 1 MB", () => {
    expect(stateBytes([{ start: 0, state: { a: 1 } }, { start: 0, state: {} }])).toBe('{"a":1}'.length + 2);
    expect(MAX_WINDOW_STATE_BYTES).toBe(1024 * 1024);
  });
});

// The tail log as the test panel shows it: the decoded text, and the REPORT line's fields.
import { describe, expect, it } from "vitest";
import { parseReportLine, readTailLog } from "./log-result.js";

const LOG = [
  "START RequestId: 8f5e Version: $LATEST",
  "2026-01-02T03:04:05.000Z\t8f5e\tINFO\thello from the test, ünïcode",
  "END RequestId: 8f5e",
  "REPORT RequestId: 8f5e\tDuration: 1.27 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 9 MB\tInit Duration: 3.90 ms\t",
  "",
].join("\n");

describe("the tail log", () => {
  it("is decoded from base64 as UTF-8, with the REPORT line's fields", () => {
    const tail = readTailLog(Buffer.from(LOG, "utf8").toString("base64"));
    expect(tail.text).toBe(LOG);
    expect(tail.report).toEqual({ requestId: "8f5e", durationMs: 1.27, billedDurationMs: 2, memorySizeMb: 128, maxMemoryUsedMb: 9, initDurationMs: 3.9 });
  });

  it("has no report when the REPORT line was cut off or is not there", () => {
    expect(readTailLog(Buffer.from("a line\n").toString("base64"))).toEqual({ text: "a line\n" });
    expect(parseReportLine("END RequestId: x")).toBeUndefined();
    expect(parseReportLine("REPORT RequestId: x\tDuration: 5.00 ms")).toEqual({ requestId: "x", durationMs: 5 });
  });

  it("reads only the last line as the REPORT, so a function's own lookalike line cannot stand in for it", () => {
    const forged = LOG.replace("END RequestId: 8f5e", "2026-01-02T03:04:05.000Z\t8f5e\tINFO\tx\nREPORT RequestId: 8f5e\tDuration: 0.01 ms\tBilled Duration: 1 ms\t\nEND RequestId: 8f5e");
    expect(readTailLog(Buffer.from(forged, "utf8").toString("base64")).report).toMatchObject({ durationMs: 1.27, billedDurationMs: 2 });
  });
});

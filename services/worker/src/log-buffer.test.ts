import { describe, expect, it } from "vitest";
import { LogBuffer } from "./log-buffer.js";

describe("LogBuffer", () => {
  it("writes START, END and REPORT with billed duration rounded up", () => {
    const log = new LogBuffer("r1");
    log.start("3");
    log.add("line");
    log.end({ durationMs: 1.234, memorySizeMb: 128, maxMemoryUsedMb: 20, initDurationMs: 3.456 });
    expect(log.text()).toBe(
      "START RequestId: r1 Version: 3\nline\nEND RequestId: r1\n" +
        "REPORT RequestId: r1\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 20 MB\tInit Duration: 3.46 ms\t\n",
    );
    const quick = new LogBuffer("r2");
    quick.end({ durationMs: 0.01, memorySizeMb: 128, maxMemoryUsedMb: 1 });
    expect(quick.text()).toContain("Billed Duration: 1 ms\t");
    expect(log.billing).toEqual({ billedDurationMs: 2, memorySizeMb: 128 });
    expect(quick.billing).toEqual({ billedDurationMs: 1, memorySizeMb: 128 });
  });

  it("tails the last 4096 bytes", () => {
    const log = new LogBuffer("r");
    for (let i = 0; i < 1000; i++) log.add(`é${i}`);
    const tail = Buffer.from(log.tailBase64(), "base64");
    expect(tail.length).toBe(4096);
    expect(tail.toString("utf8").endsWith("é999\n")).toBe(true);
  });
});

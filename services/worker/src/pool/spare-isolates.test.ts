import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type ivm from "isolated-vm";
import { buildSandbox } from "../testing/fixtures.js";
import { SpareIsolates, makeBlankIsolate, type BlankIsolate } from "./spare-isolates.js";

/** Stand-ins that record what was made and disposed, for the bookkeeping (no isolates made). */
function counting(): { made: { memoryMb: number; disposed: boolean }[]; make: (memoryMb: number) => BlankIsolate } {
  const made: { memoryMb: number; disposed: boolean }[] = [];
  return {
    made,
    make: (memoryMb) => {
      const entry = { memoryMb, disposed: false };
      made.push(entry);
      const isolate = { dispose: () => (entry.disposed = true) } as unknown as ivm.Isolate;
      return { isolate, context: {} as ivm.Context, catastrophe: { handler: undefined } };
    },
  };
}

describe("spare isolates", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("hands the next cold start of the same memory size an isolate made after the last one finished, and never hands one out twice", () => {
    const { made, make } = counting();
    const spares = new SpareIsolates(make);
    const first = spares.take(128);
    expect(made).toHaveLength(1);
    spares.replenish(128);
    // Not made while the cold start that asked may still be running on this thread.
    expect(spares.has(128)).toBe(false);
    vi.runAllTimers();
    expect(spares.has(128)).toBe(true);
    const second = spares.take(128);
    expect(second).not.toBe(first);
    expect(made).toHaveLength(2);
    expect(spares.has(128)).toBe(false);
    const third = spares.take(128);
    expect(made).toHaveLength(3);
    expect(new Set([first, second, third]).size).toBe(3);
    spares.close();
  });

  it("makes none while a burst of cold starts goes on: a take cancels the pending refill", () => {
    const { made, make } = counting();
    const spares = new SpareIsolates(make);
    spares.take(128);
    spares.replenish(128);
    spares.take(128);
    vi.runAllTimers();
    expect(made).toHaveLength(2);
    expect(spares.has(128)).toBe(false);
    spares.close();
  });

  it("makes one of the asked size when the spare has another, disposing the spare", () => {
    const { made, make } = counting();
    const spares = new SpareIsolates(make);
    spares.replenish(128);
    vi.runAllTimers();
    spares.take(1024);
    expect(made.map((entry) => [entry.memoryMb, entry.disposed])).toEqual([
      [128, true],
      [1024, false],
    ]);
    spares.replenish(1024);
    vi.runAllTimers();
    expect(spares.has(1024)).toBe(true);
    spares.close();
    expect(made.at(-1)?.disposed).toBe(true);
  });

  it("makes a real isolate with the runtime run and nothing booted, capped at the asked size", () => {
    vi.useRealTimers();
    buildSandbox();
    const blank = makeBlankIsolate(64);
    try {
      expect(blank.context.evalSync("typeof __lambentBoot")).toBe("function");
      // The runtime's globals come with boot, which the environment that takes the isolate runs.
      expect(blank.context.evalSync("typeof process")).toBe("undefined");
      expect(blank.isolate.getHeapStatisticsSync().heap_size_limit).toBeLessThanOrEqual(96 * 1024 * 1024);
    } finally {
      blank.isolate.dispose();
    }
  });
});

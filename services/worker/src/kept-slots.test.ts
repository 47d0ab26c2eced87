import { describe, expect, it } from "vitest";
import { KeptSlots } from "./kept-slots.js";

describe("kept slots", () => {
  it("hands out only free slots of the function, and gives back the unused ones chosen", () => {
    const slots = new KeptSlots();
    const first = slots.add({ term: 1, leaseId: 1, kept: true }, "fn", 128);
    expect(slots.take("fn")).toBeUndefined();
    slots.free(first);
    expect(slots.take("other")).toBeUndefined();
    expect(slots.take("fn")).toBe(first);
    const second = slots.add({ term: 1, leaseId: 2, kept: true }, "fn", 128);
    slots.free(second);
    expect(slots.list()).toEqual([
      { term: 1, leaseId: 1, functionName: "fn", memoryMb: 128, kept: true },
      { term: 1, leaseId: 2, functionName: "fn", memoryMb: 128, kept: true, idle: true },
    ]);
    // A busy slot is never given back, whatever the choice.
    expect(slots.giveBack(() => true)).toEqual([second]);
    expect(slots.size).toBe(1);
    slots.free(first);
    expect(slots.giveBack(slots.idleSince(first.lastUsed))).toEqual([]);
    expect(slots.giveBack(slots.idleSince(first.lastUsed + 1))).toEqual([first]);
    expect(slots.size).toBe(0);
    expect(slots.list()).toEqual([]);
  });
});

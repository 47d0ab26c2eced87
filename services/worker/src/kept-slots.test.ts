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

  it("gives a slot recalled while in use back when its call ends, and keeps the others", () => {
    const slots = new KeptSlots();
    const busy = slots.add({ term: 1, leaseId: 1, kept: true }, "fn", 128);
    const other = slots.add({ term: 1, leaseId: 2, kept: true }, "other", 128);
    expect(slots.returnWhenDone((slot) => slot.functionName === "fn")).toBe(1);
    expect(busy.returning).toBe(true);
    expect(other.returning).toBeUndefined();
    // Marked once: a second recall counts nothing more.
    expect(slots.returnWhenDone((slot) => slot.functionName === "fn")).toBe(0);
    slots.free(busy);
    // A returning slot is not handed to the next call; it goes back with the other free ones.
    expect(slots.take("fn")).toBeUndefined();
    expect(slots.giveBack((slot) => slot === busy)).toEqual([busy]);
  });
});

import { describe, expect, it } from "vitest";
import { Containment } from "./containment.js";

describe("containment", () => {
  it("holds a function back after it crashed its sandbox, twice as long after each crash in a row, and forgets it after a quiet spell", () => {
    let now = 0;
    const containment = new Containment(() => now);
    expect(containment.check("fn")).toBeUndefined();
    containment.crashed("fn");
    expect(containment.check("fn")).toMatchObject({ type: "TooManyRequestsException", fields: { Reason: "FunctionCrashedSandbox" } });
    expect(containment.check("other")).toBeUndefined();
    now = 1_000;
    expect(containment.check("fn")).toBeUndefined();
    containment.crashed("fn");
    now = 2_999;
    expect(containment.check("fn")).toBeDefined();
    now = 3_000;
    expect(containment.check("fn")).toBeUndefined();
    // Ten quiet minutes: the next crash holds it back for a second again.
    now = 3_000 + 10 * 60_000;
    containment.crashed("fn");
    now += 1_000;
    expect(containment.check("fn")).toBeUndefined();
  });
});

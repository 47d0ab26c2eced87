import { describe, expect, it } from "vitest";
import { headers } from "@nats-io/nats-core";
import { CALL_DEPTH_HEADER, MAX_CALL_DEPTH, callDepthOf, nextHop, withCallDepth } from "./call-depth.js";

describe("the hop from an invocation", () => {
  it("runs up to MAX_CALL_DEPTH, stops the hop past it, and drops any hop from a stopped one", () => {
    expect(nextHop(undefined)).toEqual({ kind: "run", callDepth: 1 });
    expect(nextHop(0)).toEqual({ kind: "run", callDepth: 1 });
    expect(nextHop(MAX_CALL_DEPTH - 1)).toEqual({ kind: "run", callDepth: 16 });
    expect(nextHop(MAX_CALL_DEPTH)).toEqual({ kind: "stop", callDepth: 17 });
    expect(nextHop(MAX_CALL_DEPTH + 1)).toEqual({ kind: "drop" });
  });
});

describe("the call depth a message carries", () => {
  const carrying = (value: string | undefined) => {
    const carrier = headers();
    if (value !== undefined) carrier.set(CALL_DEPTH_HEADER, value);
    return { headers: carrier };
  };

  it("is read back as it was written; absent, it is 0", () => {
    expect(callDepthOf({})).toBe(0);
    expect(callDepthOf(carrying(undefined))).toBe(0);
    for (const depth of [1, 7, MAX_CALL_DEPTH, MAX_CALL_DEPTH + 1]) expect(callDepthOf({ headers: withCallDepth(depth) })).toBe(depth);
  });

  it("counts a claim past the limit as a stopped invocation's, and ignores one that is not a whole number", () => {
    for (const value of ["18", "999999", "9".repeat(400)]) expect(callDepthOf(carrying(value)), value).toBe(MAX_CALL_DEPTH + 1);
    for (const value of ["", "-3", "2.5", "x", "1e3"]) expect(callDepthOf(carrying(value)), value).toBe(0);
  });

  it("is left out at depth 0, also from headers copied from a deeper message", () => {
    expect(withCallDepth(0)).toBeUndefined();
    const copied = withCallDepth(5)!;
    copied.set("RequestID", "r1");
    const cleared = withCallDepth(0, copied)!;
    expect(cleared.has(CALL_DEPTH_HEADER)).toBe(false);
    expect(cleared.get("RequestID")).toBe("r1");
  });
});

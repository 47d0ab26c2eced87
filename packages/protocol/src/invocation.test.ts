import { describe, expect, it } from "vitest";
import { FrameError, encodeFrame } from "./frame.js";
import { MAX_CALL_DEPTH } from "./call-depth.js";
import { decodeInvocation, encodeInvocation, type InvocationHeader } from "./invocation.js";

const header: InvocationHeader = {
  requestId: "r1",
  functionName: "f",
  qualifier: "$LATEST",
  version: "$LATEST",
  revisionId: "rev",
  invocationType: "RequestResponse",
  logType: "None",
};

describe("the call depth in an invocation header", () => {
  it("is absent for a call from outside and kept for a function's call", () => {
    expect(decodeInvocation(encodeInvocation({ header, payload: new Uint8Array(0) })).header.callDepth).toBeUndefined();
    for (const callDepth of [1, MAX_CALL_DEPTH]) {
      expect(decodeInvocation(encodeInvocation({ header: { ...header, callDepth }, payload: new Uint8Array(0) })).header.callDepth).toBe(callDepth);
    }
  });

  it("refuses a depth that is not an integer from 1 to MAX_CALL_DEPTH", () => {
    expect(MAX_CALL_DEPTH).toBe(16);
    for (const callDepth of [0, -1, MAX_CALL_DEPTH + 1, 1.5, "3", null, Number.NaN, true]) {
      expect(() => decodeInvocation(encodeFrame({ ...header, callDepth }))).toThrow(new FrameError("invocation field callDepth must be an integer from 1 to 16"));
    }
  });

  it("lets an event be one hop past the limit, for the event runner to stop, and no further", () => {
    const event: InvocationHeader = { ...header, invocationType: "Event", callDepth: MAX_CALL_DEPTH + 1 };
    expect(decodeInvocation(encodeInvocation({ header: event, payload: new Uint8Array(0) })).header.callDepth).toBe(17);
    expect(() => decodeInvocation(encodeFrame({ ...event, callDepth: MAX_CALL_DEPTH + 2 }))).toThrow(
      new FrameError("invocation field callDepth must be an integer from 1 to 17"),
    );
  });
});

import { describe, expect, it } from "vitest";
import { FrameError, encodeFrame } from "./frame.js";
import { MAX_CALL_DEPTH } from "./call-depth.js";
import { decodeInvocation, encodeInvocation, withLease, type InvocationHeader } from "./invocation.js";

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

describe("withLease", () => {
  const payload = new TextEncoder().encode('{"name":"é"}');

  it("gives the frame encodeInvocation gives for the header with the lease, payload bytes untouched", () => {
    const traced: InvocationHeader = { ...header, keepSlot: true, traceparent: "00-abc-def-01", clientContext: "e30=" };
    for (const lease of [{ term: 3, leaseId: 70_000 }, { term: 1, leaseId: 2, kept: true }, { term: 4, leaseId: 5, answerReleases: true }]) {
      const placed = withLease(encodeInvocation({ header: traced, payload }), lease);
      expect(Array.from(placed)).toEqual(Array.from(encodeInvocation({ header: { ...traced, lease }, payload })));
      const decoded = decodeInvocation(placed);
      expect(decoded.header).toEqual({ ...traced, lease });
      expect(Array.from(decoded.payload)).toEqual(Array.from(payload));
    }
  });

  it("reads a frame inside a larger buffer, and overrides a lease the header already had", () => {
    const frame = encodeInvocation({ header: { ...header, lease: { term: 1, leaseId: 1 } }, payload });
    const outer = new Uint8Array(frame.length + 7);
    outer.set(frame, 3);
    const decoded = decodeInvocation(withLease(outer.subarray(3, 3 + frame.length), { term: 2, leaseId: 9 }));
    expect(decoded.header.lease).toEqual({ term: 2, leaseId: 9 });
    expect(Array.from(decoded.payload)).toEqual(Array.from(payload));
  });

  it("keeps a header written with whitespace or non-ASCII text valid", () => {
    const text = JSON.stringify({ ...header, requestId: "ré€" }, null, 2) + " \n";
    const bytes = new TextEncoder().encode(text);
    const frame = new Uint8Array(4 + bytes.length + payload.length);
    new DataView(frame.buffer).setUint32(0, bytes.length);
    frame.set(bytes, 4);
    frame.set(payload, 4 + bytes.length);
    const decoded = decodeInvocation(withLease(frame, { term: 5, leaseId: 6 }));
    expect(decoded.header).toEqual({ ...header, requestId: "ré€", lease: { term: 5, leaseId: 6 } });
    expect(Array.from(decoded.payload)).toEqual(Array.from(payload));
  });

  it("adds the lease to an empty header and refuses a frame that is not one", () => {
    expect(decodeFrameHeader(withLease(encodeFrame({}), { term: 1, leaseId: 2 }))).toEqual({ lease: { term: 1, leaseId: 2 } });
    expect(() => withLease(new Uint8Array([0, 0, 0, 9]), { term: 1, leaseId: 2 })).toThrow(FrameError);
  });
});

function decodeFrameHeader(frame: Uint8Array): unknown {
  return JSON.parse(new TextDecoder().decode(frame.subarray(4)));
}

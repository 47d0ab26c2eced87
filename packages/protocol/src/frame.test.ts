import { describe, expect, it } from "vitest";
import { decodeInvocation, decodeInvocationResult, encodeInvocation, failureResult } from "./invocation.js";
import { FrameError, decodeFrame, encodeFrame } from "./frame.js";

describe("frames", () => {
  it("round-trips an invocation with its payload bytes untouched", () => {
    const payload = new TextEncoder().encode('{"x":"\\u00e9"}');
    const bytes = encodeInvocation({
      header: {
        requestId: "r1",
        functionName: "f",
        qualifier: "prod",
        version: "3",
        revisionId: "rev",
        invocationType: "RequestResponse",
        logType: "Tail",
        lease: { term: 3, leaseId: 7 },
      },
      payload,
    });
    const decoded = decodeInvocation(bytes);
    expect(decoded.header).toMatchObject({ qualifier: "prod", version: "3", lease: { leaseId: 7 } });
    expect(Array.from(decoded.payload)).toEqual(Array.from(payload));
  });

  it("lays a frame out as its length, the header's UTF-8 JSON and the payload", () => {
    const frame = encodeFrame({ name: "é€😀" }, new Uint8Array([7, 8]));
    const json = new TextEncoder().encode(JSON.stringify({ name: "é€😀" }));
    expect(Array.from(frame.subarray(0, 4))).toEqual([0, 0, 0, json.length]);
    expect(Array.from(frame.subarray(4, 4 + json.length))).toEqual(Array.from(json));
    expect(Array.from(frame.subarray(4 + json.length))).toEqual([7, 8]);
    expect(decodeFrame(frame).header).toEqual({ name: "é€😀" });
  });

  it("reads a header longer than 65,535 bytes from a frame inside a larger buffer", () => {
    const header = { text: "x".repeat(70_000) };
    const frame = encodeFrame(header, new Uint8Array([1]));
    const outer = new Uint8Array(frame.length + 10);
    outer.set(frame, 5);
    const decoded = decodeFrame(outer.subarray(5, 5 + frame.length));
    expect(decoded.header).toEqual(header);
    expect(Array.from(decoded.payload)).toEqual([1]);
  });

  it("rejects truncated and malformed frames", () => {
    expect(() => decodeFrame(new Uint8Array([0, 0]))).toThrow(FrameError);
    expect(() => decodeFrame(new Uint8Array([0, 0, 0, 9, 1]))).toThrow(FrameError);
    expect(() => decodeInvocation(encodeFrame({ requestId: 1 }))).toThrow(FrameError);
  });

  it("carries platform failures", () => {
    const result = decodeInvocationResult(
      failureResult("r", "$LATEST", { type: "TooManyRequestsException", message: "Rate Exceeded." }),
    );
    expect(result.header.failure?.type).toBe("TooManyRequestsException");
  });
});

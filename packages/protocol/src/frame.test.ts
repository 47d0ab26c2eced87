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

import { describe, expect, it } from "vitest";
import { LambdaError, answerError, isLambdaError, throttled, toLambdaError } from "./index.js";

describe("Lambda errors", () => {
  it("keeps the Lambda type as the error's name", () => {
    const error = new LambdaError("ResourceNotFoundException", "Function not found: x");
    expect(error.name).toBe("ResourceNotFoundException");
    expect(error.type).toBe("ResourceNotFoundException");
    expect(isLambdaError(error)).toBe(true);
  });

  it("carries the throttle reason", () => {
    expect(throttled("ConcurrentInvocationLimitExceeded").fields).toEqual({
      Reason: "ConcurrentInvocationLimitExceeded",
    });
  });

  it("makes answers (throttles, failures from another process) without a stack, and leaves the stack limit as it was", () => {
    const limit = Error.stackTraceLimit;
    const answer = answerError("ServiceException", "from the worker", { Extra: "1" });
    expect(isLambdaError(answer)).toBe(true);
    expect(answer.fields).toEqual({ Extra: "1" });
    expect(answer.stack).toBe("ServiceException: from the worker");
    expect(throttled("ConcurrentInvocationLimitExceeded").stack).toBe("TooManyRequestsException: Rate Exceeded.");
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new LambdaError("ServiceException", "a fault").stack).toContain("index.test.ts");
  });

  it("turns unknown failures into ServiceException", () => {
    expect(toLambdaError(new TypeError("boom")).type).toBe("ServiceException");
    expect(toLambdaError("text").message).toBe("text");
  });
});

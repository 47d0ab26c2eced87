import { describe, expect, it } from "vitest";
import { LambdaError, isLambdaError, throttled, toLambdaError } from "./index.js";

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

  it("turns unknown failures into ServiceException", () => {
    expect(toLambdaError(new TypeError("boom")).type).toBe("ServiceException");
    expect(toLambdaError("text").message).toBe("text");
  });
});

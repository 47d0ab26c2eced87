import { describe, expect, it } from "vitest";
import { HttpStatusOfError, LambdaErrorTypes } from "@lambent/errors";
import { errorBodyModel } from "@lambent/lambda-model";
import { errorBody } from "./respond.js";

describe("HttpStatusOfError", () => {
  it.each(LambdaErrorTypes.filter((type) => errorBodyModel(type).httpStatusCode !== undefined))("gives %s the status Lambda's service model gives it", (type) => {
    expect(HttpStatusOfError[type]).toBe(errorBodyModel(type).httpStatusCode);
  });
});

describe("errorBody", () => {
  it("spells each error's fields as the service model does", () => {
    expect(errorBody("ResourceNotFoundException", 404, "Function not found: x", {})).toEqual({ Type: "User", Message: "Function not found: x" });
    expect(errorBody("InvalidParameterValueException", 400, "bad", {})).toEqual({ Type: "User", message: "bad" });
    expect(errorBody("ServiceException", 500, "boom", {})).toEqual({ Type: "Service", Message: "boom" });
    expect(errorBody("ValidationException", 400, "1 validation error detected: …", {})).toEqual({ message: "1 validation error detected: …" });
    expect(errorBody("TooManyRequestsException", 429, "Rate Exceeded.", { Reason: "ReservedFunctionConcurrentInvocationLimitExceeded" })).toEqual({
      Type: "User",
      message: "Rate Exceeded.",
      Reason: "ReservedFunctionConcurrentInvocationLimitExceeded",
    });
  });
});

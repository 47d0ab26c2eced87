import { describe, expect, it } from "vitest";
import { errorBodyModel } from "./errors.js";
import { validateInput, validateShape, violationsMessage } from "./validate.js";

const message = (...args: Parameters<typeof validateInput>) => violationsMessage(validateInput(...args));

describe("validateInput", () => {
  it("words a pattern violation as AWS does", () => {
    expect(message("CreateFunction", { FunctionName: "f", Role: "r1", Code: {} })).toBe(
      "1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+",
    );
  });

  it("reports a missing required member as null", () => {
    expect(message("UntagResource", { Resource: "arn:aws:lambda:us-east-1:000000000000:function:f" })).toBe(
      "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null",
    );
  });

  it("checks ranges of numbers, numeric query strings included", () => {
    expect(message("PutProvisionedConcurrencyConfig", { FunctionName: "f", Qualifier: "1", ProvisionedConcurrentExecutions: 0 })).toBe(
      "1 validation error detected: Value '0' at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    expect(validateInput("ListFunctions", { MaxItems: "0" })).toEqual([
      { path: "maxItems", value: "0", constraint: "Member must have value greater than or equal to 1" },
    ]);
  });

  it("lists an element's constraints when a list element breaks one", () => {
    expect(message("CreateFunction", { FunctionName: "f", Role: "arn:aws:iam::000000000000:role/r", Code: {}, Architectures: ["X86_64"] })).toBe(
      "1 validation error detected: Value '[X86_64]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]",
    );
    expect(message("CreateFunction", { FunctionName: "f", Role: "arn:aws:iam::000000000000:role/r", Code: {}, Architectures: ["x86_64", "arm64"] })).toBe(
      "1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1",
    );
  });

  it("words map values with Java's doubles, and map keys", () => {
    expect(message("CreateAlias", { FunctionName: "f", Name: "a", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { "2": 2 } } })).toBe(
      "1 validation error detected: Value '{2=2.0}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]",
    );
    expect(validateInput("CreateAlias", { FunctionName: "f", Name: "a", FunctionVersion: "1", RoutingConfig: { AdditionalVersionWeights: { $LATEST: 0.5 } } })[0]).toMatchObject({
      path: "routingConfig.additionalVersionWeights",
      value: "{$LATEST=0.5}",
      constraint: "Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]",
    });
  });

  it("reports every violation, nested paths in lower camel case", () => {
    const violations = validateInput("PutFunctionEventInvokeConfig", {
      FunctionName: "f",
      MaximumRetryAttempts: 3,
      DestinationConfig: { OnFailure: { Destination: "arn:aws:_-/!lambda:us-east-1:000000000000:function:f" } },
    });
    expect(violations.map((violation) => violation.path)).toEqual(["maximumRetryAttempts", "destinationConfig.onFailure.destination"]);
    expect(violationsMessage(violations)).toMatch(/^2 validation errors detected: Value '3' at 'maximumRetryAttempts' .*; Value 'arn:aws:_-\/!lambda/);
  });

  it("leaves values of the wrong JSON type to the body readers", () => {
    expect(validateInput("CreateFunction", { FunctionName: "f", Role: "arn:aws:iam::000000000000:role/r", Code: {}, MemorySize: "lots" })).toEqual([]);
  });

  it("checks one shape on its own", () => {
    expect(validateShape("Alias", "2024", "name")).toEqual([
      { path: "name", value: "2024", constraint: "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)" },
    ]);
  });
});

describe("errorBodyModel", () => {
  it("follows the model's spelling of each error's message field", () => {
    expect(errorBodyModel("ResourceNotFoundException")).toEqual({ httpStatusCode: 404, messageField: "Message", hasType: true });
    expect(errorBodyModel("InvalidParameterValueException")).toEqual({ httpStatusCode: 400, messageField: "message", hasType: true });
    expect(errorBodyModel("ValidationException")).toEqual({ httpStatusCode: undefined, messageField: "message", hasType: false });
  });
});

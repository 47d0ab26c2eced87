import { describe, expect, it } from "vitest";
import { expressDiagnostics, invalidDefinitionMessage, parseDefinition } from "./definition.js";

const errors = (definition: unknown) => {
  const result = parseDefinition(typeof definition === "string" ? definition : JSON.stringify(definition));
  return result.diagnostics.filter((diagnostic) => diagnostic.severity === "ERROR").map(({ code, location }) => `${code} ${location}`);
};

describe("definition checks", () => {
  it("accepts the developer guide's samples", () => {
    expect(errors({ Comment: "A Hello World example", StartAt: "HelloWorld", States: { HelloWorld: { Type: "Pass", Result: "Hello World!", End: true } } })).toEqual([]);
    expect(
      errors({
        StartAt: "Wait",
        States: {
          Wait: { Type: "Wait", SecondsPath: "$.waitSeconds", Next: "Submit" },
          Submit: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: "arn:aws:lambda:us-east-1:123456789012:function:submit", "Payload.$": "$" }, OutputPath: "$.Payload", Next: "Done?" },
          "Done?": { Type: "Choice", Choices: [{ Variable: "$.status", StringEquals: "FAILED", Next: "Failed" }, { Variable: "$.status", StringEquals: "SUCCEEDED", Next: "Succeeded" }], Default: "Wait" },
          Failed: { Type: "Fail", Cause: "Job failed", Error: "JobFailed" },
          Succeeded: { Type: "Succeed" },
        },
      }),
    ).toEqual([]);
  });

  it("reports JSON and empty definitions with their codes", () => {
    expect(errors("{")).toEqual(["INVALID_JSON_DESCRIPTION undefined"]);
    expect(errors("")).toEqual(["MISSING_DESCRIPTION undefined"]);
  });

  it("reports a missing target with its location, as CreateStateMachine words it", () => {
    const result = parseDefinition(JSON.stringify({ StartAt: "A", States: { A: { Type: "Pass", Next: "Nowhere" } } }));
    expect(result.ok).toBe(false);
    expect(invalidDefinitionMessage(result.diagnostics)).toContain("MISSING_TRANSITION_TARGET: Missing 'Next' target: Nowhere at /States/A/Next");
  });

  it("reports schema problems at their fields", () => {
    expect(errors({ StartAt: "A", States: { A: { Type: "Teleport", End: true } } })).toEqual(["SCHEMA_VALIDATION_FAILED /States/A/Type"]);
    expect(errors({ StartAt: "A", States: { A: { Type: "Pass", End: true, Bogus: 1 } } })).toEqual(["SCHEMA_VALIDATION_FAILED /States/A/Bogus"]);
    expect(errors({ StartAt: "A", States: { A: { Type: "Pass" } } })).toContain("SCHEMA_VALIDATION_FAILED /States/A");
    expect(errors({ States: {} })).toContain("SCHEMA_VALIDATION_FAILED /");
    expect(errors({ StartAt: "A", States: { A: { Type: "Pass", InputPath: "nope", End: true } } })).toEqual(["SCHEMA_VALIDATION_FAILED /States/A/InputPath"]);
    expect(errors({ StartAt: "A", States: { A: { Type: "Pass", Parameters: { "x.$": "States.Nope()" }, End: true } } })).toEqual(["SCHEMA_VALIDATION_FAILED /States/A/Parameters/x.$"]);
    expect(errors({ StartAt: "A", States: { A: { Type: "Wait", Seconds: 1, Timestamp: "2020-01-01T00:00:00Z", End: true } } })).toEqual(["SCHEMA_VALIDATION_FAILED /States/A"]);
    expect(errors({ StartAt: "A", States: { A: { Type: "Choice", Choices: [{ Variable: "$.x", NumericEquals: "1", Next: "A" }] } } })).toContain("SCHEMA_VALIDATION_FAILED /States/A/Choices[0]/NumericEquals");
  });

  it("checks a Map's ItemReader: its input type, MaxItems and given CSV headers", () => {
    const map = (readerConfig: object) => ({
      StartAt: "M",
      States: { M: { Type: "Map", ItemReader: { Resource: "arn:aws:states:::s3:getObject", ReaderConfig: readerConfig, Parameters: { Bucket: "b", Key: "k" } }, ItemProcessor: { StartAt: "P", States: { P: { Type: "Pass", End: true } } }, End: true } },
    });
    expect(errors(map({ InputType: "CSV", CSVHeaderLocation: "FIRST_ROW", MaxItems: 10 }))).toEqual([]);
    expect(errors(map({ InputType: "XML" }))).toEqual(["SCHEMA_VALIDATION_FAILED /States/M/ItemReader/ReaderConfig/InputType"]);
    expect(errors(map({ InputType: "JSON", MaxItems: 0 }))).toEqual(["SCHEMA_VALIDATION_FAILED /States/M/ItemReader/ReaderConfig/MaxItems"]);
    expect(errors(map({ InputType: "CSV", CSVHeaderLocation: "GIVEN" }))).toEqual(["SCHEMA_VALIDATION_FAILED /States/M/ItemReader/ReaderConfig"]);
  });

  it("refuses resources Lambent cannot run", () => {
    expect(errors({ StartAt: "A", States: { A: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage", End: true } } })).toEqual(["INVALID_RESOURCE /States/A/Resource"]);
  });

  it("reports unreachable states and machines with no end", () => {
    expect(errors({ StartAt: "A", States: { A: { Type: "Pass", End: true }, B: { Type: "Pass", End: true } } })).toEqual(["MISSING_TRANSITION_TARGET /States/B"]);
    expect(errors({ StartAt: "A", States: { A: { Type: "Pass", Next: "B" }, B: { Type: "Pass", Next: "A" } } })).toEqual(["MISSING_END_STATE /"]);
  });

  it("checks nested machines, with their locations", () => {
    expect(
      errors({ StartAt: "P", States: { P: { Type: "Parallel", Branches: [{ StartAt: "X", States: { X: { Type: "Pass", Next: "Y" } } }], End: true } } }),
    ).toContain("MISSING_TRANSITION_TARGET /States/P/Branches[0]/States/X/Next");
    expect(errors({ StartAt: "M", States: { M: { Type: "Map", ItemProcessor: { StartAt: "X", States: {} }, End: true } } })).toContain("SCHEMA_VALIDATION_FAILED /States/M/ItemProcessor/States");
  });

  it("checks Retry and Catch", () => {
    const task = (extra: object) => ({ StartAt: "T", States: { T: { Type: "Task", Resource: "arn:aws:lambda:us-east-1:123456789012:function:f", End: true, ...extra }, R: { Type: "Succeed" } } });
    expect(errors(task({ Retry: [{ ErrorEquals: ["States.ALL"] }, { ErrorEquals: ["X"] }], Catch: [{ ErrorEquals: ["X"], Next: "R" }] }))).toEqual(["SCHEMA_VALIDATION_FAILED /States/T/Retry[0]/ErrorEquals"]);
    expect(errors(task({ Retry: [{ ErrorEquals: ["X"], BackoffRate: 0.5 }], Catch: [{ ErrorEquals: ["X"], Next: "R" }] }))).toEqual(["SCHEMA_VALIDATION_FAILED /States/T/Retry[0]/BackoffRate"]);
    expect(errors(task({ Catch: [{ ErrorEquals: ["X"], Next: "Nope" }] }))).toContain("MISSING_TRANSITION_TARGET /States/T/Catch[0]/Next");
    expect(errors(task({ TimeoutSeconds: 5, HeartbeatSeconds: 10, Catch: [{ ErrorEquals: ["X"], Next: "R" }] }))).toEqual(["SCHEMA_VALIDATION_FAILED /States/T/HeartbeatSeconds"]);
  });

  it("refuses the callback pattern in express state machines, wherever the task sits", () => {
    const parsed = parseDefinition(JSON.stringify({
      StartAt: "P",
      States: { P: { Type: "Parallel", Branches: [{ StartAt: "T", States: { T: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken", Parameters: { FunctionName: "f" }, End: true } } }], End: true } },
    }));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(expressDiagnostics(parsed.machine).map((diagnostic) => diagnostic.location)).toEqual(["/States/P/Branches[0]/States/T/Resource"]);
  });
});

// Create and UpdateEventSourceMapping settings checked as Lambda checks them.
import { describe, expect, it } from "vitest";
import { LambdaError } from "@lambent/errors";
import type { QueueMapping, StreamMapping } from "@lambent/registry/event-sources";
import { checkFieldsForKind, checkMappingRules, mergeSettings, readMappingSettings } from "./event-source-mapping-settings.js";
import { stateOf } from "./event-source-mappings.js";
import { checkInput } from "./model-input.js";

/** The message of the ValidationException Lambda's model gives an UpdateEventSourceMapping body. */
function modelRefusal(body: Record<string, unknown>): string {
  try {
    checkInput("UpdateEventSourceMapping", { ...body, UUID: "6d6f7a3c-8a5f-4d7e-9c1e-2b3a4c5d6e7f" });
  } catch (error) {
    expect((error as LambdaError).type).toBe("ValidationException");
    return (error as LambdaError).message;
  }
  throw new Error("expected a refusal");
}

function refusal(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(LambdaError);
    expect((error as LambdaError).type).toBe("InvalidParameterValueException");
    return (error as LambdaError).message;
  }
  throw new Error("expected a refusal");
}

const common = {
  uuid: "6d6f7a3c-8a5f-4d7e-9c1e-2b3a4c5d6e7f",
  functionName: "f",
  eventSourceArn: "arn",
  enabled: true,
  batchSize: 10,
  maximumBatchingWindowInSeconds: 0,
  reportBatchItemFailures: false,
  maximumRetryAttempts: -1,
  revisionId: "r1",
  lastModified: 0,
};
const queue: QueueMapping = { ...common, kind: "queue", subject: "orders", stream: "Q", consumer: "c", visibilityTimeoutSeconds: 30 };
const stream: StreamMapping = {
  ...common,
  batchSize: 100,
  kind: "stream",
  stream: "S",
  startingPosition: "LATEST",
  parallelizationFactor: 1,
  maximumRecordAgeInSeconds: -1,
  bisectBatchOnFunctionError: false,
};

describe("readMappingSettings", () => {
  it("reads every setting Lambda takes", () => {
    expect(
      readMappingSettings({
        Enabled: false,
        BatchSize: 50,
        MaximumBatchingWindowInSeconds: 5,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        MaximumRetryAttempts: 3,
        DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:dead" } },
        ScalingConfig: { MaximumConcurrency: 20 },
        ParallelizationFactor: 2,
        MaximumRecordAgeInSeconds: 60,
        BisectBatchOnFunctionError: true,
        StartingPosition: "AT_TIMESTAMP",
        StartingPositionTimestamp: 1_700_000_000,
        TumblingWindowInSeconds: 0,
      }),
    ).toEqual({
      enabled: false,
      batchSize: 50,
      maximumBatchingWindowInSeconds: 5,
      reportBatchItemFailures: true,
      maximumRetryAttempts: 3,
      onFailure: "arn:aws:sqs:us-east-1:000000000000:dead",
      maximumConcurrency: 20,
      parallelizationFactor: 2,
      maximumRecordAgeInSeconds: 60,
      bisectBatchOnFunctionError: true,
      startingPosition: "AT_TIMESTAMP",
      startingPositionTimestamp: 1_700_000_000,
      tumblingWindowInSeconds: 0,
    });
  });

  it("reads an empty OnFailure, an empty ScalingConfig and an empty FunctionResponseTypes as removals", () => {
    expect(readMappingSettings({ DestinationConfig: { OnFailure: {} }, ScalingConfig: {}, FunctionResponseTypes: [] })).toEqual({
      onFailure: null,
      maximumConcurrency: null,
      reportBatchItemFailures: false,
    });
  });

  it("leaves Lambda's ranges to its model, which words them as AWS does", () => {
    expect(modelRefusal({ BatchSize: 0 })).toMatch(/Value '0' at 'batchSize' failed to satisfy constraint: Member must have value greater than or equal to 1/);
    expect(modelRefusal({ BatchSize: 10_001 })).toMatch(/less than or equal to 10000/);
    expect(modelRefusal({ MaximumBatchingWindowInSeconds: 301 })).toMatch(/maximumBatchingWindowInSeconds/);
    expect(modelRefusal({ MaximumRetryAttempts: -2 })).toMatch(/maximumRetryAttempts/);
    expect(modelRefusal({ ParallelizationFactor: 11 })).toMatch(/parallelizationFactor/);
    expect(modelRefusal({ ScalingConfig: { MaximumConcurrency: 1 } })).toMatch(/scalingConfig.maximumConcurrency/);
    expect(modelRefusal({ FunctionResponseTypes: ["Other"] })).toMatch(/Member must satisfy enum value set: \[ReportBatchItemFailures\]/);
    expect(() => checkInput("CreateEventSourceMapping", { FunctionName: "f", StartingPosition: "EARLIEST" })).toThrow(/Value 'EARLIEST' at 'startingPosition'/);
  });

  it("refuses what Lambda's own rules and Lambent refuse", () => {
    expect(refusal(() => readMappingSettings({ MaximumRecordAgeInSeconds: 30 }))).toMatch(/-1 \(unlimited\) or at least 60/);
    expect(refusal(() => readMappingSettings({ DestinationConfig: { OnFailure: { Destination: "arn:aws:lambda:us-east-1:000000000000:function:f" } } }))).toMatch(
      /SNS topic or SQS queue/,
    );
    expect(refusal(() => readMappingSettings({ DestinationConfig: { OnSuccess: { Destination: "arn:aws:sqs:us-east-1:000000000000:ok" } } }))).toMatch(/OnSuccess/);
    expect(refusal(() => readMappingSettings({ FilterCriteria: { Filters: [{ Pattern: "{\"a\": \"b\"}" }] } }))).toBe("Invalid filter pattern definition.");
    expect(readMappingSettings({ FilterCriteria: { Filters: [{ Pattern: "{\"a\": [\"b\"]}" }] } })).toEqual({ filters: ['{"a": ["b"]}'] });
    expect(readMappingSettings({ FilterCriteria: {} })).toEqual({ filters: null });
    expect(readMappingSettings({ TumblingWindowInSeconds: 60 })).toEqual({ tumblingWindowInSeconds: 60 });
  });
});

describe("checkFieldsForKind and checkMappingRules", () => {
  it("refuses stream settings on a queue and queue settings on a stream", () => {
    expect(refusal(() => checkFieldsForKind({ StartingPosition: "LATEST" }, "queue"))).toMatch(/StartingPosition is not valid for a queue/);
    expect(refusal(() => checkFieldsForKind({ BisectBatchOnFunctionError: true }, "queue"))).toMatch(/queue/);
    expect(refusal(() => checkFieldsForKind({ TumblingWindowInSeconds: 60 }, "queue"))).toMatch(/TumblingWindowInSeconds is not valid for a queue/);
    expect(() => checkFieldsForKind({ TumblingWindowInSeconds: 0 }, "queue")).not.toThrow();
    expect(refusal(() => checkFieldsForKind({ ScalingConfig: { MaximumConcurrency: 5 } }, "stream"))).toMatch(/not valid for a stream/);
    expect(() => checkFieldsForKind({ ScalingConfig: {}, BatchSize: 5 }, "stream")).not.toThrow();
  });

  it("needs a batching window for queue batches over 10, and retries for a queue's dead-letter target", () => {
    expect(refusal(() => checkMappingRules({ ...queue, batchSize: 11 }, 0))).toMatch(/batch window/);
    expect(() => checkMappingRules({ ...queue, batchSize: 11, maximumBatchingWindowInSeconds: 1 }, 0)).not.toThrow();
    expect(refusal(() => checkMappingRules({ ...queue, onFailure: "arn:aws:sqs:us-east-1:000000000000:dead" }, 0))).toMatch(/MaximumRetryAttempts/);
    expect(refusal(() => checkMappingRules({ ...queue, maximumRetryAttempts: 1, onFailure: "arn:aws:sqs:us-east-1:000000000000:orders" }, 0))).toMatch(/must not be the queue/);
    expect(() => checkMappingRules({ ...stream, batchSize: 500 }, 0)).not.toThrow();
  });

  it("takes a timestamp only with AT_TIMESTAMP, and not in the future", () => {
    expect(refusal(() => checkMappingRules({ ...stream, startingPosition: "AT_TIMESTAMP" }, 0))).toMatch(/required/);
    expect(refusal(() => checkMappingRules({ ...stream, startingPosition: "AT_TIMESTAMP", startingPositionTimestamp: 2_000 }, 1_000_000))).toMatch(/future/);
    expect(refusal(() => checkMappingRules({ ...stream, startingPositionTimestamp: 1 }, 1_000_000))).toMatch(/only valid with/);
  });
});

describe("mergeSettings", () => {
  it("changes what an update gives and removes what it empties", () => {
    const merged = mergeSettings({ ...queue, onFailure: "arn:aws:sqs:us-east-1:000000000000:dead", maximumConcurrency: 5 }, { batchSize: 3, onFailure: null, maximumConcurrency: null });
    expect(merged).toMatchObject({ batchSize: 3 });
    expect(merged.onFailure).toBeUndefined();
    expect(merged.maximumConcurrency).toBeUndefined();
    expect(mergeSettings(stream, { bisectBatchOnFunctionError: true, parallelizationFactor: 4 })).toMatchObject({ bisectBatchOnFunctionError: true, parallelizationFactor: 4 });
  });
});

describe("stateOf", () => {
  it("is settled once the leading scheduler applied the mapping's revision, on its way before", () => {
    expect(stateOf(queue, undefined)).toBe("Creating");
    expect(stateOf(queue, { lastProcessingResult: "OK" })).toBe("Creating");
    expect(stateOf(queue, { lastProcessingResult: "OK", applied: { revisionId: "r1", enabled: true } })).toBe("Enabled");
    expect(stateOf({ ...queue, enabled: false }, { lastProcessingResult: "OK", applied: { revisionId: "r1", enabled: false } })).toBe("Disabled");
    expect(stateOf({ ...queue, revisionId: "r2", enabled: false }, { lastProcessingResult: "OK", applied: { revisionId: "r1", enabled: true } })).toBe("Disabling");
    expect(stateOf({ ...queue, revisionId: "r2" }, { lastProcessingResult: "OK", applied: { revisionId: "r1", enabled: false } })).toBe("Enabling");
    expect(stateOf({ ...queue, revisionId: "r2" }, { lastProcessingResult: "OK", applied: { revisionId: "r1", enabled: true } })).toBe("Updating");
  });
});

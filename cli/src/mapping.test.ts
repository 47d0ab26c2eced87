// lambent mapping: flags → the request sent (method, path, query, body) against a small local server, and
// the usage errors that stop before any request.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startStubApi, type StubApi } from "./testing/stub-api.js";

const MAPPING = {
  UUID: "6d6f7a3c-8a5f-4d7e-9c1e-2b3a4c5d6e7f",
  EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:orders",
  FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:hello",
  State: "Enabled",
  BatchSize: 10,
  LastProcessingResult: "OK",
  LastModified: 1_700_000_000,
};

let api: StubApi;

beforeEach(async () => {
  api = await startStubApi(({ method }, url) => {
    const list = method === "GET" && url.pathname.endsWith("/event-source-mappings");
    return { status: method === "GET" ? 200 : 202, body: list ? { EventSourceMappings: [MAPPING] } : MAPPING };
  });
});
afterEach(() => api.close());

const run = (...args: string[]) => api.run(args);

/** The requests sent so far, with their JSON bodies parsed. */
const sent = () => api.requests.map((request) => ({ ...request, body: request.body === "" ? undefined : (JSON.parse(request.body) as unknown) }));

describe("lambent mapping", () => {
  it("creates a queue mapping with Lambda's field names", async () => {
    const result = await run(
      "mapping", "create", "--function", "hello", "--source", MAPPING.EventSourceArn, "--batch-size", "20", "--window", "2",
      "--report-item-failures", "--max-retries", "3", "--on-failure", "arn:aws:sqs:us-east-1:000000000000:dead", "--max-concurrency", "5",
      "--visibility-timeout", "60", "--disabled",
    );
    expect(result.code, result.stderr).toBe(0);
    expect(sent()).toEqual([
      {
        method: "POST",
        path: "/2015-03-31/event-source-mappings",
        body: {
          FunctionName: "hello",
          EventSourceArn: MAPPING.EventSourceArn,
          BatchSize: 20,
          MaximumBatchingWindowInSeconds: 2,
          FunctionResponseTypes: ["ReportBatchItemFailures"],
          MaximumRetryAttempts: 3,
          DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:dead" } },
          ScalingConfig: { MaximumConcurrency: 5 },
          VisibilityTimeoutSeconds: 60,
          Enabled: false,
        },
      },
    ]);
    expect(result.stdout).toMatch(/UUID:\s+6d6f7a3c/);
  });

  it("creates a stream mapping from a starting position and time", async () => {
    await run("mapping", "create", "--function", "hello:prod", "--source", "arn:aws:kinesis:us-east-1:000000000000:stream/S", "--starting-position", "AT_TIMESTAMP", "--starting-timestamp", "2024-01-01T00:00:00Z", "--bisect", "--parallelization", "2", "--max-record-age=-1", "--tumbling-window", "60");
    expect(sent()[0]!.body).toEqual({
      FunctionName: "hello:prod",
      EventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/S",
      StartingPosition: "AT_TIMESTAMP",
      StartingPositionTimestamp: 1_704_067_200,
      BisectBatchOnFunctionError: true,
      ParallelizationFactor: 2,
      MaximumRecordAgeInSeconds: -1,
      TumblingWindowInSeconds: 60,
    });
  });

  it("updates only what is given, removes with empty values, and toggles Enabled", async () => {
    await run("mapping", "update", MAPPING.UUID, "--disable", "--on-failure", "", "--max-concurrency", "0", "--no-report-item-failures");
    expect(sent()[0]).toEqual({
      method: "PUT",
      path: `/2015-03-31/event-source-mappings/${MAPPING.UUID}`,
      body: { DestinationConfig: { OnFailure: {} }, ScalingConfig: {}, FunctionResponseTypes: [], Enabled: false },
    });
  });

  it("lists by function, gets and deletes", async () => {
    const listed = await run("mapping", "list", "--function", "hello");
    expect(sent()[0]!.path).toBe("/2015-03-31/event-source-mappings?FunctionName=hello");
    expect(listed.stdout).toMatch(/6d6f7a3c-8a5f-4d7e-9c1e-2b3a4c5d6e7f\s+Enabled\s+hello\s+arn:aws:sqs/);
    await run("mapping", "get", MAPPING.UUID);
    await run("mapping", "delete", MAPPING.UUID);
    expect(sent().slice(1).map((request) => `${request.method} ${request.path}`)).toEqual([
      `GET /2015-03-31/event-source-mappings/${MAPPING.UUID}`,
      `DELETE /2015-03-31/event-source-mappings/${MAPPING.UUID}`,
    ]);
  });

  it("stops on bad usage before sending anything", async () => {
    for (const args of [
      ["mapping"],
      ["mapping", "create", "--source", MAPPING.EventSourceArn],
      ["mapping", "create", "--function", "hello"],
      ["mapping", "update", MAPPING.UUID],
      ["mapping", "update", MAPPING.UUID, "--enable", "--disable"],
      ["mapping", "update", MAPPING.UUID, "--source", MAPPING.EventSourceArn],
      ["mapping", "get"],
      ["mapping", "create", "--function", "hello", "--source", MAPPING.EventSourceArn, "--max-retries", "-2"],
      ["mapping", "frobnicate"],
    ]) {
      const result = await run(...args);
      expect(result.code, args.join(" ")).toBe(2);
    }
    expect(sent()).toEqual([]);
  });
});

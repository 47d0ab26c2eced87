// Lambent's calls for the web console over REST against a real cluster: saved test events (kept in NATS,
// gone with their function), the metrics history's answer for a function that never ran and for several
// functions at once (one that ran among them), the functions list's pages and search with their counts
// (and the page's minutes when asked), and the dead-letter calls' refusals, each in Lambda's error model.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeleteFunctionCommand, InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { ApiPaths, type GetFunctionsMetricsResponse, type SearchFunctionsResponse } from "@lambent/lambda-api";
import { eventually, lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";

const BASE = "/lambent/2024-01-01/functions";
const CODE = zipFiles({ "index.js": "exports.handler = async () => 'ok';" });

let cluster: TestCluster;
let lambda: LambdaClient;

beforeAll(async () => {
  cluster = await startTestCluster();
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  await createTestFunction(lambda, "console-api", CODE);
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; type: string | null; body: Record<string, unknown> }> {
  const response = await fetch(`${cluster.httpUrl}${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}) });
  const text = await response.text();
  return { status: response.status, type: response.headers.get("x-amzn-errortype"), body: text === "" ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

describe("saved test events", () => {
  it("saves, lists, replaces and deletes a function's events, refusing bad names and bad JSON", async () => {
    expect((await call("PUT", `${BASE}/console-api/test-events/first`, { Event: '{"a":1}' })).status).toBe(200);
    expect((await call("PUT", `${BASE}/console-api/test-events/first`, { Event: '{"a":2}' })).status).toBe(200);
    expect((await call("PUT", `${BASE}/console-api/test-events/second`, { Event: "[]" })).status).toBe(200);
    const listed = await call("GET", `${BASE}/console-api/test-events`);
    expect((listed.body["TestEvents"] as { Name: string; Event: string }[]).map(({ Name, Event }) => ({ Name, Event }))).toEqual([
      { Name: "first", Event: '{"a":2}' },
      { Name: "second", Event: "[]" },
    ]);

    const badName = await call("PUT", `${BASE}/console-api/test-events/${"x".repeat(26)}`, { Event: "{}" });
    expect([badName.status, badName.type]).toEqual([400, "InvalidParameterValueException"]);
    const badJson = await call("PUT", `${BASE}/console-api/test-events/bad`, { Event: "{not json" });
    expect([badJson.status, badJson.body["message"] ?? badJson.body["Message"]]).toEqual([400, "Event must be valid JSON"]);
    const notText = await call("PUT", `${BASE}/console-api/test-events/bad`, { Event: { a: 1 } });
    expect(notText.status).toBe(400);
    const unknown = await call("GET", `${BASE}/no-such-function/test-events`);
    expect([unknown.status, unknown.type]).toEqual([404, "ResourceNotFoundException"]);

    expect((await call("DELETE", `${BASE}/console-api/test-events/second`)).status).toBe(204);
    expect((await call("DELETE", `${BASE}/console-api/test-events/second`)).status).toBe(404);
  });

  it("goes with its function", async () => {
    await createTestFunction(lambda, "console-api-gone", CODE);
    expect((await call("PUT", `${BASE}/console-api-gone/test-events/kept`, { Event: "{}" })).status).toBe(200);
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "console-api-gone" }));
    await createTestFunction(lambda, "console-api-gone", CODE);
    expect((await call("GET", `${BASE}/console-api-gone/test-events`)).body).toEqual({ TestEvents: [] });
  });
});

describe("the metrics history", () => {
  it("answers a minute of zeros for every minute of the range of a function that never ran", async () => {
    const answer = await call("GET", `${BASE}/console-api/metrics?since=30m`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ FunctionName: "console-api", PeriodSeconds: 60 });
    const points = answer.body["Metrics"] as { Timestamp: number; Invocations: number; DurationP99: number | null }[];
    expect(points.length).toBeGreaterThanOrEqual(30);
    expect(points.every((point) => point.Invocations === 0 && point.DurationP99 === null && point.Timestamp % 60_000 === 0)).toBe(true);
  });

  it("reads one alias's or version's calls, echoing what it was asked", async () => {
    const answer = await call("GET", `${BASE}/console-api/metrics?since=5m&Qualifier=live&ExecutedVersion=1`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ FunctionName: "console-api", Qualifier: "live", ExecutedVersion: "1" });
    expect((await call("GET", `${BASE}/console-api:1/metrics?since=5m`)).body).toMatchObject({ FunctionName: "console-api", Qualifier: "1" });
  });

  it("refuses a bad start, bad or differing qualifiers, a bad version and an unknown function", async () => {
    expect((await call("GET", `${BASE}/console-api/metrics?since=yesterday`)).status).toBe(400);
    expect((await call("GET", `${BASE}/console-api:1/metrics?Qualifier=live`)).status).toBe(400);
    expect((await call("GET", `${BASE}/console-api/metrics?Qualifier=a.b`)).status).toBe(400);
    expect((await call("GET", `${BASE}/console-api/metrics?ExecutedVersion=live`)).status).toBe(400);
    expect((await call("GET", `${BASE}/no-such-function/metrics`)).status).toBe(404);
  });
});

describe("several functions' metrics at once", () => {
  it("answers each function named, in order, with its own minutes, and refuses too many names or a qualifier", async () => {
    await createTestFunction(lambda, "console-api-ran", CODE);
    await lambda.send(new InvokeCommand({ FunctionName: "console-api-ran" }));
    const ran = await eventually(
      async () => {
        const answer = await call("GET", `${ApiPaths.metrics}?FunctionNames=console-api,console-api-ran,never-created&since=30m`);
        const body = answer.body as unknown as GetFunctionsMetricsResponse;
        const total = (name: string) => body.Functions.find((fn) => fn.FunctionName === name)!.Metrics.reduce((sum, point) => sum + point.Invocations, 0);
        return answer.status === 200 && total("console-api-ran") === 1 ? body : undefined;
      },
      { deadline: 30_000, message: "the call's minute never showed in GetFunctionsMetrics" },
    );
    expect(ran.Functions.map((fn) => fn.FunctionName)).toEqual(["console-api", "console-api-ran", "never-created"]);
    expect(ran.Functions[0]!.Metrics.every((point) => point.Invocations === 0)).toBe(true);
    expect(ran.Functions[2]!.Metrics.length).toBeGreaterThanOrEqual(30);

    const many = Array.from({ length: 101 }, (_, index) => `f${index}`).join(",");
    expect((await call("GET", `${ApiPaths.metrics}?FunctionNames=${many}`)).type).toBe("InvalidParameterValueException");
    expect((await call("GET", `${ApiPaths.metrics}`)).status).toBe(400);
    expect((await call("GET", `${ApiPaths.metrics}?FunctionNames=console-api:1`)).status).toBe(400);
    expect((await call("GET", `${ApiPaths.metrics}?FunctionNames=lambent.>`)).status).toBe(400);
  });
});

describe("the functions list's pages", () => {
  it("pages by name and searches names case-insensitively, with the counts of matches and of all functions", async () => {
    await Promise.all(["page-a", "page-b", "page-c", "Page-D"].map((name) => createTestFunction(lambda, `console-${name}`, CODE)));
    const search = async (query: string) => (await call("GET", `${ApiPaths.searchFunctions}?${query}`)).body as unknown as SearchFunctionsResponse;
    const first = await search("Search=PAGE&MaxItems=3");
    expect(first.Functions.map((fn) => fn.FunctionName)).toEqual(["console-Page-D", "console-page-a", "console-page-b"]);
    expect(first.Matched).toBe(4);
    expect(first.Total).toBeGreaterThanOrEqual(5);
    const second = await search("Search=page&MaxItems=3&Offset=3");
    expect(second.Functions.map((fn) => fn.FunctionName)).toEqual(["console-page-c"]);
    expect(second.Functions[0]).toMatchObject({ Runtime: "nodejs20.x", MemorySize: 128 });
    const all = await search("");
    expect(all.Matched).toBe(all.Total);
    expect((await call("GET", `${ApiPaths.searchFunctions}?Offset=-1`)).type).toBe("InvalidParameterValueException");
    expect((await call("GET", `${ApiPaths.searchFunctions}?MaxItems=0`)).type).toBe("InvalidParameterValueException");

    await lambda.send(new DeleteFunctionCommand({ FunctionName: "console-page-c" }));
    expect((await search("Search=page")).Functions.map((fn) => fn.FunctionName)).toEqual(["console-Page-D", "console-page-a", "console-page-b"]);
  });

  it("answers a page with its functions' minutes when asked for them", async () => {
    await createTestFunction(lambda, "console-page-ran", CODE);
    await lambda.send(new InvokeCommand({ FunctionName: "console-page-ran" }));
    const search = async (query: string) => (await call("GET", `${ApiPaths.searchFunctions}?${query}`)).body as unknown as SearchFunctionsResponse;
    const page = await eventually(
      async () => {
        const answer = await search("Search=console-page-ran&MetricsSince=30m");
        const minutes = answer.Metrics?.Functions.find((fn) => fn.FunctionName === "console-page-ran")?.Metrics ?? [];
        return minutes.reduce((sum, point) => sum + point.Invocations, 0) === 1 ? answer : undefined;
      },
      { deadline: 30_000, message: "the call's minute never showed in SearchFunctions" },
    );
    expect(page.Functions.map((fn) => fn.FunctionName)).toEqual(["console-page-ran"]);
    expect(page.Metrics?.Functions.map((fn) => fn.FunctionName)).toEqual(["console-page-ran"]);
    expect(page.Metrics?.PeriodSeconds).toBe(60);
    expect((await search("Search=console-page-ran")).Metrics).toBeUndefined();
    expect((await search("Search=no-such-function&MetricsSince=30m")).Metrics).toEqual({ PeriodSeconds: 60, Functions: [] });
    expect((await call("GET", `${ApiPaths.searchFunctions}?MetricsSince=yesterday`)).type).toBe("InvalidParameterValueException");
  });
});

describe("dead letters", () => {
  it("lists nothing for a function without a dead-letter queue, and refuses a redrive without one or without sequences", async () => {
    expect((await call("GET", `${BASE}/console-api/dead-letters`)).body).toEqual({ DeadLetters: [] });
    const noSequences = await call("POST", `${BASE}/console-api/dead-letters/redrive`, { Sequences: [] });
    expect([noSequences.status, noSequences.type]).toEqual([400, "InvalidParameterValueException"]);
    const noQueue = await call("POST", `${BASE}/console-api/dead-letters/redrive`, { Sequences: [1] });
    expect([noQueue.status, noQueue.type]).toEqual([400, "InvalidParameterValueException"]);
    expect((await call("GET", `${BASE}/no-such-function/dead-letters`)).status).toBe(404);
  });
});

// lambent trigger: flags → the request sent (method, path, body) against a small local server, the
// human output, and the usage errors that stop before any request.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startStubApi, type StubApi } from "./testing/stub-api.js";
import { parseEvents } from "./commands/trigger.js";

const TRIGGER = {
  Name: "nightly",
  FunctionName: "report",
  FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:report",
  Qualifier: "$LATEST",
  Enabled: true,
  Description: "",
  CreatedAt: "2024-01-02T03:04:05.000Z",
  LastModified: "2024-01-02T03:04:05.000Z",
  Schedule: { Expression: "cron(0 2 * * ? *)", Timezone: "Europe/Paris" },
  NextFireTime: "2024-01-03T01:00:00.000Z",
};

let api: StubApi;

beforeEach(async () => {
  api = await startStubApi(({ method }, url) => {
    const status = method === "DELETE" ? 204 : method === "POST" ? 201 : 200;
    const list = method === "GET" && url.pathname.endsWith("/triggers");
    return { status, ...(status === 204 ? {} : { body: list ? { Triggers: [TRIGGER] } : TRIGGER }) };
  });
});
afterEach(() => api.close());

const run = (...args: string[]) => api.run(args);

describe("lambent trigger", () => {
  it("adds each kind of source through CreateTrigger", async () => {
    const added = await run("trigger", "add", "nightly", "--function", "report", "--schedule", "cron(0 2 * * ? *)", "--timezone", "Europe/Paris", "--input", '{"a":1}');
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^Source:\s+schedule cron\(0 2 \* \* \? \*\) in Europe\/Paris$/m);
    expect(added.stdout).toMatch(/^NextFireTime:\s+2024-01-03T01:00:00\.000Z$/m);
    await run("trigger", "add", "orders", "--function", "report", "--qualifier", "live", "--subject", "orders.*", "--disabled");
    await run("trigger", "--function", "report", "add", "photos", "--bucket", "photos", "--prefix", "raw/", "--suffix", ".jpg", "--events", "created");
    await run("trigger", "add", "stock", "--function", "report", "--kv", "inventory", "--keys", "items.>", "--description", "stock changes");
    expect(api.requests.map((request) => [request.method, request.path, JSON.parse(request.body)])).toEqual([
      [
        "POST",
        "/lambent/2024-01-01/triggers",
        { Name: "nightly", FunctionName: "report", Schedule: { Expression: "cron(0 2 * * ? *)", Timezone: "Europe/Paris", Input: '{"a":1}' } },
      ],
      ["POST", "/lambent/2024-01-01/triggers", { Name: "orders", FunctionName: "report", Topic: { Subject: "orders.*" }, Qualifier: "live", Enabled: false }],
      [
        "POST",
        "/lambent/2024-01-01/triggers",
        { Name: "photos", FunctionName: "report", Bucket: { Bucket: "photos", Events: ["s3:ObjectCreated:*"], Prefix: "raw/", Suffix: ".jpg" } },
      ],
      ["POST", "/lambent/2024-01-01/triggers", { Name: "stock", FunctionName: "report", KeyValue: { Bucket: "inventory", Keys: "items.>" }, Description: "stock changes" }],
    ]);
  });

  it("lists, gets, enables, disables and removes", async () => {
    const listed = await run("trigger", "list", "--function", "report");
    expect(listed.stdout).toBe(
      "NAME     FUNCTION  ENABLED  SOURCE                                      NEXT\nnightly  report    yes      schedule cron(0 2 * * ? *) in Europe/Paris  2024-01-03T01:00:00.000Z\n",
    );
    expect((await run("trigger", "get", "nightly", "--json")).stdout).toContain('"Name": "nightly"');
    expect((await run("trigger", "enable", "nightly")).stdout).toBe("enabled trigger nightly (next fire time 2024-01-03T01:00:00.000Z)\n");
    await run("trigger", "disable", "nightly");
    expect((await run("trigger", "remove", "nightly")).stdout).toBe("removed trigger nightly\n");
    expect(api.requests.map((request) => `${request.method} ${request.path} ${request.body}`)).toEqual([
      "GET /lambent/2024-01-01/triggers?FunctionName=report ",
      "GET /lambent/2024-01-01/triggers/nightly ",
      'PUT /lambent/2024-01-01/triggers/nightly {"Enabled":true}',
      'PUT /lambent/2024-01-01/triggers/nightly {"Enabled":false}',
      "DELETE /lambent/2024-01-01/triggers/nightly ",
    ]);
  });

  it("refuses a missing or second source, and options of another source, before sending anything", async () => {
    for (const args of [
      ["trigger", "add", "t", "--function", "f"],
      ["trigger", "add", "t", "--function", "f", "--subject", "a", "--kv", "b"],
      ["trigger", "add", "t", "--function", "f", "--subject", "a", "--timezone", "UTC"],
      ["trigger", "add", "t", "--schedule", "rate(1 hour)"],
      ["trigger", "add", "t", "--function", "f", "--bucket", "b", "--events", "changed"],
      ["trigger", "frobnicate", "t"],
    ]) {
      const result = await run(...args);
      expect(result.code, args.join(" ")).toBe(2);
    }
    expect(api.requests).toEqual([]);
  });

  it("reads --events words and S3's own names", () => {
    expect(parseEvents("created,removed")).toEqual(["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]);
    expect(parseEvents("s3:ObjectCreated:Put")).toEqual(["s3:ObjectCreated:Put"]);
  });
});

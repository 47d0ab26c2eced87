// event-config, queue and deploy --dlq: flags → request bodies, the requests sent (methods, paths,
// Qualifier) against a small local server, and the usage errors that stop before any request.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startStubApi, type StubApi } from "./testing/stub-api.js";
import { UsageError } from "./command.js";
import { parseSettings } from "./commands/deploy.js";
import { describeEventInvokeConfig, parseEventInvokeSettings } from "./commands/event-config.js";

const QUEUE = "arn:aws:sqs:us-east-1:000000000000:failed";
const CONFIG = {
  FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:hello:$LATEST",
  MaximumRetryAttempts: 1,
  MaximumEventAgeInSeconds: 600,
  DestinationConfig: { OnSuccess: {}, OnFailure: { Destination: QUEUE } },
  LastModified: 1_700_000_000,
};

describe("parseEventInvokeSettings", () => {
  it("maps only the flags given, and an empty ARN to a destination without one", () => {
    expect(parseEventInvokeSettings({})).toEqual({});
    expect(parseEventInvokeSettings({ retries: "0", "max-age": "60", "on-success": "", "on-failure": QUEUE })).toEqual({
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
      DestinationConfig: { OnSuccess: {}, OnFailure: { Destination: QUEUE } },
    });
    expect(parseEventInvokeSettings({ "on-failure": QUEUE })).toEqual({ DestinationConfig: { OnFailure: { Destination: QUEUE } } });
  });

  it("refuses numbers that are not whole", () => {
    expect(() => parseEventInvokeSettings({ retries: "two" })).toThrow(UsageError);
    expect(() => parseEventInvokeSettings({ "max-age": "0" })).toThrow(/--max-age/);
  });

  it("describes a config for people, with destinations that are not set as none", () => {
    const text = describeEventInvokeConfig(CONFIG);
    expect(text).toMatch(/^MaximumEventAge:\s+600 s$/m);
    expect(text).toMatch(/^OnSuccess:\s+none$/m);
    expect(text).toMatch(new RegExp(`^OnFailure:\\s+${QUEUE}$`, "m"));
    expect(text).toMatch(/^LastModified:\s+2023-11-14T22:13:20.000Z$/m);
  });
});

describe("deploy --dlq", () => {
  it("becomes DeadLetterConfig, an empty ARN included", () => {
    expect(parseSettings({ dlq: QUEUE })).toEqual({ DeadLetterConfig: { TargetArn: QUEUE } });
    expect(parseSettings({ dlq: "" })).toEqual({ DeadLetterConfig: { TargetArn: "" } });
  });
});

let api: StubApi;

beforeEach(async () => {
  api = await startStubApi(({ method }, url) => {
    if (url.pathname === "/lambent/2024-01-01/functions/hello/queue") {
      return { status: 200, body: { FunctionName: "hello", Depth: 4, OldestEventAgeMs: 1500, Succeeded: 9, Retried: 3, DeadLettered: 1, DroppedForAge: 2 } };
    }
    if (url.pathname === "/2019-09-25/functions/hello/event-invoke-config/list") {
      return { status: 200, body: url.searchParams.get("Marker") ? { FunctionEventInvokeConfigs: [{ ...CONFIG, FunctionArn: CONFIG.FunctionArn.replace("$LATEST", "prod") }] } : { FunctionEventInvokeConfigs: [CONFIG], NextMarker: "m2" } };
    }
    if (url.pathname === "/2019-09-25/functions/hello/event-invoke-config") {
      return method === "DELETE" ? { status: 204 } : { status: 200, body: CONFIG };
    }
    return { status: 404, body: { message: "no route" } };
  });
});
afterEach(() => api.close());

const run = (...args: string[]) => api.run(args);

describe("lambent event-config", () => {
  it("shows with GET, changes with POST (merge), deletes with DELETE, passing the qualifier", async () => {
    expect((await run("event-config", "hello")).code).toBe(0);
    expect((await run("event-config", "hello", "--qualifier", "prod", "--retries", "1")).code).toBe(0);
    expect((await run("event-config", "hello", "--qualifier", "3", "--delete", "--json")).stdout).toContain('"Deleted": true');
    expect(api.requests.map(({ method, path, body }) => [method, path, body])).toEqual([
      ["GET", "/2019-09-25/functions/hello/event-invoke-config", ""],
      ["POST", "/2019-09-25/functions/hello/event-invoke-config?Qualifier=prod", '{"MaximumRetryAttempts":1}'],
      ["DELETE", "/2019-09-25/functions/hello/event-invoke-config?Qualifier=3", ""],
    ]);
  });

  it("lists every page as a table", async () => {
    const listed = await run("event-config", "hello", "--list");
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.split("\n").filter((line) => line !== "")).toEqual([
      expect.stringMatching(/^QUALIFIER\s+RETRIES\s+MAX AGE\s+ON SUCCESS\s+ON FAILURE$/),
      expect.stringMatching(new RegExp(`^\\$LATEST\\s+1\\s+600 s\\s+-\\s+${QUEUE}$`)),
      expect.stringMatching(new RegExp(`^prod\\s+1\\s+600 s\\s+-\\s+${QUEUE}$`)),
    ]);
    expect(api.requests.map((request) => request.path)).toEqual([
      "/2019-09-25/functions/hello/event-invoke-config/list",
      "/2019-09-25/functions/hello/event-invoke-config/list?Marker=m2",
    ]);
  });

  it.each([
    [["--retries", "1", "--delete"], /--delete cannot be combined/],
    [["--list", "--qualifier", "1"], /--list cannot be combined/],
    [["--list", "--delete"], /--list cannot be combined/],
    [["--qualifier", ""], /--qualifier is empty/],
    [["--retries", "-1"], /--retries/],
  ])("refuses %j before sending anything", async (flags, message) => {
    const result = await run("event-config", "hello", ...flags);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(api.requests).toEqual([]);
  });
});

describe("lambent queue", () => {
  it("prints every count", async () => {
    const result = await run("queue", "hello");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Depth:\s+4$/m);
    expect(result.stdout).toMatch(/^OldestEventAge:\s+1500 ms$/m);
    expect(result.stdout).toMatch(/^DroppedForAge:\s+2$/m);
    expect(JSON.parse((await run("queue", "hello", "--json")).stdout)).toMatchObject({ Depth: 4, Succeeded: 9, Retried: 3, DeadLettered: 1 });
  });
});

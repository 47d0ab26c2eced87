// Malformed and hostile HTTP input: always a Lambda-style error, never a crashed service.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCluster, type TestCluster } from "@lambent/testkit";
import { echo } from "../fixtures/functions.js";

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster();
  await call("POST", "/2015-03-31/functions", {
    FunctionName: "input-echo",
    Runtime: "nodejs22.x",
    Handler: "index.handler",
    Role: "arn:aws:iam::000000000000:role/test",
    Code: { ZipFile: Buffer.from(echo).toString("base64") },
  });
});
afterAll(async () => {
  await cluster?.stop();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(cluster.httpUrl + path, {
    method,
    headers: { "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, errorType: response.headers.get("x-amzn-errortype"), text, headers: response.headers };
}

describe("malformed requests", () => {
  const role = "arn:aws:iam::000000000000:role/test";
  const code = { ZipFile: Buffer.from(echo).toString("base64") };
  it.each([
    ["malformed JSON", "{", "InvalidRequestContentException", 400],
    ["a JSON array", "[1,2]", "InvalidRequestContentException", 400],
    ["a number where a string belongs", { FunctionName: 42, Role: role, Code: code }, "InvalidParameterValueException", 400],
    ["a string where a number belongs", { FunctionName: "x", Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Code: code, MemorySize: "big" }, "InvalidParameterValueException", 400],
    ["no code", { FunctionName: "x", Runtime: "nodejs20.x", Handler: "index.handler", Role: role }, "ValidationException", 400],
    ["code that is not base64", { FunctionName: "x", Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Code: { ZipFile: "@@@" } }, "InvalidParameterValueException", 400],
    ["an S3 location", { FunctionName: "x", Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Code: { S3Bucket: "bucket", S3Key: "k" } }, "InvalidParameterValueException", 400],
  ])("CreateFunction with %s → %s", async (_label, body, errorType, status) => {
    const answer = await call("POST", "/2015-03-31/functions", body);
    expect(answer.status).toBe(status);
    expect(answer.errorType).toBe(errorType);
    // A ValidationException is AWS's request layer's: a lone message, no Type.
    expect(JSON.parse(answer.text)).toEqual(errorType === "ValidationException" ? { message: expect.any(String) } : { Type: "User", message: expect.any(String) });
  });

  it("answers an unknown path with ResourceNotFoundException", async () => {
    const answer = await call("GET", "/2015-03-31/nothing-here");
    expect(answer.status).toBe(404);
    expect(answer.errorType).toBe("ResourceNotFoundException");
  });

  it("refuses an unknown invocation type and log type", async () => {
    const path = "/2015-03-31/functions/input-echo/invocations";
    // Both are enums of Lambda's model: AWS's request validation refuses them.
    const invocationType = await call("POST", path, "{}", { "x-amz-invocation-type": "Sometimes" });
    expect(invocationType.errorType).toBe("ValidationException");
    expect(JSON.parse(invocationType.text)).toEqual({
      message: "1 validation error detected: Value 'Sometimes' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]",
    });
    expect((await call("POST", path, "{}", { "x-amz-log-type": "Loud" })).errorType).toBe("ValidationException");
  });

  it("refuses a 7 MB invoke body with 413 before reading it all", async () => {
    const answer = await call("POST", "/2015-03-31/functions/input-echo/invocations", JSON.stringify("x".repeat(7 * 1024 * 1024)));
    expect(answer.status).toBe(413);
    expect(answer.errorType).toBe("RequestTooLargeException");
  });

  it("refuses payloads that are invalid UTF-8 as not JSON", async () => {
    const response = await fetch(`${cluster.httpUrl}/2015-03-31/functions/input-echo/invocations`, {
      method: "POST",
      body: new Uint8Array([0x22, 0xff, 0xfe, 0x22]),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("x-amzn-errortype")).toBe("InvalidRequestContentException");
  });

  it("invokes with the Lambda response headers", async () => {
    const answer = await call("POST", "/2015-03-31/functions/input-echo/invocations", '{"k":1}');
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('{"k":1}');
    expect(answer.headers.get("x-amz-executed-version")).toBe("$LATEST");
    expect(answer.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("is still healthy after all of that", async () => {
    expect((await call("GET", "/healthz")).status).toBe(200);
  });
});

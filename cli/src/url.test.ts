// lambent url: flags → the request sent (method, path, Qualifier, body) against a small local server, and
// the usage errors that stop before any request.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startStubApi, type StubApi } from "./testing/stub-api.js";
import { describeFunctionUrlConfig } from "./commands/url.js";

const CONFIG = {
  FunctionUrl: "http://127.0.0.1:8080/lambent-url/abcdefghijklmnopqrstuvwxyz012345/",
  FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:hello",
  AuthType: "NONE",
  CreationTime: "2024-01-02T03:04:05.000Z",
  InvokeMode: "BUFFERED",
};

let api: StubApi;

beforeEach(async () => {
  api = await startStubApi(({ method }) => {
    const status = method === "DELETE" ? 204 : method === "POST" ? 201 : 200;
    return { status, ...(status === 204 ? {} : { body: CONFIG }) };
  });
});
afterEach(() => api.close());

const run = (...args: string[]) => api.run(args);

describe("lambent url", () => {
  it("shows, creates, changes and deletes through Lambda's paths", async () => {
    const shown = await run("url", "hello");
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^FunctionUrl:\s+http:\/\/127\.0\.0\.1:8080\/lambent-url\/[a-z0-9]{32}\/$/m);
    expect((await run("url", "hello", "--qualifier", "live", "--create", "--cors-origin", "https://a.example", "--cors-origin", "*")).code).toBe(0);
    expect((await run("url", "hello", "--cors-origin", "https://b.example")).code).toBe(0);
    expect((await run("url", "hello", "--delete", "--json")).stdout).toContain('"Deleted": true');
    expect(api.requests).toEqual([
      { method: "GET", path: "/2021-10-31/functions/hello/url", body: "" },
      {
        method: "POST",
        path: "/2021-10-31/functions/hello/url?Qualifier=live",
        body: JSON.stringify({ AuthType: "NONE", Cors: { AllowOrigins: ["https://a.example", "*"] } }),
      },
      { method: "PUT", path: "/2021-10-31/functions/hello/url", body: JSON.stringify({ Cors: { AllowOrigins: ["https://b.example"] } }) },
      { method: "DELETE", path: "/2021-10-31/functions/hello/url", body: "" },
    ]);
  });

  it("creates and changes the auth type", async () => {
    expect((await run("url", "hello", "--create", "--auth-type", "AWS_IAM")).code).toBe(0);
    expect((await run("url", "hello", "--auth-type", "NONE")).code).toBe(0);
    expect(api.requests.map(({ method, body }) => [method, body])).toEqual([
      ["POST", JSON.stringify({ AuthType: "AWS_IAM" })],
      ["PUT", JSON.stringify({ AuthType: "NONE" })],
    ]);
  });

  it("refuses --create with --delete, and an unknown auth type, before sending anything", async () => {
    expect((await run("url", "hello", "--create", "--delete")).code).toBe(2);
    const unknown = await run("url", "hello", "--create", "--auth-type", "TOKEN");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--auth-type must be NONE or AWS_IAM");
    expect(api.requests).toEqual([]);
  });

  it("describes a config without CORS as none", () => {
    expect(describeFunctionUrlConfig(CONFIG)).toMatch(/^CorsOrigins:\s+none$/m);
  });
});

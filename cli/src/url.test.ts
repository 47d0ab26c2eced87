// lambent url: flags → the request sent (method, path, Qualifier, body) against a small local server, and
// the usage errors that stop before any request.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "./cli.js";
import type { CliIo } from "./command.js";
import { describeFunctionUrlConfig } from "./commands/url.js";

const CONFIG = {
  FunctionUrl: "http://127.0.0.1:8080/lambent-url/abcdefghijklmnopqrstuvwxyz012345/",
  FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:hello",
  AuthType: "NONE",
  CreationTime: "2024-01-02T03:04:05.000Z",
  InvokeMode: "BUFFERED",
};

interface Recorded {
  method: string;
  path: string;
  body: string;
}

let endpoint: string;
let requests: Recorded[];
let close: () => Promise<void>;

beforeEach(async () => {
  requests = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://localhost");
      requests.push({ method: request.method ?? "", path: url.pathname + url.search, body: Buffer.concat(chunks).toString("utf8") });
      const status = request.method === "DELETE" ? 204 : request.method === "POST" ? 201 : 200;
      response.writeHead(status, { "Content-Type": "application/json" });
      response.end(status === 204 ? "" : JSON.stringify(CONFIG));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise((resolve) => server.close(() => resolve()));
});
afterEach(async () => close());

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { LAMBENT_ENDPOINT: endpoint },
    cwd: process.cwd(),
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

describe("lambent url", () => {
  it("shows, creates, changes and deletes through Lambda's paths", async () => {
    const shown = await run("url", "hello");
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^FunctionUrl:\s+http:\/\/127\.0\.0\.1:8080\/lambent-url\/[a-z0-9]{32}\/$/m);
    expect((await run("url", "hello", "--qualifier", "live", "--create", "--cors-origin", "https://a.example", "--cors-origin", "*")).code).toBe(0);
    expect((await run("url", "hello", "--cors-origin", "https://b.example")).code).toBe(0);
    expect((await run("url", "hello", "--delete", "--json")).stdout).toContain('"Deleted": true');
    expect(requests).toEqual([
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

  it("refuses --create with --delete before sending anything", async () => {
    const result = await run("url", "hello", "--create", "--delete");
    expect(result.code).toBe(2);
    expect(requests).toEqual([]);
  });

  it("describes a config without CORS as none", () => {
    expect(describeFunctionUrlConfig(CONFIG)).toMatch(/^CorsOrigins:\s+none$/m);
  });
});

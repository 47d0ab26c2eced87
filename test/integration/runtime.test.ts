// What code inside the isolate has, on a real cluster: Node built-ins, the package's own files and
// /tmp, and fetch to a server of the test's own (loopback is allowed for this cluster only).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";

const builtins = zipFiles({
  "index.js": `
const crypto = require("node:crypto");
const path = require("path");
const util = require("util");
const { EventEmitter } = require("events");
const assert = require("assert/strict");
const qs = require("querystring");
const os = require("os");
const { pipeline } = require("stream/promises");
const { Readable, Writable } = require("stream");

exports.handler = async (event) => {
  const emitter = new EventEmitter();
  const heard = [];
  emitter.on("tick", (n) => heard.push(n));
  emitter.emit("tick", 1);
  assert.deepStrictEqual({ a: [1] }, { a: [1] });
  const chunks = [];
  await pipeline(Readable.from(["x", "y"]), new Writable({ write(chunk, _e, cb) { chunks.push(String(chunk)); cb(); } }));
  return {
    sha256: crypto.createHash("sha256").update(event.text).digest("hex"),
    hmac: crypto.createHmac("sha1", "k").update(event.text).digest("base64"),
    uuid: crypto.randomUUID().length,
    joined: path.join("/var/task", "a", "..", "b.txt"),
    formatted: util.format("%s:%d", "n", 42),
    heard,
    query: qs.stringify({ q: "a b" }),
    url: new URL("/p?x=1", "https://example.com").href,
    base64: Buffer.from(event.text).toString("base64"),
    platform: os.platform(),
    streamed: chunks.join(""),
    encoded: Array.from(new TextEncoder().encode("é")),
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    taskRoot: process.env.LAMBDA_TASK_ROOT,
  };
};
`,
});

const templating = zipFiles({
  "index.js": `
const fs = require("fs");
const path = require("path");
const template = fs.readFileSync(path.join(__dirname, "templates", "page.html"), "utf8");
exports.handler = async (event) => {
  const counter = "/tmp/count.txt";
  const count = fs.existsSync(counter) ? Number(fs.readFileSync(counter, "utf8")) + 1 : 1;
  fs.writeFileSync(counter, String(count));
  const readOnly = (() => { try { fs.writeFileSync(path.join(__dirname, "templates", "page.html"), "x"); return "written"; } catch (e) { return e.code; } })();
  const fromPromise = await fs.promises.readFile("templates/page.html", "utf8");
  return { html: template.replace("{{name}}", event.name), count, readOnly, same: fromPromise === template };
};
`,
  "templates/page.html": "<h1>Hello {{name}}</h1>",
});

const caller = zipFiles({
  "index.mjs": `
export const handler = async (event) => {
  const response = await fetch(event.url + "/greet", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Ada" }) });
  return { status: response.status, body: await response.json(), header: response.headers.get("x-served-by") };
};
`,
});

let cluster: TestCluster;
let lambda: LambdaClient;
let server: Server;
let serverUrl: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const { name } = JSON.parse(Buffer.concat(chunks).toString() || "{}") as { name?: string };
      response.writeHead(200, { "content-type": "application/json", "x-served-by": "test" });
      response.end(JSON.stringify({ greeting: `hello ${name}`, path: request.url, method: request.method }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cluster = await startTestCluster({ env: { LAMBENT_FETCH_ALLOW: "127.0.0.1" } });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  await createTestFunction(lambda, "builtins", builtins);
  await createTestFunction(lambda, "templating", templating);
  await createTestFunction(lambda, "caller", caller);
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
  server?.close();
});

async function invoke(name: string, event: unknown): Promise<unknown> {
  const answer = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode(JSON.stringify(event)) }));
  const text = new TextDecoder().decode(answer.Payload);
  if (answer.FunctionError) throw new Error(`${name} failed: ${text}`);
  return JSON.parse(text);
}

describe("the runtime on a real cluster", () => {
  it("offers the Node built-ins Lambda code uses", async () => {
    expect(await invoke("builtins", { text: "abc" })).toEqual({
      sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      hmac: "+b7wkf4A2fUShZODbbqZ4ZPwgXQ=",
      uuid: 36,
      joined: "/var/task/b.txt",
      formatted: "n:42",
      heard: [1],
      query: "q=a%20b",
      url: "https://example.com/p?x=1",
      base64: "YWJj",
      platform: "linux",
      streamed: "xy",
      encoded: [195, 169],
      functionName: "builtins",
      taskRoot: "/var/task",
    });
  });

  it("reads a template from its package and keeps /tmp while warm", async () => {
    const first = (await invoke("templating", { name: "Ada" })) as { count: number };
    expect(first).toEqual({ html: "<h1>Hello Ada</h1>", count: 1, readOnly: "EROFS", same: true });
    const second = (await invoke("templating", { name: "Bob" })) as { count: number; html: string };
    expect(second.html).toBe("<h1>Hello Bob</h1>");
    expect(second.count).toBe(2);
  });

  it("calls the test's own HTTP server with fetch", async () => {
    expect(await invoke("caller", { url: serverUrl })).toEqual({
      status: 200,
      body: { greeting: "hello Ada", path: "/greet", method: "POST" },
      header: "test",
    });
  });
});

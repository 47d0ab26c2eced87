// `http` and `https` clients inside the isolate: Node's request API, carried out by the host's fetch
// under the same egress policy, against a real server.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { esmBundle, functionRecord, testInvoker, type TestInvoker } from "../testing/fixtures.js";

let counter = 0;
function deploy(t: TestInvoker, body: string): string {
  const name = `http-${++counter}`;
  t.deploy(
    functionRecord({ functionName: name }),
    esmBundle(`const require = (name) => globalThis.__lambentRequire(name);
const http = require("node:http");
const collect = (response) => new Promise((resolve, reject) => { const chunks = []; response.on("data", (c) => chunks.push(c)); response.on("end", () => resolve(Buffer.concat(chunks).toString())); response.on("error", reject); });
const userModule = { handler: async (event) => { ${body} } };`),
  );
  return name;
}

async function result(t: TestInvoker, name: string, event: unknown = {}): Promise<unknown> {
  const reply = await t.invoke(name, event);
  if (reply.header.functionError) throw new Error(`function failed: ${reply.text}`);
  return reply.json;
}

describe("http client", () => {
  let server: Server;
  let base: string;
  const t = testInvoker({}, { fetch: { allow: ["127.0.0.1"], maxResponseBytes: 64 * 1024, timeoutMs: 5000 } });
  const strict = testInvoker();

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        if (request.url === "/gzip") {
          response.writeHead(200, { "content-encoding": "gzip", "content-type": "text/plain" }).end(gzipSync("unzipped by the host"));
        } else if (request.url === "/redirect") {
          response.writeHead(302, { location: "/echo" }).end();
        } else if (request.url === "/never") {
          // Answers only when the client has gone: the function's timeout fires first.
          request.socket.once("close", () => response.destroy());
        } else {
          response.setHeader("set-cookie", ["a=1", "b=2"]);
          response.setHeader("content-type", "application/json");
          response.end(JSON.stringify({ method: request.method, url: request.url, header: request.headers["x-test"], auth: request.headers.authorization, body: Buffer.concat(chunks).toString() }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    t.close();
    strict.close();
    server.closeAllConnections();
    server.close();
  });

  it("sends a request written in parts and streams the response back", async () => {
    const name = deploy(
      t,
      `const url = new URL(event.base);
       const response = await new Promise((resolve, reject) => {
         const request = http.request({ hostname: url.hostname, port: url.port, path: "/echo?q=1", method: "POST", headers: { "x-test": "yes", "content-length": 7 }, auth: "user:pass" }, resolve);
         request.on("error", reject);
         request.write("one ");
         request.end(Buffer.from("two"));
       });
       const text = await collect(response);
       return [response.statusCode, response.statusMessage, response.headers["content-type"], response.headers["set-cookie"], JSON.parse(text)];`,
    );
    expect(await result(t, name, { base })).toEqual([
      200,
      "OK",
      "application/json",
      ["a=1", "b=2"],
      { method: "POST", url: "/echo?q=1", header: "yes", auth: `Basic ${Buffer.from("user:pass").toString("base64")}`, body: "one two" },
    ]);
  });

  it("gets by URL, leaves redirects to the caller and hands over a body the host decompressed", async () => {
    const name = deploy(
      t,
      `const get = (path) => new Promise((resolve, reject) => http.get(event.base + path, resolve).on("error", reject));
       const redirect = await get("/redirect"); await collect(redirect);
       const zipped = await get("/gzip");
       return [redirect.statusCode, redirect.headers.location, await collect(zipped), zipped.headers["content-encoding"] ?? "none"];`,
    );
    expect(await result(t, name, { base })).toEqual([302, "/echo", "unzipped by the host", "none"]);
  });

  it("emits 'timeout' for a request that takes too long, and 'abort' without an error when aborted", async () => {
    const name = deploy(
      t,
      `const events = [];
       await new Promise((resolve) => {
         const request = http.get(event.base + "/never");
         request.setTimeout(50, () => { events.push("timeout"); request.abort(); });
         request.on("abort", () => { events.push("abort"); resolve(); });
         request.on("error", (error) => events.push("error " + error.code));
       });
       return events;`,
    );
    expect(await result(t, name, { base })).toEqual(["timeout", "abort"]);
  });

  it("fails with an error event saying why when the egress policy refuses the address", async () => {
    const name = deploy(
      strict,
      `return await new Promise((resolve) => http.get(event.base + "/echo", () => resolve("answered")).on("error", (error) => resolve(error.code + " " + error.message)));`,
    );
    expect(await result(strict, name, { base })).toMatch(/^ECONNREFUSED fetch to http:\/\/127\.0\.0\.1:\d+ refused: .*loopback address/);
  });

  it("answers in process with ServerResponse: the status line and headers ahead of the body, then 'finish'", async () => {
    const name = deploy(
      t,
      `const written = [];
       const response = new http.ServerResponse({ method: "GET" });
       response.assignSocket({ writable: true, write: (data, encoding, callback) => { written.push(String(data)); if (typeof callback === "function") callback(); } });
       response.setHeader("Content-Type", "text/plain");
       response.statusCode = 201;
       response.write("hello ");
       let late; try { response.setHeader("x-late", "1"); } catch (error) { late = error.code; }
       const finished = new Promise((resolve) => response.on("finish", resolve));
       response.end("world");
       await finished;
       const head = written[0].split("\\r\\n");
       return [head[0], head.includes("Content-Type: text/plain"), written.slice(1), response.headersSent, response.finished, late, response.getHeaders()["content-type"]];`,
    );
    expect(await result(t, name, { base })).toEqual(["HTTP/1.1 201 Created", true, ["hello ", "world"], true, true, "ERR_HTTP_HEADERS_SENT", "text/plain"]);
  });

  it("offers https with its own agent, and no servers", async () => {
    const name = deploy(
      t,
      `const https = require("https");
       let refused; try { http.createServer(); } catch (error) { refused = error.code; }
       return [new https.Agent({ keepAlive: true }).keepAlive, https.globalAgent.defaultPort, http.globalAgent.defaultPort, http.STATUS_CODES[404], refused];`,
    );
    expect(await result(t, name, { base })).toEqual([true, 443, 80, "Not Found", "ERR_METHOD_NOT_IMPLEMENTED"]);
  });
});

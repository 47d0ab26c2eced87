// `http2` clients inside the isolate, carried out by the host's Node http2 client against real local
// servers (h2c, and h2 over TLS): requests and responses as Node's streams give them, flow control on a
// large body, timeouts, the egress policy's refusal, and sessions closed with the call that opened them.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createSecureServer, createServer, type Http2SecureServer, type Http2Server, type ServerHttp2Session, type ServerHttp2Stream } from "node:http2";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerInNode, answerOf, esmBundle, functionRecord, handlerBundle, testInvoker, type TestInvoker } from "../testing/fixtures.js";

let counter = 0;
function deploy(t: TestInvoker, body: string): string {
  const name = `h2-${++counter}`;
  t.deploy(functionRecord({ functionName: name, timeout: 10 }), handlerBundle(body, `const http2 = require("node:http2");`));
  return name;
}

/** Answers every request: /echo sends the body back, /big 2 MB, /slow nothing for a while, /hang never. */
function serve(stream: ServerHttp2Stream, headers: Record<string, unknown>): void {
  const path = String(headers[":path"]);
  if (path === "/echo") {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      stream.respond({ ":status": 201, "content-type": "text/plain", "x-method": String(headers[":method"]) });
      stream.end(`echo:${Buffer.concat(chunks).toString()}`);
    });
    return;
  }
  if (path === "/big") {
    stream.respond({ ":status": 200 });
    stream.end(Buffer.alloc(2 * 1024 * 1024, 97));
    return;
  }
  if (path === "/hang") return;
  stream.respond({ ":status": 200, "content-type": "application/json", "set-cookie": ["a=1", "b=2"] });
  stream.end(JSON.stringify({ path, scheme: headers[":scheme"], authority: headers[":authority"], agent: headers["user-agent"] ?? null }));
}

describe("http2 in the isolate", () => {
  let plain: Http2Server;
  let secure: Http2SecureServer;
  let plainUrl: string;
  let secureUrl: string;
  let ca: string;
  const directory = mkdtempSync(join(tmpdir(), "lambent-h2-"));
  const sessions: ServerHttp2Session[] = [];
  const t = testInvoker({}, { fetch: { allow: ["127.0.0.1"], timeoutMs: 5000 } });
  const strict = testInvoker();

  beforeAll(async () => {
    const [cert, key] = [join(directory, "cert.pem"), join(directory, "key.pem")];
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-days", "2"], { stdio: "ignore" });
    ca = readFileSync(cert, "utf8");
    plain = createServer();
    secure = createSecureServer({ cert: readFileSync(cert), key: readFileSync(key) });
    for (const server of [plain, secure]) {
      server.on("stream", serve);
      server.on("session", (session: ServerHttp2Session) => sessions.push(session));
    }
    await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
    await new Promise<void>((resolve) => secure.listen(0, "127.0.0.1", resolve));
    plainUrl = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
    secureUrl = `https://127.0.0.1:${(secure.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    t.close();
    strict.close();
    for (const session of sessions) session.destroy();
    plain.close();
    secure.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it("makes requests over h2c: response headers, a body each way, and several streams on one session", async () => {
    const name = deploy(
      t,
      `const session = http2.connect(event.url);
const connected = await new Promise((resolve, reject) => { session.once("connect", () => resolve([session.alpnProtocol, session.encrypted])); session.once("error", reject); });
const read = (stream) => new Promise((resolve, reject) => {
  let headers; const chunks = [];
  stream.on("response", (h) => { headers = h; });
  stream.on("data", (chunk) => chunks.push(chunk));
  stream.on("end", () => resolve({ status: headers[":status"], type: headers["content-type"], cookies: headers["set-cookie"], method: headers["x-method"] ?? null, body: Buffer.concat(chunks).toString() }));
  stream.on("error", reject);
});
const get = session.request({ ":path": "/hello?x=1", "user-agent": "isolate" });
const post = session.request({ ":method": "POST", ":path": "/echo" });
post.write("part one, ");
post.end("part two");
const [got, posted] = await Promise.all([read(get), read(post)]);
const closed = await new Promise((resolve) => session.close(() => resolve(session.closed && session.destroyed)));
return { connected, got, posted, closed };`,
    );
    const port = new URL(plainUrl).port;
    expect(await answerOf(t, name, { url: plainUrl })).toEqual({
      connected: ["h2c", false],
      got: { status: 200, type: "application/json", cookies: ["a=1", "b=2"], method: null, body: JSON.stringify({ path: "/hello?x=1", scheme: "http", authority: `127.0.0.1:${port}`, agent: "isolate" }) },
      posted: { status: 201, type: "text/plain", cookies: undefined, method: "POST", body: "echo:part one, part two" },
      closed: true,
    });
  });

  it("speaks h2 over TLS, checking the server's certificate, and reads a large body through flow control", async () => {
    const name = deploy(
      t,
      `const attempt = (options) => new Promise((resolve) => {
  const session = http2.connect(event.url, options);
  session.on("error", (error) => resolve({ error: error.code }));
  const stream = session.request({ ":path": "/big" });
  stream.on("error", () => undefined);
  let size = 0; let paused = false;
  stream.on("data", (chunk) => {
    size += chunk.length;
    // A slow reader: the host stops reading and the server waits for HTTP/2's window.
    if (!paused && size > 256 * 1024) { paused = true; stream.pause(); setTimeout(() => stream.resume(), 50); }
  });
  stream.on("end", () => { resolve({ size, alpn: session.alpnProtocol, encrypted: session.encrypted }); session.close(); });
});
return [await attempt({ ca: event.ca }), await attempt({})];`,
    );
    expect(await answerOf(t, name, { url: secureUrl, ca })).toEqual([{ size: 2 * 1024 * 1024, alpn: "h2", encrypted: true }, { error: "DEPTH_ZERO_SELF_SIGNED_CERT" }]);
  });

  it("cancels a stream waiting for a session that cannot connect, as Node does (the AWS SDK's Kinesis client reports that error)", async () => {
    const closed = createNetServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const body = `const session = http2.connect("http://127.0.0.1:" + event.port);
const events = [];
session.on("error", (error) => events.push(["session", error.code]));
const stream = session.request({ ":path": "/" });
stream.on("error", (error) => events.push(["stream", error.name, error.code, error.message.replace(/\\(caused by: .*\\)/, "(caused by …)"), error.cause && error.cause.code]));
await new Promise((resolve) => session.on("close", resolve));
return events;`;
    const name = deploy(t, body);
    const inIsolate = await answerOf(t, name, { port });
    expect(inIsolate).toEqual(await answerInNode(`const http2 = require("node:http2");\n${body}`, { port }));
    expect(inIsolate).toEqual([["stream", "Error", "ERR_HTTP2_STREAM_CANCEL", "The pending stream has been canceled (caused by …)", "ECONNREFUSED"], ["session", "ECONNREFUSED"]]);
  });

  it("times a stream out with setTimeout, and a sync handler's open session keeps its event loop alive until it closes", async () => {
    const timing = deploy(
      t,
      `const session = http2.connect(event.url);
const stream = session.request({ ":path": "/hang" });
await new Promise((resolve) => stream.setTimeout(50, resolve));
stream.close(http2.constants.NGHTTP2_CANCEL);
session.close();
return "timed out";`,
    );
    expect(await answerOf(t, timing, { url: plainUrl })).toBe("timed out");

    // Neither async nor calling back: it answers once the session has closed.
    t.deploy(
      functionRecord({ functionName: "h2-sync", timeout: 10 }),
      esmBundle(`const userModule = { handler: (event) => {
  const session = globalThis.__lambentRequire("http2").connect(event.url);
  const stream = session.request({ ":path": "/loop" });
  stream.setEncoding("utf8");
  stream.on("data", (text) => console.log("h2 said", text));
  stream.on("end", () => session.close(() => console.log("h2 session closed")));
} };`),
    );
    const reply = await t.invoke("h2-sync", { url: plainUrl });
    expect(reply.text).toBe("null");
    expect(reply.log).toContain('h2 said {"path":"/loop"');
    expect(reply.log).toContain("h2 session closed");
  });
});

describe("http2 in the isolate, attacked", () => {
  let server: Http2Server;
  let url: string;
  const opened: ServerHttp2Session[] = [];
  const t = testInvoker({}, { fetch: { allow: ["127.0.0.1"], timeoutMs: 5000 } });
  const strict = testInvoker();

  beforeAll(async () => {
    server = createServer();
    server.on("stream", serve);
    server.on("session", (session: ServerHttp2Session) => opened.push(session));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    t.close();
    strict.close();
    for (const session of opened) session.destroy();
    server.close();
  });

  it("refuses sessions to addresses the egress policy forbids, as Node-shaped errors", async () => {
    const name = deploy(
      strict,
      `const attempt = (authority) => new Promise((resolve) => {
  const session = http2.connect(authority);
  session.on("error", (error) => resolve([error.code, error.message]));
  session.on("connect", () => resolve("connected"));
});
const wrongScheme = (() => { try { http2.connect("ftp://example.com"); return "ran"; } catch (error) { return error.code; } })();
return [await attempt(event.url), await attempt("http://169.254.169.254"), await attempt("http://[::1]:80"), wrongScheme];`,
    );
    const [loopback, metadata, ipv6, wrongScheme] = (await answerOf(strict, name, { url })) as [string, string][];
    expect(loopback![0]).toBe("EACCES");
    expect(loopback![1]).toContain("refused");
    expect(metadata![0]).toBe("EACCES");
    expect(ipv6![0]).toBe("EACCES");
    expect(wrongScheme).toBe("ERR_HTTP2_UNSUPPORTED_PROTOCOL");
    expect(opened).toHaveLength(0);
  });

  it("closes a session, and its hanging stream, left open past the call", async () => {
    const name = deploy(
      t,
      `const session = http2.connect(event.url);
const stream = session.request({ ":path": "/hang" });
stream.on("error", () => undefined);
await new Promise((resolve) => session.once("connect", resolve));
return "left open";`,
    );
    const before = opened.length;
    expect(await answerOf(t, name, { url })).toBe("left open");
    const session = opened[before];
    expect(session).toBeDefined();
    if (!session!.closed && !session!.destroyed) await new Promise((resolve) => session!.once("close", resolve));
    expect(session!.destroyed).toBe(true);
  });

  it("holds a session within the socket limits: an environment opens at most 32 at once", async () => {
    const name = deploy(
      t,
      `const sessions = [];
let refused;
for (let i = 0; i < 40 && !refused; i++) {
  try { sessions.push(http2.connect(event.url)); } catch (error) { refused = [i, error.code]; }
}
for (const session of sessions) session.destroy();
return refused;`,
    );
    expect(await answerOf(t, name, { url })).toEqual([32, "EMFILE"]);
  });
});

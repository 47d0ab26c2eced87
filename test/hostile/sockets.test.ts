// Hostile function code with `net`, `tls`, `dns` and `http2` on a real cluster: sockets reach only what the egress
// policy allows (here one loopback address, 127.0.0.2, where this test's own server listens; the cluster
// itself is on 127.0.0.1), the host holds its socket caps and bounds what it buffers for a slow reader,
// closes what a call leaves open, and keeps each environment's sockets its own. After each attack an
// ordinary function on the same worker still answers.
import { createServer as createHttp2Server, type ServerHttp2Session } from "node:http2";
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { bystander } from "../fixtures/hostile-probes.js";

const SERVER_ADDRESS = "127.0.0.2";
/** What the test's server sends a reader that asked for a flood, unless the reader holds it back first. */
const FLOOD_BYTES = 256 * 1024 * 1024;

let cluster: TestCluster;
let lambda: LambdaClient;
let server: Server;
let port: number;
/** Every connection the server accepted, with what it received and how much it managed to send. */
const connections: { socket: Socket; received: string; sent: number; closed: boolean }[] = [];

beforeAll(async () => {
  server = createServer((socket) => {
    const connection = { socket, received: "", sent: 0, closed: false };
    connections.push(connection);
    socket.on("error", () => undefined);
    socket.on("close", () => (connection.closed = true));
    socket.on("data", (chunk) => {
      connection.received += chunk.toString();
      if (!connection.received.endsWith("flood")) return;
      const piece = Buffer.alloc(64 * 1024, 120);
      const pump = (): void => {
        while (connection.sent < FLOOD_BYTES && !socket.destroyed) {
          connection.sent += piece.length;
          if (!socket.write(piece)) return void socket.once("drain", pump);
        }
      };
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, SERVER_ADDRESS, resolve));
  port = (server.address() as AddressInfo).port;
  cluster = await startTestCluster({ env: { LAMBENT_FETCH_ALLOW: SERVER_ADDRESS } });
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  await createTestFunction(lambda, bystander.name, bystander.code, bystander.config);
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
  for (const { socket } of connections) socket.destroy();
  server?.close();
});

async function invoke(name: string, event: unknown = {}): Promise<{ error?: string; payload: unknown }> {
  const answer = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode(JSON.stringify(event)) }));
  const payload = JSON.parse(new TextDecoder().decode(answer.Payload)) as unknown;
  return answer.FunctionError ? { error: answer.FunctionError, payload } : { payload };
}

async function expectBystanderUnharmed(): Promise<void> {
  expect(await invoke("bystander")).toEqual({ payload: { polluted: null, arrayPolluted: null, ok: true } });
}

async function deploy(name: string, body: string, timeout = 10): Promise<void> {
  const source = `const net = require("net"), tls = require("tls"), dns = require("dns");
const outcome = (socket) => new Promise((resolve) => { socket.on("connect", () => { resolve("connected"); socket.destroy(); }); socket.on("error", (error) => resolve(error.code + " " + error.message)); });
exports.handler = async (event) => { ${body} };`;
  await createTestFunction(lambda, name, zipFiles({ "index.js": source }), { Timeout: timeout });
}

describe("hostile sockets", () => {
  it("cannot reach the cluster, the machine, the metadata address or private ranges, by address or by name", async () => {
    await deploy(
      "socket-refused",
      `const nats = Number(new URL(event.nats).port), frontend = Number(new URL(event.frontend).port);
const results = {};
for (const [name, host, port] of [["nats", "127.0.0.1", nats], ["natsMapped", "::ffff:127.0.0.1", nats], ["natsByName", "localhost", nats], ["frontend", "127.0.0.1", frontend],
  ["metadata", "169.254.169.254", 80], ["private", "10.0.0.1", 5432], ["privateTls", "192.168.1.1", 443]]) {
  results[name] = await outcome(name.endsWith("Tls") ? tls.connect({ host, port }) : net.connect(port, host));
}
results.lookup = await new Promise((resolve) => dns.lookup("localhost", (error, address) => resolve(error ? error.code : address)));
results.allowed = await outcome(net.connect(event.port, event.allowed));
return results;`,
    );
    const { error, payload } = await invoke("socket-refused", { nats: cluster.natsUrl, frontend: cluster.httpUrl, port, allowed: SERVER_ADDRESS });
    expect(error).toBeUndefined();
    const results = payload as Record<string, string>;
    for (const name of ["nats", "natsMapped", "natsByName", "frontend", "metadata", "private", "privateTls"]) {
      expect(results[name], name).toMatch(/^EACCES connect EACCES .* refused: .*(loopback|link-local|private) address/);
    }
    expect(results["lookup"]).toBe("ENOTFOUND");
    expect(results["allowed"]).toBe("connected");
    await expectBystanderUnharmed();
  });

  it("a socket flood stops at the host's caps, and the host holds no more connections than the cap", async () => {
    await deploy(
      "socket-flood",
      `const sockets = [], codes = {};
for (let i = 0; i < 100; i++) {
  const socket = net.connect(event.port, event.allowed);
  socket.on("error", (error) => (codes[error.code] = (codes[error.code] ?? 0) + 1));
  sockets.push(socket);
}
const connected = (await Promise.all(sockets.map((socket) => new Promise((resolve) => { socket.on("connect", () => resolve(1)); socket.on("close", () => resolve(0)); })))).reduce((a, b) => a + b, 0);
sockets.forEach((socket) => socket.destroy());
let opened = 0, refused;
for (let i = 0; i < 400 && !refused; i++) {
  const socket = net.connect(event.port, event.allowed);
  refused = await new Promise((resolve) => { socket.on("connect", () => { opened++; socket.destroy(); resolve(undefined); }); socket.on("error", (error) => resolve(error.code)); });
}
return { connected, codes, opened, refused };`,
      30,
    );
    const before = connections.length;
    const { error, payload } = await invoke("socket-flood", { port, allowed: SERVER_ADDRESS });
    expect(error).toBeUndefined();
    // 32 open at once; 256 opened in the whole call, the 32 of the first round among them.
    expect(payload).toEqual({ connected: 32, codes: { EMFILE: 68 }, opened: 256 - 32, refused: "EMFILE" });
    await expect.poll(() => connections.length - before).toBe(256);
    await expectBystanderUnharmed();
  });

  it("a socket left open past the call is closed by the host", async () => {
    await deploy(
      "socket-left-open",
      `const socket = net.connect(event.port, event.allowed);
await new Promise((resolve) => socket.once("connect", resolve));
socket.write("still here");
globalThis.kept = socket;
return "returned with the socket open";`,
    );
    const before = connections.length;
    expect(await invoke("socket-left-open", { port, allowed: SERVER_ADDRESS })).toEqual({ payload: "returned with the socket open" });
    await expect.poll(() => connections.length).toBe(before + 1);
    const connection = connections[before]!;
    await expect.poll(() => connection.closed, { timeout: 5000 }).toBe(true);
    expect(connection.received).toBe("still here");
    await expectBystanderUnharmed();
  });

  it("a reader that takes nothing holds the sender back: the host buffers a bounded amount", async () => {
    await deploy(
      "socket-slow-reader",
      `const socket = net.connect(event.port, event.allowed);
await new Promise((resolve) => socket.once("connect", resolve));
socket.pause();
socket.write("flood");
await new Promise((resolve) => setTimeout(resolve, 3000));
const buffered = socket.readableLength;
socket.destroy();
return { buffered };`,
    );
    const before = connections.length;
    const { error, payload } = await invoke("socket-slow-reader", { port, allowed: SERVER_ADDRESS });
    expect(error).toBeUndefined();
    const connection = connections[before]!;
    // The server could put only what the kernel's buffers, the host's 64 KB and the stream's own
    // high-water mark take on the wire: a few MB, nowhere near the flood.
    expect(connection.sent).toBeLessThan(32 * 1024 * 1024);
    expect((payload as { buffered: number }).buffered).toBeLessThan(1024 * 1024);
    await expectBystanderUnharmed();
  });

  it("a function cannot use a socket another function opened, even naming its host id", async () => {
    await deploy(
      "socket-owner",
      `const socket = net.connect(event.port, event.allowed);
await new Promise((resolve) => socket.once("connect", resolve));
socket.write("owner;");
await new Promise((resolve) => setTimeout(resolve, 3000));
socket.end();
return "owner done";`,
    );
    await deploy(
      "socket-thief",
      `const results = [];
for (let id = 1; id <= 64; id++) {
  const forged = new net.Socket();
  Object.assign(forged, { hostId: id, ready: true });
  forged.on("error", () => {});
  results.push(await new Promise((resolve) => forged.write("stolen;", (error) => resolve(error ? error.code : "written"))));
}
let fd; try { new net.Socket({ fd: 3 }); } catch (error) { fd = error.code; }
return { written: results.filter((result) => result === "written").length, codes: [...new Set(results)], fd };`,
    );
    const before = connections.length;
    const owner = invoke("socket-owner", { port, allowed: SERVER_ADDRESS });
    await expect.poll(() => connections.length).toBe(before + 1);
    const thief = await invoke("socket-thief");
    expect(thief).toEqual({ payload: { written: 0, codes: ["ERR_SOCKET_CLOSED"], fd: "ERR_METHOD_NOT_IMPLEMENTED" } });
    expect(await owner).toEqual({ payload: "owner done" });
    await expect.poll(() => connections[before]!.closed).toBe(true);
    expect(connections[before]!.received).toBe("owner;");
    expect(connections.length).toBe(before + 1);
    await expectBystanderUnharmed();
  });
});

describe("hostile http2", () => {
  it("sessions reach only what the policy allows, a reader that takes nothing holds the server back, and a session left open is closed", async () => {
    // An h2c server on the allowed address: /flood sends until HTTP/2's flow control stops it, /hang never answers.
    const h2 = createHttp2Server();
    const sessions: ServerHttp2Session[] = [];
    let flooded = 0;
    h2.on("session", (session: ServerHttp2Session) => sessions.push(session));
    h2.on("stream", (stream, headers) => {
      stream.on("error", () => undefined);
      if (headers[":path"] === "/hang") return;
      stream.respond({ ":status": 200 });
      const piece = Buffer.alloc(64 * 1024, 120);
      const pump = (): void => {
        while (flooded < FLOOD_BYTES && !stream.destroyed) {
          flooded += piece.length;
          if (!stream.write(piece)) return void stream.once("drain", pump);
        }
      };
      pump();
    });
    await new Promise<void>((resolve) => h2.listen(0, SERVER_ADDRESS, resolve));
    const h2Url = `http://${SERVER_ADDRESS}:${(h2.address() as AddressInfo).port}`;
    try {
      await createTestFunction(
        lambda,
        "http2-hostile",
        zipFiles({
          "index.js": `const http2 = require("http2");
const attempt = (authority) => new Promise((resolve) => {
  const session = http2.connect(authority);
  session.on("error", (error) => resolve(error.code + " " + error.message));
  session.on("connect", () => { resolve("connected"); session.destroy(); });
});
exports.handler = async (event) => {
  if (event.leave) {
    const session = http2.connect(event.url);
    session.request({ ":path": "/hang" }).on("error", () => {});
    await new Promise((resolve) => session.once("connect", resolve));
    return "left open";
  }
  const refused = { frontend: await attempt(event.frontend), nats: await attempt("http://" + new URL(event.nats).host), metadata: await attempt("http://169.254.169.254") };
  const session = http2.connect(event.url);
  const stream = session.request({ ":path": "/flood" });
  stream.pause();
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const buffered = stream.readableLength;
  session.destroy();
  return { refused, buffered };
};`,
        }),
        { Timeout: 10 },
      );
      const { error, payload } = await invoke("http2-hostile", { url: h2Url, frontend: cluster.httpUrl, nats: cluster.natsUrl });
      expect(error).toBeUndefined();
      const { refused, buffered } = payload as { refused: Record<string, string>; buffered: number };
      for (const name of ["frontend", "nats", "metadata"]) expect(refused[name], name).toMatch(/^EACCES connect EACCES .* refused: .*(loopback|link-local) address/);
      // The server could send only HTTP/2's window and what the buffers on the way take: nowhere near the flood.
      expect(flooded).toBeLessThan(32 * 1024 * 1024);
      expect(buffered).toBeLessThan(1024 * 1024);

      const before = sessions.length;
      expect(await invoke("http2-hostile", { url: h2Url, leave: true })).toEqual({ payload: "left open" });
      const left = sessions[before]!;
      await expect.poll(() => left.destroyed, { timeout: 5000 }).toBe(true);
      await expectBystanderUnharmed();
    } finally {
      for (const session of sessions) session.destroy();
      h2.close();
    }
  });
});

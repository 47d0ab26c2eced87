// `net`, `tls` and `dns` inside the isolate, over the host's socket table, against a real TCP server: Node's
// socket API and events, the egress policy's refusals as Node-shaped errors, and sockets ended with the call.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerOf, functionRecord, handlerBundle, testInvoker, type TestInvoker } from "../testing/fixtures.js";

let counter = 0;
function deploy(t: TestInvoker, body: string): string {
  const name = `net-${++counter}`;
  t.deploy(functionRecord({ functionName: name, timeout: 10 }), handlerBundle(body, `const net = require("node:net"), tls = require("node:tls"), dns = require("node:dns");`));
  return name;
}

describe("net in the isolate", () => {
  let server: Server;
  let port: number;
  const peers: Socket[] = [];
  const t = testInvoker({}, { fetch: { allow: ["127.0.0.1"], timeoutMs: 5000 } });
  const strict = testInvoker();

  beforeAll(async () => {
    server = createServer((socket) => {
      peers.push(socket);
      socket.on("data", (chunk) => {
        const text = chunk.toString();
        if (text.startsWith("big")) socket.end(Buffer.alloc(3 * 1024 * 1024, 97));
        else if (text.startsWith("quit")) socket.end("bye");
        else socket.write(`echo:${text}`);
      });
      socket.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    t.close();
    strict.close();
    server.close();
  });

  it("connects, writes, reads and ends as Node's sockets do", async () => {
    const name = deploy(
      t,
      `const events = [];
const socket = net.connect(event.port, "127.0.0.1");
socket.setNoDelay(true);
socket.setKeepAlive(true, 1000);
socket.on("connect", () => events.push("connect"));
socket.on("ready", () => events.push("ready"));
const echoed = await new Promise((resolve, reject) => { socket.once("data", (d) => resolve(d.toString())); socket.on("error", reject); socket.write("hello"); });
const remote = [socket.remoteAddress, socket.remotePort, socket.readyState];
socket.setTimeout(30);
await new Promise((resolve) => socket.once("timeout", resolve));
socket.setTimeout(0);
events.push("timeout");
const rest = await new Promise((resolve) => { let text = ""; socket.on("data", (d) => (text += d)); socket.on("end", () => events.push("end")); socket.on("close", (hadError) => { events.push("close:" + hadError); resolve(text); }); socket.write("quit"); });
return { echoed, remote, rest, events, isIP: [net.isIP("::1"), net.isIP("10.0.0.1"), net.isIP("host"), net.isIPv4("1.2.3.4"), net.isIPv6("::ffff:1.2.3.4")] };`,
    );
    expect(await answerOf(t, name, { port })).toEqual({
      echoed: "echo:hello",
      remote: ["127.0.0.1", port, "open"],
      rest: "bye",
      events: ["connect", "ready", "timeout", "end", "close:false"],
      isIP: [6, 4, 0, true, true],
    });
  });

  it("reads a large answer in order through the host's flow control", async () => {
    const name = deploy(
      t,
      `const socket = new net.Socket();
socket.connect({ port: event.port, host: "127.0.0.1" });
socket.write("big");
let size = 0, ok = true;
for await (const chunk of socket) { for (const byte of chunk) if (byte !== 97) ok = false; size += chunk.length; await new Promise((r) => setTimeout(r, 0)); }
return { size, ok, bytesRead: socket.bytesRead };`,
    );
    expect(await answerOf(t, name, { port })).toEqual({ size: 3 * 1024 * 1024, ok: true, bytesRead: 3 * 1024 * 1024 });
  });

  it("refuses what the egress policy refuses, with Node's shape of error, and servers", async () => {
    const name = deploy(
      strict,
      `const tryConnect = (host, port) => new Promise((resolve) => { const s = net.createConnection({ host, port }); s.on("connect", () => resolve("connected")); s.on("error", (e) => resolve([e.code, e.syscall, e.message.includes("refused")])); });
let server; try { net.createServer(); } catch (e) { server = e.code; }
let lookup; try { await dns.promises.lookup("localhost"); } catch (e) { lookup = e.code; }
return { loopback: await tryConnect("127.0.0.1", event.port), metadata: await tryConnect("169.254.169.254", 80), private: await tryConnect("10.0.0.1", 5432), server, lookup, literal: await dns.promises.lookup("127.0.0.1") };`,
    );
    expect(await answerOf(strict, name, { port })).toEqual({
      loopback: ["EACCES", "connect", true],
      metadata: ["EACCES", "connect", true],
      private: ["EACCES", "connect", true],
      server: "ERR_METHOD_NOT_IMPLEMENTED",
      lookup: "ENOTFOUND",
      literal: { address: "127.0.0.1", family: 4 },
    });
  });

  it("closes a socket left open when the call ends", async () => {
    const name = deploy(t, `const s = net.connect(event.port, "127.0.0.1"); await new Promise((r) => s.once("connect", r)); s.write("ping"); return "left open";`);
    const before = peers.length;
    expect(await answerOf(t, name, { port })).toBe("left open");
    await expect.poll(() => peers.length).toBe(before + 1);
    const peer = peers[peers.length - 1] as Socket;
    await expect.poll(() => peer.destroyed || peer.readableEnded).toBe(true);
  });

  it("puts TLS over a connected socket, as pg does after its SSLRequest, checking the server's certificate", async () => {
    // A server that answers "S" to "ssl?", then speaks TLS on the same connection.
    const directory = mkdtempSync(join(tmpdir(), "lambent-tls-"));
    const [cert, key] = [join(directory, "cert.pem"), join(directory, "key.pem")];
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-days", "2"], { stdio: "ignore" });
    const ca = readFileSync(cert, "utf8");
    const tlsServer = createServer((plain) => {
      plain.once("data", () => {
        plain.write("S");
        const secure = new TLSSocket(plain, { isServer: true, cert: readFileSync(cert), key: readFileSync(key) });
        secure.on("data", (chunk) => secure.write(`secure:${chunk.toString()}`));
        secure.on("error", () => undefined);
      });
    });
    await new Promise<void>((resolve) => tlsServer.listen(0, "127.0.0.1", resolve));
    const tlsPort = (tlsServer.address() as AddressInfo).port;
    try {
      const name = deploy(
        t,
        `const upgrade = (options) => new Promise((resolve) => {
  const plain = new net.Socket();
  plain.connect(event.port, "127.0.0.1");
  plain.once("data", () => {
    const secure = tls.connect({ socket: plain, ...options });
    secure.once("secureConnect", () => { secure.write("hello"); secure.once("data", (d) => { resolve([secure.authorized, secure.encrypted, d.toString()]); secure.destroy(); }); });
    secure.on("error", (e) => resolve(e.code));
  });
  plain.write("ssl?");
});
return { trusted: await upgrade({ ca: event.ca }), untrusted: await upgrade({}), unchecked: await upgrade({ rejectUnauthorized: false }) };`,
      );
      expect(await answerOf(t, name, { port: tlsPort, ca })).toEqual({
        trusted: [true, true, "secure:hello"],
        untrusted: "DEPTH_ZERO_SELF_SIGNED_CERT",
        unchecked: [false, true, "secure:hello"],
      });
    } finally {
      tlsServer.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("fails a TLS handshake with a server that does not speak TLS", async () => {
    const name = deploy(t, `return await new Promise((resolve) => { const s = tls.connect({ port: event.port, host: "127.0.0.1", rejectUnauthorized: false }); s.on("secureConnect", () => resolve("secure")); s.on("error", (e) => resolve(typeof e.message)); });`);
    expect(await answerOf(t, name, { port })).toBe("string");
  });
});

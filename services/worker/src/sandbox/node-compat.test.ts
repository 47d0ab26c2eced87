// Node built-ins as real packages use them, where the compatibility corpus found Lambent wanting: zlib's
// stream classes subclassed (crc32-stream, archiver), fs's ReadStream and WriteStream as classes (the AWS
// SDK's Upload tests `instanceof fs.ReadStream`). Each body runs in the isolate and in this Node process,
// and the answers must be the same.
import { afterAll, describe, expect, it } from "vitest";
import { answerInNode, answerOf, functionRecord, handlerBundle, testInvoker } from "../testing/fixtures.js";

const t = testInvoker();
afterAll(() => t.close());

let counter = 0;
function inIsolate(body: string): Promise<unknown> {
  const name = `node-compat-${++counter}`;
  // A long timeout: generating a new prime takes seconds of CPU on a loaded machine.
  t.deploy(functionRecord({ functionName: name, timeout: 60 }), handlerBundle(body));
  return answerOf(t, name);
}

async function sameAsNode(body: string): Promise<unknown> {
  const [isolate, node] = await Promise.all([inIsolate(body), answerInNode(body)]);
  expect(isolate).toEqual(node);
  return isolate;
}

describe("zlib's stream classes", () => {
  it("are classes a package extends, counting bytes in its own _transform and push, as crc32-stream does", async () => {
    const answer = await sameAsNode(`const zlib = require("zlib");
      const { pipeline } = require("stream/promises");
      const { Readable, Writable } = require("stream");
      class Counting extends zlib.DeflateRaw {
        constructor(options) { super(options); this.raw = 0; this.compressed = 0; }
        push(chunk, encoding) { if (chunk) this.compressed += chunk.length; return super.push(chunk, encoding); }
        _transform(chunk, encoding, callback) { this.raw += chunk.length; super._transform(chunk, encoding, callback); }
      }
      const counting = new Counting({ level: 9 });
      const out = [];
      await pipeline(Readable.from([Buffer.from("abc".repeat(1000)), Buffer.from("xyz".repeat(1000))]), counting, new Writable({ write(c, e, cb) { out.push(c); cb(); } }));
      const compressed = Buffer.concat(out);
      return { names: ["Gzip", "Gunzip", "Deflate", "Inflate", "DeflateRaw", "InflateRaw", "Unzip", "BrotliCompress", "BrotliDecompress"].map((n) => typeof zlib[n] === "function" && zlib[n].name),
        isClass: zlib.createGzip() instanceof zlib.Gzip, raw: counting.raw, counted: counting.compressed === compressed.length,
        back: zlib.inflateRawSync(compressed).toString().length };`);
    expect(answer).toMatchObject({ isClass: true, raw: 6000, counted: true, back: 6000 });
  });
});

describe("fs streams", () => {
  it("are instances of fs.ReadStream and fs.WriteStream with Node's events, ranges and counts", async () => {
    const answer = await sameAsNode(`const fs = require("fs");
      const path = "/tmp/node-compat-" + Math.random().toString(36).slice(2);
      const events = [];
      const writer = fs.createWriteStream(path);
      writer.on("open", () => events.push("w:open")).on("ready", () => events.push("w:ready")).on("finish", () => events.push("w:finish"));
      const closed = new Promise((resolve) => writer.on("close", resolve));
      writer.write("hello ");
      writer.end(Buffer.from("world"));
      await closed;
      const appender = fs.createWriteStream(path, { flags: "a" });
      appender.end("!");
      await new Promise((resolve) => appender.on("close", resolve));
      const reader = fs.createReadStream(path, { start: 6, end: 10, encoding: "utf8" });
      let text = "";
      for await (const chunk of reader) text += chunk;
      const missing = await new Promise((resolve) => fs.createReadStream(path + "-none").on("error", (error) => resolve([error.code, error.syscall])));
      const result = { instances: [writer instanceof fs.WriteStream, reader instanceof fs.ReadStream, reader instanceof require("stream").Readable],
        events, written: writer.bytesWritten, whole: fs.readFileSync(path, "utf8"), text, read: reader.bytesRead, path: reader.path === path, missing };
      fs.unlinkSync(path);
      return result;`);
    expect(answer).toMatchObject({ instances: [true, true, true], written: 11, whole: "hello world!", text: "world", missing: ["ENOENT", "open"] });
  });
});

describe("finite-field Diffie-Hellman", () => {
  it("agrees on Node's keys and secrets for a given prime, a named group and a new prime", async () => {
    const answer = await sameAsNode(`const crypto = require("crypto");
      const group = crypto.getDiffieHellman("modp14");
      const prime = group.getPrime();
      const alice = crypto.createDiffieHellman(prime, 2);
      alice.setPrivateKey(Buffer.alloc(32, 7));
      alice.generateKeys();
      const bob = crypto.createDiffieHellman(prime.toString("hex"), "hex", Buffer.from([2]));
      bob.setPrivateKey(Buffer.alloc(32, 9));
      const bobPublic = bob.generateKeys("base64");
      const one = crypto.getDiffieHellman("modp2");
      const two = crypto.createDiffieHellmanGroup("modp2");
      one.generateKeys();
      two.generateKeys();
      const fresh = crypto.createDiffieHellman(512);
      const freshPeer = crypto.createDiffieHellman(fresh.getPrime(), fresh.getGenerator());
      const code = (work) => { try { work(); return "none"; } catch (error) { return error.code; } };
      return {
        alicePublic: alice.getPublicKey("hex"),
        secret: alice.computeSecret(bobPublic, "base64", "hex"),
        symmetric: alice.computeSecret(bob.getPublicKey()).equals(bob.computeSecret(alice.getPublicKey())),
        groups: one.computeSecret(two.generateKeys()).equals(two.computeSecret(one.getPublicKey())),
        generator: group.getGenerator("hex"),
        verifyError: group.verifyError,
        groupKeysFixed: typeof group.setPrivateKey,
        unknownGroup: code(() => crypto.getDiffieHellman("modp3")),
        noKeyYet: code(() => crypto.createDiffieHellman(prime).getPublicKey()),
        fresh: [fresh.getPrime().length, fresh.getGenerator("hex"), freshPeer.generateKeys().length > 0, fresh.generateKeys() && fresh.computeSecret(freshPeer.getPublicKey()).equals(freshPeer.computeSecret(fresh.getPublicKey()))],
        isClass: alice instanceof crypto.DiffieHellman && group instanceof crypto.DiffieHellmanGroup,
      };`);
    expect(answer).toMatchObject({ symmetric: true, groups: true, unknownGroup: "ERR_CRYPTO_UNKNOWN_DH_GROUP", noKeyYet: "ERR_CRYPTO_INVALID_STATE", fresh: [64, "02", true, true], isClass: true });
  });
});

describe("console's Console class", () => {
  it("writes formatted lines to the streams it is given, as Powertools' logger and metrics build it over process.stdout", async () => {
    const answer = await sameAsNode(`const consoleModule = require("console");
      const { Writable } = require("stream");
      const lines = [];
      const sink = (name) => new Writable({ write(chunk, encoding, callback) { lines.push(name + ":" + chunk.toString()); callback(); } });
      const own = new consoleModule.Console({ stdout: sink("out"), stderr: sink("err") });
      own.info(JSON.stringify({ level: "INFO", message: "order received" }));
      own.log("%s has %d items", "cart", 3);
      own.warn("careful", { code: 7 });
      own.error(new Error("boom").message);
      const { log } = own;
      log("unbound");
      const positional = new consoleModule.Console(sink("second"));
      positional.error("to stdout when no stderr is given");
      let refused;
      try { new consoleModule.Console({}); } catch (error) { refused = error.code; }
      await new Promise((resolve) => setImmediate(resolve));
      return { lines, log: typeof consoleModule.log, isClass: typeof consoleModule.Console, refused };`);
    expect(answer).toMatchObject({ log: "function", isClass: "function", refused: "ERR_CONSOLE_WRITABLE_STREAM" });
  });
});

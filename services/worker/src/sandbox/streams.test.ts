// `stream`, `stream/promises`, `stream/web` and the WHATWG stream globals inside the isolate, each used the
// way packages use it; where the code is deterministic, the same code runs in this Node process too and
// the isolate must give Node's answer.
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { join } from "node:path";
import { buildBundle } from "@lambent/bundler";
import { afterAll, describe, expect, it } from "vitest";
import { answerInNode, answerOf, functionRecord, handlerBundle, testInvoker } from "../testing/fixtures.js";

const t = testInvoker();
afterAll(() => t.close());

let counter = 0;
/** Deploys `body` (an async handler body; `require` is the runtime's) as a fresh function and returns its name. */
function deploy(body: string, options: { memorySize?: number; timeout?: number } = {}): string {
  const name = `streams-${++counter}`;
  t.deploy(functionRecord({ functionName: name, ...options }), handlerBundle(body));
  return name;
}

function inIsolate(body: string): Promise<unknown> {
  return answerOf(t, deploy(body));
}

/** Runs `body` in the isolate and in Node, expects the same answer and returns it. */
async function sameAsNode(body: string): Promise<unknown> {
  const [isolate, node] = await Promise.all([inIsolate(body), answerInNode(body)]);
  expect(isolate).toEqual(node);
  return isolate;
}

/** Node's own require from this workspace: the packages the tests bundle, and the modules they run in Node. */
const nodeRequire = createRequire(import.meta.url);

describe("stream", () => {
  it("has Node's shape: the module is Stream, with every class and helper on it", async () => {
    const names = ["Readable", "Writable", "Duplex", "Transform", "PassThrough", "pipeline", "finished", "addAbortSignal", "compose", "destroy", "isReadable", "isErrored", "isDisturbed"];
    expect(
      await sameAsNode(`const stream = require("stream");
        return [stream === stream.Stream, stream === require("node:stream"), ${JSON.stringify(names)}.map((n) => typeof stream[n]),
          typeof stream.promises.pipeline, stream.promises === require("stream/promises"), typeof require("stream/promises").finished,
          typeof stream.Readable.from, typeof stream.Readable.fromWeb, typeof stream.Readable.toWeb, typeof stream.Writable.fromWeb, typeof stream.Writable.toWeb,
          new stream.Readable() instanceof stream, typeof new stream().pipe];`),
    ).toEqual([true, true, names.map(() => "function"), "function", true, "function", "function", "function", "function", "function", "function", true, "function"]);
  });

  it("Readable.from takes arrays, strings, buffers, generators and async generators", async () => {
    await sameAsNode(`const { Readable } = require("stream");
      const collect = async (readable) => { const out = []; for await (const chunk of readable) out.push(Buffer.isBuffer(chunk) ? ["buffer", chunk.toString()] : chunk); return out; };
      function* numbers() { yield 1; yield 2; }
      async function* words() { yield "a"; await new Promise((r) => setTimeout(r, 1)); yield "b"; }
      const fromString = Readable.from("whole string");
      return [await collect(Readable.from([1, "two", { three: 3 }])), await collect(fromString), fromString.readableObjectMode,
        await collect(Readable.from(Buffer.from("bytes"))), await collect(Readable.from(numbers())), await collect(Readable.from(words())),
        await collect(Readable.from(["x", "y"], { objectMode: false })), Readable.from([]).readableObjectMode,
        await Readable.from([1, 2, 3, 4]).filter((n) => n % 2 === 0).map(async (n) => n * 10).toArray(), await collect(require("stream").Duplex.from(async function* () { yield "from"; }))];`);
  });

  it("stream/promises pipeline runs through async generator stages and rejects with the failing stage's error", async () => {
    await sameAsNode(`const { Readable, Writable } = require("stream"); const { pipeline } = require("stream/promises");
      const out = [];
      const sink = () => new Writable({ objectMode: true, write(chunk, _e, cb) { out.push(chunk); cb(); } });
      await pipeline(Readable.from([1, 2, 3]), async function* (source) { for await (const n of source) yield n * 10; }, sink());
      let failure;
      try {
        await pipeline(Readable.from([1, 2]), async function* (source) { for await (const n of source) { if (n === 2) throw new Error("stage two"); yield n; } }, sink());
      } catch (e) { failure = e.message; }
      const ending = await pipeline(Readable.from(["a", "b"]), async function (source) { let all = ""; for await (const c of source) all += c; return all; });
      return [out, failure, ending];`);
  });

  it("finished (callback and promise) reports the end and the errors of a stream", async () => {
    await sameAsNode(`const stream = require("stream"); const { finished } = require("stream/promises");
      const { Readable, PassThrough } = stream;
      const done = Readable.from(["a"]); done.resume();
      await finished(done);
      const viaCallback = await new Promise((resolve) => { const r = new PassThrough(); stream.finished(r, (e) => resolve(e ? e.message : "clean")); r.destroy(new Error("boom")); });
      const premature = await new Promise((resolve) => { const r = new PassThrough(); stream.finished(r, (e) => resolve(e.code)); r.destroy(); });
      let rejected; const failing = new PassThrough(); setTimeout(() => failing.destroy(new Error("late")), 1);
      try { await finished(failing); } catch (e) { rejected = e.message; }
      return [done.readableEnded, viaCallback, premature, rejected];`);
  });

  it("addAbortSignal destroys the stream with an AbortError when the signal aborts", async () => {
    await sameAsNode(`const { addAbortSignal, Readable } = require("stream"); const { pipeline } = require("stream/promises");
      const controller = new AbortController();
      const readable = addAbortSignal(controller.signal, new Readable({ read() {} }));
      const seen = new Promise((resolve) => readable.on("error", (e) => resolve([e.name, e.code])));
      controller.abort();
      const viaOption = new AbortController(); let piped;
      const slow = new Readable({ read() {} });
      setTimeout(() => viaOption.abort(), 1);
      try { await pipeline(slow, async function (source) { for await (const _ of source) {} }, { signal: viaOption.signal }); } catch (e) { piped = e.name; }
      return [await seen, readable.destroyed, piped];`);
  });
});

describe("stream/web and the WHATWG stream globals", () => {
  it("offers Node 20's names on globalThis and from stream/web, one class for both", async () => {
    const answer = (await sameAsNode(`const web = require("stream/web");
      return Object.keys(web).map((n) => [n, typeof globalThis[n], globalThis[n] === web[n], web === require("node:stream/web")]);`)) as unknown[];
    expect(answer.length).toBe(17);
  });

  it("reads, iterates, tees, pipes through a TransformStream and into a WritableStream", async () => {
    await sameAsNode(`
      const make = () => new ReadableStream({ start(c) { c.enqueue("a"); c.enqueue("b"); c.close(); } });
      const reader = make().getReader(); const first = await reader.read(); const second = await reader.read(); const end = await reader.read();
      const iterated = []; for await (const chunk of make()) iterated.push(chunk);
      const [left, right] = make().tee(); const both = [];
      for await (const c of left) both.push("L" + c); for await (const c of right) both.push("R" + c);
      const upper = new TransformStream({ transform(chunk, c) { c.enqueue(chunk.toUpperCase()); }, flush(c) { c.enqueue("!"); } });
      const written = [];
      await make().pipeThrough(upper).pipeTo(new WritableStream({ write(chunk) { written.push(chunk); }, close() { written.push("closed"); } }));
      let locked; const s = make(); s.getReader(); try { s.getReader(); } catch (e) { locked = [e.name, e.code]; }
      const fromIterables = [];
      for await (const v of ReadableStream.from([1, 2])) fromIterables.push(v);
      for await (const v of ReadableStream.from((async function* () { yield "async"; })())) fromIterables.push(v);
      return [first, second, end, iterated, both, written, s.locked, locked && locked[0], fromIterables];`);
  });

  it("backpressure follows the queuing strategies; errors and cancels reach the source", async () => {
    await sameAsNode(`
      const pulls = [];
      const counted = new ReadableStream({ pull(c) { pulls.push(c.desiredSize); c.enqueue(pulls.length); if (pulls.length === 5) c.close(); } }, new CountQueuingStrategy({ highWaterMark: 3 }));
      await new Promise((r) => setTimeout(r, 5));
      const beforeRead = pulls.length;
      const bytes = new ReadableStream({ start(c) { c.enqueue(new Uint8Array(10)); this.size = c.desiredSize; } }, new ByteLengthQueuingStrategy({ highWaterMark: 16 }));
      let cancelled; const cancellable = new ReadableStream({ cancel(reason) { cancelled = reason; } });
      await cancellable.cancel("no more");
      const failing = new ReadableStream({ pull() { throw new TypeError("source broke"); } });
      let failure; try { await failing.getReader().read(); } catch (e) { failure = [e.name, e.message]; }
      const writes = []; const writer = new WritableStream({ write(chunk) { writes.push(chunk); return new Promise((r) => setTimeout(r, 1)); } }, { highWaterMark: 2 }).getWriter();
      const sizes = [writer.desiredSize]; writer.write(1); sizes.push(writer.desiredSize); writer.write(2); writer.write(3); sizes.push(writer.desiredSize);
      await writer.close();
      return [beforeRead, new CountQueuingStrategy({ highWaterMark: 3 }).highWaterMark, new ByteLengthQueuingStrategy({ highWaterMark: 16 }).size(new Uint8Array(7)), cancelled, failure, writes, sizes];`);
  });

  it("byte streams give BYOB readers", async () => {
    await sameAsNode(`
      const stream = new ReadableStream({ type: "bytes", start(c) { c.enqueue(new Uint8Array([1, 2, 3, 4, 5])); c.close(); } });
      const reader = stream.getReader({ mode: "byob" });
      const first = await reader.read(new Uint8Array(2)); const second = await reader.read(new Uint8Array(8)); const third = await reader.read(new Uint8Array(8));
      return [Array.from(first.value), Array.from(second.value), third.done, reader.constructor.name];`);
  });

  it("TextEncoderStream and TextDecoderStream carry characters split across chunks", async () => {
    await sameAsNode(`
      const bytes = new TextEncoder().encode("\\ufeffhé 🌍 end");
      const source = new ReadableStream({ start(c) { for (let i = 0; i < bytes.length; i += 3) c.enqueue(bytes.subarray(i, i + 3)); c.close(); } });
      let text = ""; for await (const part of source.pipeThrough(new TextDecoderStream())) text += part;
      const decoder = new TextDecoderStream("utf-8", { fatal: true });
      const pair = "🌍"; const encoded = [];
      const words = new ReadableStream({ start(c) { c.enqueue("a" + pair[0]); c.enqueue(pair[1] + "b"); c.close(); } });
      for await (const chunk of words.pipeThrough(new TextEncoderStream())) encoded.push(Array.from(chunk));
      let bad; const broken = new ReadableStream({ start(c) { c.enqueue(new Uint8Array([0xff])); c.close(); } });
      try { for await (const _ of broken.pipeThrough(new TextDecoderStream("utf-8", { fatal: true }))) {} } catch (e) { bad = e.name; }
      return [text, decoder.encoding, decoder.fatal, decoder.ignoreBOM, new TextEncoderStream().encoding, encoded, bad];`);
  });

  it("CompressionStream and DecompressionStream round-trip gzip, deflate and deflate-raw, readable by zlib", async () => {
    await sameAsNode(`const zlib = require("zlib");
      const text = "stream ".repeat(200);
      const collect = async (readable) => { const parts = []; for await (const p of readable) parts.push(p); return Buffer.concat(parts); };
      const out = [];
      for (const format of ["gzip", "deflate", "deflate-raw"]) {
        const source = () => new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(text.slice(0, 500))); c.enqueue(new TextEncoder().encode(text.slice(500))); c.close(); } });
        const packed = await collect(source().pipeThrough(new CompressionStream(format)));
        const unpacked = await collect(new ReadableStream({ start(c) { c.enqueue(packed); c.close(); } }).pipeThrough(new DecompressionStream(format)));
        const byZlib = format === "gzip" ? zlib.gunzipSync(packed) : format === "deflate" ? zlib.inflateSync(packed) : zlib.inflateRawSync(packed);
        out.push([packed.length < text.length, unpacked.toString() === text, byZlib.toString() === text]);
      }
      let refused; try { new CompressionStream("zip"); } catch (e) { refused = e.code; }
      return [out, refused];`);
  });
});

describe("between Node streams and web streams", () => {
  it("Readable.fromWeb and Readable.toWeb", async () => {
    await sameAsNode(`const { Readable } = require("stream");
      const web = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode("he")); c.enqueue(new TextEncoder().encode("llo")); c.close(); } });
      const node = Readable.fromWeb(web, { encoding: "utf8" }); let text = ""; for await (const s of node) text += s;
      const objects = Readable.fromWeb(new ReadableStream({ start(c) { c.enqueue({ n: 1 }); c.close(); } }), { objectMode: true });
      const got = []; for await (const o of objects) got.push(o);
      const back = []; for await (const chunk of Readable.toWeb(Readable.from([Buffer.from("x"), Buffer.from("y")]))) back.push([Buffer.isBuffer(chunk), Buffer.from(chunk).toString()]);
      const objectBack = []; for await (const o of Readable.toWeb(Readable.from([1, 2]))) objectBack.push(o);
      let refused; try { Readable.fromWeb({}); } catch (e) { refused = e.code; }
      let failed; const broken = Readable.fromWeb(new ReadableStream({ pull(c) { c.error(new Error("web side")); } }));
      try { for await (const _ of broken) {} } catch (e) { failed = e.message; }
      let cancelled; const source = new Readable({ read() {}, destroy(e, cb) { cancelled = true; cb(e); } });
      await Readable.toWeb(source).cancel();
      return [text, got, back, objectBack, refused, failed, cancelled];`);
  });

  it("Writable.fromWeb and Writable.toWeb, with web streams in pipeline", async () => {
    await sameAsNode(`const { Readable, Writable } = require("stream"); const { pipeline } = require("stream/promises");
      const received = [];
      const sink = new WritableStream({ write(chunk) { received.push(Buffer.from(chunk).toString()); }, close() { received.push("closed"); } });
      await pipeline(Readable.from(["a", "b"]), Writable.fromWeb(sink));
      const nodeOut = [];
      const nodeSink = new Writable({ highWaterMark: 1, write(chunk, _e, cb) { nodeOut.push(chunk.toString()); setTimeout(cb, 1); } });
      await new ReadableStream({ start(c) { c.enqueue("x"); c.enqueue("y"); c.enqueue("z"); c.close(); } }).pipeTo(Writable.toWeb(nodeSink));
      const mixed = [];
      await pipeline(new ReadableStream({ start(c) { c.enqueue("p"); c.enqueue("q"); c.close(); } }), new TransformStream({ transform(ch, c) { c.enqueue(ch + ch); } }),
        new Writable({ objectMode: true, write(chunk, _e, cb) { mixed.push(chunk); cb(); } }));
      let refused; try { Writable.toWeb({}); } catch (e) { refused = e.code; }
      return [received, nodeOut, nodeSink.writableFinished, mixed, refused];`);
  });

  it("Duplex.fromWeb and Duplex.toWeb", async () => {
    await sameAsNode(`const { Duplex, PassThrough } = require("stream");
      const transform = new TransformStream({ transform(chunk, c) { c.enqueue(Buffer.from(chunk).toString().toUpperCase()); } });
      const duplex = Duplex.fromWeb(transform, { encoding: "utf8" });
      duplex.end("shout");
      let text = ""; for await (const s of duplex) text += s;
      const { readable, writable } = Duplex.toWeb(new PassThrough());
      const writer = writable.getWriter(); writer.write(new TextEncoder().encode("echo")); writer.close();
      const back = []; for await (const chunk of readable) back.push(Buffer.from(chunk).toString());
      let viaFrom = ""; for await (const chunk of Duplex.from(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode("from web")); c.close(); } }))) viaFrom += chunk;
      return [text, back, viaFrom];`);
  });
});

describe("fetch bodies", () => {
  it("a Response's body is a byte ReadableStream, the same on every read, used up when read", async () => {
    await sameAsNode(`const { Readable } = require("stream"); const { pipeline } = require("stream/promises");
      const response = new Response("héllo");
      const body = response.body;
      const shape = [body instanceof ReadableStream, body === response.body, response.bodyUsed, body.locked];
      const bytes = []; for await (const chunk of body) bytes.push(...chunk);
      let again; try { await response.text(); } catch (e) { again = e.name; }
      const untouched = new Response("still here"); untouched.body;
      const byob = await new Response("abcdef").body.getReader({ mode: "byob" }).read(new Uint8Array(4));
      let text = ""; for await (const part of new Response("decoded").body.pipeThrough(new TextDecoderStream())) text += part;
      let viaNode = ""; for await (const chunk of Readable.fromWeb(new Response("node side").body)) viaNode += chunk;
      const out = []; await pipeline(new Response("piped").body, new (require("stream").Writable)({ write(c, _e, cb) { out.push(c.toString()); cb(); } }));
      return [shape, Buffer.from(bytes).toString(), response.bodyUsed, again, await untouched.text(), Buffer.from(byob.value).toString(), text, viaNode, out, new Response(null).body, new Response("").body === null];`);
  });
  it("a Response made from a ReadableStream reads it whole, clones by teeing it, and refuses chunks that are not bytes", async () => {
    await sameAsNode(`const { Readable } = require("stream");
      const encode = (text) => new TextEncoder().encode(text);
      const source = () => new ReadableStream({ start(c) { c.enqueue(encode("from ")); c.enqueue(encode("stream")); c.close(); } });
      const made = new Response(source());
      const shape = [made.body instanceof ReadableStream, made.body === made.body, made.bodyUsed];
      const text = await made.text();
      let again; try { await made.text(); } catch (e) { again = e.name; }
      const json = await new Response(new ReadableStream({ start(c) { c.enqueue(encode('{"a":[1,2]}')); c.close(); } })).json();
      const fromNode = await new Response(Readable.toWeb(Readable.from([Buffer.from("node "), Buffer.from("chunks")]))).text();
      const original = new Response(source(), { status: 201, headers: { "x-a": "b" } }); const copy = original.clone();
      const cloned = [await original.text(), await copy.text(), copy.status, copy.headers.get("x-a")];
      let notBytes; try { await new Response(new ReadableStream({ start(c) { c.enqueue("text"); c.close(); } })).text(); } catch (e) { notBytes = e.name; }
      const bytes = Array.from(new Uint8Array(await new Response(source()).arrayBuffer()).subarray(0, 4));
      return [shape, text, made.bodyUsed, again, json, fromNode, cloned, notBytes, bytes];`);
  });

  it("a Request takes a ReadableStream body with duplex: 'half', as in Node, and fetch sends it read whole", async () => {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => response.end(JSON.stringify({ method: request.method, body: Buffer.concat(chunks).toString() })));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const allowed = testInvoker({}, { fetch: { allow: ["127.0.0.1"] } });
    try {
      const body = `const encode = (text) => new TextEncoder().encode(text);
        const source = () => new ReadableStream({ start(c) { c.enqueue(encode("streamed ")); c.enqueue(encode("upload")); c.close(); } });
        let refused; try { new Request("http://example.test/", { method: "POST", body: source() }); } catch (e) { refused = [e.name, e.message]; }
        let bodyOnGet; try { new Request("http://example.test/", { body: source(), duplex: "half" }); } catch (e) { bodyOnGet = e.name; }
        const request = new Request("http://example.test/", { method: "PUT", body: source(), duplex: "half" }); const copy = request.clone();
        const read = [await request.text(), await copy.text()];
        const sent = await (await fetch(event.base, { method: "POST", body: source(), duplex: "half" })).json();
        return [refused, bodyOnGet, read, sent];`;
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      allowed.deploy(functionRecord({ functionName: "stream-upload" }), handlerBundle(body));
      const isolate = await answerOf(allowed, "stream-upload", { base });
      const node = await answerInNode(body, { base });
      expect(isolate).toEqual(node);
      expect(node).toEqual([["TypeError", "RequestInit: duplex option is required when sending a body."], "TypeError", ["streamed upload", "streamed upload"], { method: "POST", body: "streamed upload" }]);
    } finally {
      allowed.close();
      server.close();
    }
  });
});

/** The top-level .js files, lib/ and package.json of installed packages, as a deployment package holds them. */
function installedPackages(names: string[]): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const name of names) {
    const directory = join(nodeRequire.resolve(`${name}/package.json`), "..");
    for (const entry of readdirSync(directory, { recursive: true, withFileTypes: true })) {
      const path = join(entry.parentPath, entry.name).slice(directory.length + 1);
      if (entry.isFile() && (path === "package.json" || path.endsWith(".js"))) files.set(`node_modules/${name}/${path}`, new Uint8Array(readFileSync(join(directory, path))));
    }
  }
  return files;
}

describe("packages built on stream", () => {
  it("split2 through pump, and combined-stream over the legacy Stream, give Node's answers", async () => {
    const source = `const split2 = require("split2"); const pump = require("pump"); const CombinedStream = require("combined-stream");
const stream = require("stream"); const { Readable, Writable } = stream;
exports.handler = async () => {
  const lines = [];
  await new Promise((resolve, reject) => pump(Readable.from(["a\\nb", "\\nc\\n", "d"]), split2(), new Writable({ objectMode: true, write(line, _e, cb) { lines.push(line); cb(); } }), (e) => (e ? reject(e) : resolve())));
  const combined = CombinedStream.create();
  combined.append("head "); combined.append(Readable.from(["middle "])); combined.append((next) => next("tail"));
  const joined = await new Promise((resolve) => { const parts = []; combined.pipe(new Writable({ write(c, _e, cb) { parts.push(String(c)); cb(); }, final(cb) { resolve(parts.join("")); cb(); } })); });
  let broken; await new Promise((resolve) => pump(Readable.from(['{"ok":1}', "\\nnot json\\n"]), split2(JSON.parse), new Writable({ objectMode: true, write(_l, _e, cb) { cb(); } }), (e) => { broken = e && e.name; resolve(); }));
  return [lines, joined, combined instanceof stream, combined instanceof stream.Stream, broken];
};`;
    const files = installedPackages(["split2", "pump", "end-of-stream", "once", "wrappy", "combined-stream", "delayed-stream"]);
    files.set("index.js", new TextEncoder().encode(source));
    const bundle = await buildBundle(files, "index.handler");
    t.deploy(functionRecord({ functionName: "stream-packages" }), bundle.code);
    const result = await t.invoke("stream-packages", {});
    expect(result.header.functionError, result.text).toBeUndefined();
    const exports: { handler?: () => Promise<unknown> } = {};
    new Function("require", "exports", source)(nodeRequire, exports);
    const node = JSON.parse(JSON.stringify(await exports.handler?.())) as unknown;
    expect(result.json).toEqual(node);
    expect(node).toEqual([["a", "b", "c", "d"], "head middle tail", true, true, "SyntaxError"]);
  });
});

describe("streams a function leaves behind", () => {
  it("a stream enqueued into forever is bounded by the memory size; a bystander runs on", async () => {
    const flood = deploy(`const stream = new ReadableStream({ start(c) { for (;;) c.enqueue(new Uint8Array(1 << 20).fill(1)); } }); return "unreachable";`, { memorySize: 128, timeout: 30 });
    const bystander = deploy(`const text = await new Response(new TextEncoder().encode("fine")).text(); return [text, typeof ReadableStream];`);
    const [flooded, calm] = await Promise.all([t.invoke(flood, {}), t.invoke(bystander, {})]);
    expect(flooded.header.functionError).toBe("Unhandled");
    expect(flooded.json).toMatchObject({ errorType: "Runtime.OutOfMemory" });
    expect(calm.header.functionError).toBeFalsy();
    expect(calm.json).toEqual(["fine", "function"]);
    expect((await t.invoke(bystander, {})).json).toEqual(["fine", "function"]);
  });

  it("a stream never read stops being fed when its invocation ends", async () => {
    const name = deploy(`if (!globalThis.kept) {
        let fed = 0;
        globalThis.kept = { stream: new ReadableStream({ start(c) { setInterval(() => { fed++; c.enqueue(new Uint8Array(1024)); }, 1); } }, { highWaterMark: Infinity }), fed: () => fed };
        await new Promise((r) => setTimeout(r, 20));
        return ["fed", globalThis.kept.fed() > 0];
      }
      const before = globalThis.kept.fed();
      await new Promise((r) => setTimeout(r, 20));
      return ["later", globalThis.kept.fed() === before];`);
    expect((await t.invoke(name, {})).json).toEqual(["fed", true]);
    expect((await t.invoke(name, {})).json).toEqual(["later", true]);
  });
});

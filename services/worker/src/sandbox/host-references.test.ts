// No host reference is reachable from function code. Inside a real environment, a walk starts from
// everything the runtime hands function code — the global, every built-in module, the handler's event,
// `context` and callback, timers' handles, fetch's classes and a real fetch's response and failure,
// `lambent:functions` results and failures, errors thrown by host calls, WebAssembly objects — and follows
// own properties (symbols too), prototypes, getters' results (called on the object they were found on),
// functions' `prototype` and `constructor`, Map and Set contents, and what stack frames of callbacks the
// runtime calls show of their callers (receivers and functions). It fails on anything shaped like an
// isolated-vm Reference or ExternalCopy. Closures and class-private fields are out of reach by construction,
// which is where the runtime keeps its one host Reference. The same walk is first shown to find a
// Reference planted in a bare isolate, so a walk that finds nothing means something.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import ivm from "isolated-vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ISOLATE_BUILTINS, LAMBENT_MODULES } from "@lambent/bundler";
import type { FunctionCall, FunctionCallOutput, FunctionCalls } from "../host/function-calls.js";
import { esmBundle, functionRecord, testInvoker } from "../testing/fixtures.js";

/** The walk, as source: `walk(roots)` → `{ visited, found, seen }`, `found` naming the path to each suspect. */
const WALKER = `
function walk(roots) {
  // Methods isolated-vm's handles have (Reference, ExternalCopy, Context, Script, Module…); two of them
  // on one object is a handle, whatever its class is called.
  const HOST_METHODS = ["applySync", "applySyncPromise", "applyIgnored", "derefInto", "copyInto", "copySync", "getSync", "setSync", "deleteSync",
    "release", "evalSync", "evalClosureSync", "runSync", "instantiateSync", "evaluateSync", "compileScriptSync", "createContextSync"];
  const seen = new Set();
  const found = [];
  const queue = Object.entries(roots).map(([name, value]) => [value, name]);
  const ownDescriptor = Object.getOwnPropertyDescriptor;
  const suspect = (value) => {
    let methods = 0;
    for (const name of HOST_METHODS) {
      try { if (typeof value[name] === "function") methods++; } catch {}
    }
    return methods >= 2;
  };
  let visited = 0;
  while (queue.length > 0) {
    const [value, path] = queue.shift();
    if ((typeof value !== "object" && typeof value !== "function") || value === null || seen.has(value)) continue;
    seen.add(value);
    visited++;
    if (suspect(value)) found.push(path);
    const push = (next, name) => queue.push([next, path + name]);
    let proto = null;
    try { proto = Object.getPrototypeOf(value); } catch {}
    push(proto, ".__proto__");
    // Every property along the chain, getters called on this very object.
    for (let holder = value; holder !== null && holder !== undefined; ) {
      let keys = [];
      try { keys = Reflect.ownKeys(holder); } catch {}
      for (const key of keys) {
        const name = typeof key === "symbol" ? "[" + String(key) + "]" : "." + key;
        let descriptor;
        try { descriptor = ownDescriptor(holder, key); } catch { continue; }
        if (!descriptor) continue;
        if (holder === value && "value" in descriptor) push(descriptor.value, name);
        if (descriptor.get) {
          push(descriptor.get, name + "<get>");
          // A getter read off a prototype may answer a rejected promise (a web stream reader's closed, as in
          // Node); the walk handles it, or it would end the runtime as an unhandled rejection.
          try { const got = Reflect.apply(descriptor.get, value, []); if (got instanceof Promise) got.catch(() => undefined); push(got, name); } catch {}
        }
        if (descriptor.set) push(descriptor.set, name + "<set>");
      }
      try { holder = Object.getPrototypeOf(holder); } catch { break; }
    }
    if (typeof value === "function") {
      try { push(value.prototype, ".prototype"); } catch {}
      try { push(value.constructor, ".constructor"); } catch {}
    }
    try { if (value instanceof Map) for (const [k, v] of value) { push(k, "<key>"); push(v, "<value>"); } } catch {}
    try { if (value instanceof Set) for (const v of value) push(v, "<member>"); } catch {}
  }
  return { visited, found, seen };
}`;

class AnsweringCalls implements FunctionCalls {
  call(call: FunctionCall): Promise<FunctionCallOutput> {
    if (call.functionName === "missing") return Promise.reject(Object.assign(new Error("Function not found"), { type: "ResourceNotFoundException" }));
    return Promise.resolve({ statusCode: 200, payload: new TextEncoder().encode('{"ok":true}'), executedVersion: "$LATEST" });
  }
  close(): void {}
}

describe("host references", () => {
  it("the walk finds an isolated-vm Reference or ExternalCopy when one is reachable", async () => {
    const isolate = new ivm.Isolate({ memoryLimit: 64 });
    try {
      const context = await isolate.createContext();
      await context.evalClosure(`globalThis.planted = { hidden: { deeper: $0 } }; globalThis.copied = { value: $1 };`, [new ivm.Reference(() => 1), new ivm.ExternalCopy({ a: 1 })]);
      const result = (await context.eval(`${WALKER}; const { found } = walk({ global: globalThis }); JSON.stringify({ found })`)) as string;
      const { found } = JSON.parse(result) as { found: string[] };
      expect(found).toEqual(expect.arrayContaining(["global.planted.hidden.deeper", "global.copied.value"]));
    } finally {
      isolate.dispose();
    }
  });

  describe("from everything the runtime hands function code", () => {
    let server: Server;
    let base: string;
    const t = testInvoker({}, { fetch: { allow: ["127.0.0.1"] }, functions: new AnsweringCalls() });

    beforeAll(async () => {
      server = createServer((_request, response) => response.setHeader("content-type", "text/plain").end("hello"));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => {
      t.close();
      server.close();
    });

    it("reaches no isolated-vm Reference or ExternalCopy", async () => {
      const modules = [...ISOLATE_BUILTINS, ...ISOLATE_BUILTINS.map((name) => `node:${name}`), ...LAMBENT_MODULES];
      t.deploy(
        functionRecord({ functionName: "walker", memorySize: 256, timeout: 30 }),
        esmBundle(`${WALKER}
const require = (name) => globalThis.__lambentRequire(name);
const caught = async (work) => { try { await work(); return undefined; } catch (error) { return error; } };
const userModule = { handler: async (event, context, callback) => {
  const roots = { global: globalThis, event, context, callback };
  for (const name of event.modules) roots["require(" + name + ")"] = require(name);
  const timeout = setTimeout(() => {}, 100000), interval = setInterval(() => {}, 100000), immediate = setImmediate(() => {});
  Object.assign(roots, { timeout, interval, immediate });
  const fs = require("fs"), zlib = require("zlib"), crypto = require("crypto");
  const response = await fetch(event.base + "/hello");
  Object.assign(roots, {
    request: new Request(event.base, { method: "POST", body: "x", headers: { a: "b" } }), response, responseBody: response.body, headers: response.headers,
    made: new Response("x"), fetchFailure: await caught(() => fetch("http://169.254.169.254/")), fetchAbort: await caught(() => fetch(event.base, { signal: AbortSignal.abort() })),
    called: await require("lambent:functions").invoke("someone", { a: 1 }), callFailure: await caught(() => require("lambent:functions").invoke("missing")),
    fsError: await caught(() => fs.readFileSync("/nope")), fsWriteError: await caught(() => fs.writeFileSync("/var/task/x", "y")),
    zlibError: await caught(() => zlib.gunzipSync(Buffer.from("nope"))), hashError: await caught(() => crypto.createHash("nope")),
    randomError: await caught(() => crypto.randomBytes(-1)), stream: (fs.writeFileSync("/tmp/s", "x"), fs.createReadStream("/tmp/s")), gzip: zlib.createGzip(),
    key: await crypto.subtle.importKey("raw", new Uint8Array(8), { name: "HMAC", hash: "SHA-256" }, true, ["sign"]),
  });
  const memory = new WebAssembly.Memory({ initial: 1 });
  const { module, instance } = await WebAssembly.instantiate(new Uint8Array(event.wasm));
  Object.assign(roots, { memory, module, instance, exports: instance.exports, wasmError: await caught(() => new WebAssembly.Memory({ initial: 100000 })) });
  // Whatever stack frames show of the runtime's own functions and receivers, from callbacks the runtime calls.
  const frames = [];
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = (error, sites) => { for (const site of sites) frames.push(site.getThis(), site.getFunction()); return "trace"; };
  const look = () => new Error("look").stack;
  await new Promise((resolve) => setTimeout(() => resolve(look()), 1));
  await new Promise((resolve) => fs.readFile("/tmp/s", () => resolve(look())));
  await new Promise((resolve) => zlib.gzip("x", () => resolve(look())));
  await new Promise((resolve) => queueMicrotask(() => resolve(look())));
  await new Promise((resolve) => { const e = new (require("events"))(); e.on("x", () => resolve(look())); e.emit("x"); });
  Error.prepareStackTrace = previous;
  frames.forEach((value, i) => (roots["frame" + i] = value));
  const { visited, found, seen } = walk(roots);
  clearTimeout(timeout); clearInterval(interval); clearImmediate(immediate);
  // Landmarks deep in what was handed over: the walk went where it should.
  const landmarks = { Buffer: Buffer.prototype, Readable: require("stream").Readable.prototype, Timeout: Object.getPrototypeOf(timeout), Response: Response.prototype,
    remaining: context.getRemainingTimeInMillis, invoke: require("lambent:functions").invoke, Memory: WebAssembly.Memory.prototype, URL: URL.prototype, subtle: crypto.subtle };
  return { visited, found, missed: Object.entries(landmarks).filter(([, value]) => !seen.has(value)).map(([name]) => name) };
} };`),
        { "index.js": "exports.handler = () => {};" },
      );
      const wasm = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x0a, 0x01, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00];
      const reply = await t.invoke("walker", { modules, base, wasm });
      expect(reply.header.functionError, reply.text).toBeUndefined();
      const { visited, found, missed } = reply.json as { visited: number; found: string[]; missed: string[] };
      expect(found).toEqual([]);
      expect(missed).toEqual([]);
      expect(visited).toBeGreaterThan(1000);
    });
  });
});

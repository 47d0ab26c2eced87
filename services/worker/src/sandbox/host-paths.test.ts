// Errors never show function code the worker's own files. Every way an error reaches function code or its
// log is tried — host calls (files, compression, hashing, random bytes), fetch failures of every kind,
// lambent:functions refusals, failures while the module initialises (a throw, a syntax error, a missing
// handler, a timeout, running out of memory), a handler's timeout, a process.exit, an uncaught error in a
// timer — and each error's name, message, stack and code, the call's error payload and its whole log are
// searched for the worker's paths.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FunctionCall, FunctionCallOutput, FunctionCalls } from "../host/function-calls.js";
import { esmBundle, functionRecord, testInvoker, type DecodedResult } from "../testing/fixtures.js";

/** The worker's own files, however a trace or message might spell them. */
const WORKER_ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const HOST_PATHS = new RegExp(
  [String.raw`services/`, String.raw`/dist/`, String.raw`node:internal`, String.raw`(?<!/var/task/)node_modules`, WORKER_ROOT.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")].join("|"),
);

class RefusingCalls implements FunctionCalls {
  call(_call: FunctionCall): Promise<FunctionCallOutput> {
    return Promise.reject(Object.assign(new Error("Function not found: arn:aws:lambda:us-east-1:000000000000:function:missing"), { type: "ResourceNotFoundException" }));
  }
  close(): void {}
}

let server: Server;
let base: string;
const t = testInvoker({}, { fetch: { allow: ["127.0.0.1"], maxResponseBytes: 1024, timeoutMs: 500 }, functions: new RefusingCalls() });

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === "/slow") setTimeout(() => response.end("late"), 5000).unref();
    else if (request.url === "/big") response.end(Buffer.alloc(4096));
    else if (request.url === "/loop") response.writeHead(302, { location: "/loop" }).end();
    else if (request.url === "/cut") response.socket?.destroy();
    else response.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  t.close();
  server.close();
});

let counter = 0;
function deploy(source: string, overrides: Parameters<typeof functionRecord>[0] = {}): string {
  const name = `paths-${++counter}`;
  t.deploy(functionRecord({ functionName: name, ...overrides }), esmBundle(source));
  return name;
}

function expectNoHostPaths(result: DecodedResult): void {
  for (const [what, text] of [
    ["payload", result.text],
    ["log", result.log],
  ] as const) {
    expect(text, what).not.toMatch(HOST_PATHS);
  }
}

describe("errors shown to function code", () => {
  it("the search would see the worker's paths in a host stack", () => {
    expect(new Error("here").stack).toMatch(HOST_PATHS);
  });

  it("from host calls and fetches carry no host file", async () => {
    const name = deploy(`const require = (name) => globalThis.__lambentRequire(name);
const describe = (error) => ({ name: error?.name, message: String(error?.message), stack: String(error?.stack), code: error?.code, cause: String(error?.cause?.stack ?? "") });
const caught = async (work) => { try { await work(); return "no error"; } catch (error) { console.log(error); return describe(error); } };
const userModule = { handler: async (event) => {
  const fs = require("fs"), zlib = require("zlib"), crypto = require("crypto");
  const { invoke } = require("lambent:functions");
  const errors = {
    read: await caught(() => fs.readFileSync("/nope")), write: await caught(() => fs.writeFileSync("/var/task/x", "y")), dir: await caught(() => fs.readdirSync("/tmp/none")),
    long: await caught(() => fs.writeFileSync("/tmp/" + "x".repeat(300), "")), copy: await caught(() => fs.copyFileSync("/tmp/none", "/tmp/b")),
    gunzip: await caught(() => zlib.gunzipSync(Buffer.from("not gzip"))), inflate: await caught(() => new Promise((resolve, reject) => zlib.inflate(Buffer.from("bad"), (e, r) => (e ? reject(e) : resolve(r))))),
    options: await caught(() => zlib.gzipSync("x", { level: 99 })), bomb: await caught(() => zlib.gunzipSync(zlib.gzipSync(Buffer.alloc(70 * 1024 * 1024)))),
    hash: await caught(() => crypto.createHash("nope")), random: await caught(() => crypto.randomBytes(-1)), subtle: await caught(() => crypto.subtle.digest("MD4", new Uint8Array(1))),
    refused: await caught(() => fetch("http://169.254.169.254/")), slow: await caught(() => fetch(event.base + "/slow")), big: await caught(() => fetch(event.base + "/big")),
    loop: await caught(() => fetch(event.base + "/loop")), cut: await caught(() => fetch(event.base + "/cut")), scheme: await caught(() => fetch("ftp://example.com/")),
    unresolved: await caught(() => fetch("http://no-such-host.invalid/")), closed: await caught(() => fetch("http://127.0.0.1:1/")),
    call: await caught(() => invoke("missing", {})), badCall: await caught(() => invoke(42)),
    wasm: await caught(() => new WebAssembly.Memory({ initial: 100000 })), module: await caught(() => new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1]))),
  };
  return errors;
} };`, { memorySize: 256, timeout: 30 });
    const result = await t.invoke(name, { base });
    expect(result.header.functionError, result.text).toBeUndefined();
    const errors = result.json as Record<string, { name: string; message: string; stack: string } | string>;
    for (const [what, error] of Object.entries(errors)) expect(error, what).not.toBe("no error");
    // Each has a stack of its own, inside the isolate.
    expect((errors["gunzip"] as { stack: string }).stack).toMatch(/^Error: incorrect header check\n\s+at /);
    expectNoHostPaths(result);
  });

  it("from failures while the module initialises, timeouts, exits and uncaught errors carry no host file", async () => {
    const cases: [string, Parameters<typeof functionRecord>[0]][] = [
      [`throw new Error("init failed");\nconst userModule = {};`, {}],
      [`const userModule = { handler: async () => { return 1 } ;`, {}],
      [`const userModule = {};`, {}],
      [`const userModule = { handler: async () => "x" }; for (;;) {}`, { timeout: 1 }],
      [`globalThis.keep = []; for (;;) globalThis.keep.push(new Array(1e6).fill(1));\nconst userModule = {};`, { memorySize: 128 }],
      [`const userModule = { handler: async () => { for (;;) {} } };`, { timeout: 1 }],
      [`const userModule = { handler: async () => { globalThis.process.exit(2); } };`, {}],
      [`const userModule = { handler: async () => { setTimeout(() => { null.boom(); }, 1); await new Promise(() => {}); } };`, { timeout: 2 }],
      [`const userModule = { handler: async () => { const down = (n) => down(n + 1) + 1; return down(0); } };`, {}],
      [`const userModule = { handler: async () => { globalThis.keep = []; for (;;) globalThis.keep.push(new Array(1e6).fill(1)); } };`, { memorySize: 128, timeout: 30 }],
    ];
    for (const [source, overrides] of cases) {
      const result = await t.invoke(deploy(source, overrides));
      expect(result.header.functionError, source).toBe("Unhandled");
      expectNoHostPaths(result);
    }
  });
});

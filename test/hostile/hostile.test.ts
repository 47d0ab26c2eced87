// Hostile function code on a real cluster with the default egress policy: each attack fails inside the
// function with a clear error, and the worker and the other functions carry on.
import { networkInterfaces } from "node:os";
import * as zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";

const handler = (body: string): Uint8Array => zipFiles({ "index.js": `exports.handler = async function (event) { ${body} };` });
const gzipSync = (data: Buffer): Buffer => zlib.gzipSync(data);

const functions: [string, Uint8Array, { MemorySize?: number; Timeout?: number }][] = [
  ["bystander", handler(`return { polluted: ({}).polluted ?? null, arrayPolluted: [].evil ?? null, ok: true };`), {}],
  [
    "escape",
    handler(`
      const attempts = {};
      const probe = async (name, fn) => { try { const p = await fn(); attempts[name] = { pid: p?.pid ?? null, binding: typeof p?.binding, mainModule: typeof p?.mainModule, dlopen: typeof p?.dlopen }; } catch (e) { attempts[name] = e.name + ": " + e.message; } };
      await probe("this", () => this.constructor.constructor("return process")());
      await probe("arrow", () => (() => {}).constructor("return process")());
      await probe("async", () => (async () => {}).constructor("return process")());
      await probe("error", () => new Error().constructor.constructor("return process")());
      await probe("console", () => console.log.constructor("return process")());
      await probe("require", () => { const g = Function("return this")(); return g.require ? g.require("child_process") : { pid: "no require" }; });
      let hostProto = "reached";
      try { hostProto = typeof Function("return this")().process.constructor.constructor("return require")(); } catch (e) { hostProto = e.name; }
      return { attempts, hostProto, hostRequire: typeof globalThis.require, hostModule: typeof globalThis.module };`),
    {},
  ],
  ["pollute", handler(`Object.prototype.polluted = "yes"; Array.prototype.evil = 1; JSON.parse = () => "hijacked"; return ({}).polluted;`), {}],
  ["exit", handler(`process.exit(3);`), {}],
  ["spin", handler(`while (true) {}`), { Timeout: 1 }],
  ["hog", handler(`const keep = []; while (true) keep.push(new Array(1e6).fill(Math.random()));`), { MemorySize: 128, Timeout: 30 }],
  ["recurse", handler(`const down = (n) => down(n + 1) + 1; return down(0);`), {}],
  ["flood", handler(`const line = "x".repeat(64 * 1024); for (let i = 0; i < 400; i++) console.log(line); return "flooded";`), { Timeout: 30 }],
  // 3,000 lines of 256 KB: 750 MB of log from one call.
  ["deluge", handler(`const line = "y".repeat(256 * 1024); for (let i = 0; i < 3000; i++) console.log(line); return "flooded";`), { MemorySize: 256, Timeout: 60 }],
  ["huge", handler(`return "x".repeat(7 * 1024 * 1024);`), { MemorySize: 256 }],
  // A million tiny files, then one listing of them all.
  [
    "tmpflood",
    handler(`const fs = require("fs"); let made = 0; let code;
      for (; made < 1e6; made++) { try { fs.writeFileSync("/tmp/f" + made, ""); } catch (e) { code = e.code; break; } }
      return [made, code, fs.readdirSync("/tmp").length];`),
    { Timeout: 120 },
  ],
  ["zbomb", handler(`const zlib = require("zlib"); try { return zlib.gunzipSync(Buffer.from(event.bomb, "base64")).length; } catch (e) { return [e.name, e.code]; }`), { Timeout: 30 }],
  // Big synchronous work through the host: each host call is bounded, the work still gets done.
  [
    "bigwork",
    handler(`const fs = require("fs"); const crypto = require("crypto");
      const data = crypto.randomBytes(64 * 1024 * 1024);
      fs.writeFileSync("/tmp/a", data); fs.copyFileSync("/tmp/a", "/tmp/b");
      const same = crypto.createHash("sha256").update(fs.readFileSync("/tmp/b")).digest("hex") === crypto.createHash("sha256").update(data).digest("hex");
      return [data.length, same];`),
    { MemorySize: 1024, Timeout: 120 },
  ],
  ["timers", handler(`for (let i = 0; i < 200000; i++) setTimeout(() => {}, 60000); return "armed";`), {}],
  [
    "selfcall",
    handler(`
      const attempt = async (url) => { try { const r = await fetch(url); return "reached " + r.status; } catch (e) { return e.name + ": " + e.message; } };
      return { frontend: await attempt(event.frontend), nats: await attempt(event.nats), metadata: await attempt("http://169.254.169.254/latest/meta-data/"), localhost: await attempt(event.frontend.replace("127.0.0.1", "localhost")) };`),
    {},
  ],
  [
    "egress",
    handler(`
      const attempt = async (url) => { try { const r = await fetch(url); return "reached " + r.status; } catch (e) { return e.name + ": " + e.message; } };
      const out = {}; for (const url of event.urls) out[url] = await attempt(url); return out;`),
    { Timeout: 30 },
  ],
  [
    "callflood",
    handler(`
      const { invoke } = require("lambent:functions");
      const outcomes = async (calls) => { const counts = {}; for (const r of await Promise.allSettled(calls)) { const k = r.status === "fulfilled" ? "ok" : r.reason.name; counts[k] = (counts[k] ?? 0) + 1; } return counts; };
      const flood = await outcomes(Array.from({ length: 2000 }, () => invoke("nobody-here", {})));
      // Lie about every byte array's size: the call's weight is measured with the runtime's own intrinsics.
      for (const name of ["byteLength", "length"]) Object.defineProperty(Object.getPrototypeOf(Uint8Array.prototype), name, { get: () => 0 });
      const huge = await outcomes([invoke("bystander", "[" + "1,".repeat(4 * 1024 * 1024) + "1]")]);
      const odd = await outcomes([invoke({ toString: () => "bystander" }), invoke("bystander", {}, { invocationType: { length: 1 } }), invoke("bystander", Symbol("x"))]);
      return { flood, huge, odd };`),
    { MemorySize: 256, Timeout: 60 },
  ],
];

let cluster: TestCluster;
let lambda: LambdaClient;

beforeAll(async () => {
  cluster = await startTestCluster();
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  for (const [name, zip, extra] of functions) await createTestFunction(lambda, name, zip, extra);
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await cluster?.stop();
});

async function invoke(name: string, event: unknown = {}): Promise<{ error?: string; payload: unknown; log: string }> {
  const answer = await lambda.send(new InvokeCommand({ FunctionName: name, LogType: "Tail", Payload: new TextEncoder().encode(JSON.stringify(event)) }));
  const text = new TextDecoder().decode(answer.Payload);
  const log = answer.LogResult ? Buffer.from(answer.LogResult, "base64").toString("utf8") : "";
  return { ...(answer.FunctionError ? { error: answer.FunctionError } : {}), payload: JSON.parse(text), log };
}

/** The resident memory of the worker's processes together, from its Prometheus endpoint. */
async function workerResidentBytes(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${String(cluster.workers[0]!.ready["metricsPort"])}/metrics`)).text();
  const samples = [...text.matchAll(/^process_resident_memory_bytes(?:\{[^}]*\})? (\S+)$/gm)].map((match) => Number(match[1]));
  expect(samples.length).toBeGreaterThan(0);
  return samples.reduce((sum, value) => sum + value, 0);
}

/** After each attack, an ordinary function on the same worker still answers, untouched. */
async function expectBystanderUnharmed(): Promise<void> {
  expect(await invoke("bystander")).toMatchObject({ payload: { polluted: null, arrayPolluted: null, ok: true } });
}

describe("hostile code", () => {
  it("constructor-chain escapes reach only the isolate's own process", async () => {
    const { error, payload } = await invoke("escape");
    expect(error).toBeUndefined();
    const result = payload as { attempts: Record<string, unknown>; hostProto: string; hostRequire: string; hostModule: string };
    for (const name of ["this", "arrow", "async", "error", "console"]) {
      expect(result.attempts[name], name).toEqual({ pid: 1, binding: "undefined", mainModule: "undefined", dlopen: "undefined" });
    }
    expect(result.attempts["require"]).toEqual({ pid: "no require", binding: "undefined", mainModule: "undefined", dlopen: "undefined" });
    expect(result.hostProto).toBe("ReferenceError");
    expect([result.hostRequire, result.hostModule]).toEqual(["undefined", "undefined"]);
    await expectBystanderUnharmed();
  });

  it("prototype pollution stays in the polluting function's isolate", async () => {
    expect((await invoke("pollute")).payload).toBe("yes");
    await expectBystanderUnharmed();
  });

  it("process.exit ends only that environment", async () => {
    const { error, payload } = await invoke("exit");
    expect(error).toBe("Unhandled");
    expect(payload).toMatchObject({ errorType: "Runtime.ExitError" });
    expect((payload as { errorMessage: string }).errorMessage).toMatch(/exit status 3/);
    await expectBystanderUnharmed();
  });

  it("an endless loop times out", async () => {
    const { error, payload } = await invoke("spin");
    expect(error).toBe("Unhandled");
    expect(payload).toMatchObject({ errorType: "Sandbox.Timedout" });
    expect((payload as { errorMessage: string }).errorMessage).toMatch(/Task timed out after 1.00 seconds/);
    await expectBystanderUnharmed();
  });

  it("allocating until death is stopped at the memory cap", async () => {
    const { error, payload } = await invoke("hog");
    expect(error).toBe("Unhandled");
    expect(payload).toMatchObject({ errorType: "Runtime.OutOfMemory" });
    await expectBystanderUnharmed();
  });

  it("unbounded recursion is a RangeError in the function", async () => {
    const { error, payload } = await invoke("recurse");
    expect(error).toBe("Unhandled");
    expect(payload).toMatchObject({ errorType: "RangeError", errorMessage: "Maximum call stack size exceeded" });
    await expectBystanderUnharmed();
  });

  it("huge log output is capped with a note", async () => {
    const { error, payload, log } = await invoke("flood");
    expect(error).toBeUndefined();
    expect(payload).toBe("flooded");
    expect(log).toMatch(/Log output truncated: this invocation wrote more than \d+ bytes of log/);
    await expectBystanderUnharmed();
  });

  it("a flood of 256 KB lines is capped at the invocation's log limit, and the worker does not keep it", async () => {
    const before = await workerResidentBytes();
    const { error, payload, log } = await invoke("deluge");
    expect(error).toBeUndefined();
    expect(payload).toBe("flooded");
    expect(log).toMatch(/Log output truncated: this invocation wrote more than \d+ bytes of log/);
    expect(log.match(/Log output truncated/g)).toHaveLength(1);
    // 750 MB went to console.log; the worker holds at most the 4 MB cap of it.
    expect((await workerResidentBytes()) - before).toBeLessThan(128 * 1024 * 1024);
    await expectBystanderUnharmed();
  });

  it("a million tiny /tmp files stop at the entry limit, and listing them is served in bounded pieces", async () => {
    const { error, payload } = await invoke("tmpflood");
    expect(error).toBeUndefined();
    expect(payload).toEqual([100_000, "ENOSPC", 100_000]);
    await expectBystanderUnharmed();
  });

  it("a decompression bomb stops at the output cap", async () => {
    const bomb = gzipSync(Buffer.alloc(200 * 1024 * 1024)).toString("base64");
    expect(await invoke("zbomb", { bomb })).toMatchObject({ payload: ["RangeError", "ERR_BUFFER_TOO_LARGE"] });
    await expectBystanderUnharmed();
  });

  it("big synchronous work goes through the host in bounded calls and still gets done", async () => {
    expect(await invoke("bigwork")).toMatchObject({ payload: [64 * 1024 * 1024, true] });
    await expectBystanderUnharmed();
  });

  it("a response over 6 MB is refused", async () => {
    const { error, payload } = await invoke("huge");
    expect(error).toBe("Unhandled");
    expect(payload).toMatchObject({ errorType: "Function.ResponseSizeTooLarge" });
    await expectBystanderUnharmed();
  });

  it("thousands of timers are refused past the limit", async () => {
    const { error, payload } = await invoke("timers");
    expect(error).toBe("Unhandled");
    expect(payload).toMatchObject({ errorType: "RangeError" });
    expect((payload as { errorMessage: string }).errorMessage).toMatch(/Too many pending timers/);
    await expectBystanderUnharmed();
  });

  it("a flood of function calls, payloads that lie about their size and odd arguments get clear errors", async () => {
    const { error, payload } = await invoke("callflood");
    expect(error).toBeUndefined();
    expect(payload).toEqual({ flood: { ResourceNotFoundException: 2000 }, huge: { RequestTooLargeException: 1 }, odd: { TypeError: 3 } });
    expect((await invoke("bystander")).payload).toMatchObject({ ok: true });
  });

  it("fetch to the machine's own addresses and to reserved ranges is refused, in every IPv6 disguise", async () => {
    const port = new URL(cluster.httpUrl).port;
    const own = Object.values(networkInterfaces())
      .flatMap((entries) => entries ?? [])
      .filter((entry) => !entry.internal && !entry.address.startsWith("fe80"))
      .map((entry) => (entry.family === "IPv6" ? `http://[${entry.address}]:${port}/healthz` : `http://${entry.address}:${port}/healthz`));
    const reserved = [
      "http://192.0.2.1/",
      "http://198.51.100.1/",
      "http://203.0.113.1/",
      "http://198.18.0.1/",
      "http://224.0.0.1/",
      "http://255.255.255.255/",
      "http://240.0.0.1/",
      "http://0.0.0.0:" + port + "/",
      "http://[2001:db8::1]/",
      "http://[ff02::1]/",
      "http://[::ffff:192.0.2.1]/",
      "http://[2002:7f00:1::]:" + port + "/",
      "http://[64:ff9b::7f00:1]:" + port + "/",
    ];
    const { error, payload } = await invoke("egress", { urls: [...own, ...reserved] });
    expect(error).toBeUndefined();
    const results = payload as Record<string, string>;
    // Whatever else the machine's addresses are (private, documentation…), each is one of its own.
    for (const url of own) expect(results[url], url).toMatch(/^TypeError: fetch to .* refused: .*, (an address of this machine|a .* address), which the egress policy does not allow$/);
    for (const url of reserved) expect(results[url], url).toMatch(/^TypeError: fetch to .* refused: .* a (documentation.*|benchmarking|multicast|broadcast|reserved|unspecified|loopback) address/);
    await expectBystanderUnharmed();
  });

  it("fetch to the cluster's own ports and the metadata address is refused", async () => {
    const natsPort = new URL(cluster.natsUrl).port;
    const { error, payload } = await invoke("selfcall", { frontend: `${cluster.httpUrl}/healthz`, nats: `http://127.0.0.1:${natsPort}/` });
    expect(error).toBeUndefined();
    const result = payload as Record<string, string>;
    expect(result["frontend"]).toMatch(/^TypeError: fetch to http:\/\/127\.0\.0\.1:\d+ refused: .*loopback address/);
    expect(result["nats"]).toMatch(/^TypeError: fetch to http:\/\/127\.0\.0\.1:\d+ refused: .*loopback address/);
    expect(result["metadata"]).toMatch(/^TypeError: fetch to http:\/\/169\.254\.169\.254 refused: .*link-local address/);
    expect(result["localhost"]).toMatch(/^TypeError: fetch to http:\/\/localhost:\d+ refused: .*loopback address/);
    await expectBystanderUnharmed();
  });
});

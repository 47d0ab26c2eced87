// Hostile function code on a real cluster with the default egress policy: each attack fails inside the
// function with a clear error, and the worker and the other functions carry on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { strToU8, zipSync } from "fflate";
import { InvokeCommand, InvokeWithResponseStreamCommand, LambdaClient, ListLayerVersionsCommand, PublishLayerVersionCommand } from "@aws-sdk/client-lambda";
import { lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { bystander, gzipBomb, hostileProbes, ownAddressUrls, reservedUrls } from "../fixtures/hostile-probes.js";

let cluster: TestCluster;
let lambda: LambdaClient;

beforeAll(async () => {
  cluster = await startTestCluster();
  lambda = new LambdaClient(lambdaClientConfig(cluster.httpUrl));
  for (const probe of [bystander, ...hostileProbes]) await createTestFunction(lambda, probe.name, probe.code, probe.config);
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
  it("crypto and fs hold their host-side resources to bounds: ciphers, derivations and descriptors", async () => {
    await createTestFunction(
      lambda,
      "host-hoarder",
      zipFiles({
        "index.js": `const crypto = require("crypto"), fs = require("fs");
const attempt = (call) => { try { call(); return "ran"; } catch (error) { return error.code ?? error.message; } };
exports.handler = async () => {
  const ciphers = [];
  const opened = attempt(() => { for (let i = 0; i < 300; i++) ciphers.push(crypto.createCipheriv("aes-256-gcm", Buffer.alloc(32), Buffer.alloc(12))); });
  const descriptors = attempt(() => { for (let i = 0; i < 1100; i++) fs.openSync("/tmp/hoard", "a"); });
  return {
    ciphers: [ciphers.length, opened],
    descriptors,
    pbkdf2: attempt(() => crypto.pbkdf2Sync("pw", "salt", 100_000_000, 32, "sha256")),
    scrypt: attempt(() => crypto.scryptSync("pw", "salt", 32, { N: 2 ** 20, r: 16 })),
    keylen: attempt(() => crypto.hkdfSync("sha256", "k", "s", "i", 1 << 20)),
  };
};`,
      }),
    );
    const { error, payload } = await invoke("host-hoarder");
    expect(error).toBeUndefined();
    const result = payload as Record<string, unknown>;
    expect(result["ciphers"]).toEqual([256, expect.stringMatching(/At most 256 ciphers may be open at once/)]);
    expect(result["descriptors"]).toBe("EMFILE");
    expect(result["pbkdf2"]).toBe("ERR_OUT_OF_RANGE");
    expect(result["scrypt"]).toBe("ERR_CRYPTO_INVALID_SCRYPT_PARAMS");
    expect(result["keylen"]).toBe("ERR_OUT_OF_RANGE");
    await expectBystanderUnharmed();
  });

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

  it("a line that looks like a REPORT comes before the platform's own, which is always the log's last", async () => {
    const forged = "REPORT RequestId: forged\tDuration: 0.01 ms\tBilled Duration: 1 ms\tMemory Size: 10240 MB\tMax Memory Used: 1 MB\t";
    const code = `exports.handler = async () => { console.log(${JSON.stringify(`x\n${forged}`)}); process.stdout.write(${JSON.stringify(`${forged}\n`)}); return "forged"; };`;
    await createTestFunction(lambda, "report-forger", zipFiles({ "index.js": code }));
    const answer = await lambda.send(new InvokeCommand({ FunctionName: "report-forger", LogType: "Tail" }));
    const lines = Buffer.from(answer.LogResult!, "base64").toString("utf8").split("\n").filter((line) => line !== "");
    // The console reads the last line as the REPORT (packages/console/src/log-result.ts).
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^REPORT RequestId: ${answer.$metadata.requestId}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB`));
    expect(lines.some((line) => line.includes("REPORT RequestId: forged"))).toBe(true);
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
    expect(await invoke("zbomb", { bomb: gzipBomb() })).toMatchObject({ payload: ["RangeError", "ERR_BUFFER_TOO_LARGE"] });
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

  it("the in-function Lambda endpoint keeps the call limits, and names that only look like it go through the egress policy", async () => {
    await createTestFunction(
      lambda,
      "endpoint-flood",
      zipFiles({
        "index.mjs": `export const handler = async () => {
          const url = "http://lambda.lambent.internal/2015-03-31/functions/bystander/invocations";
          const outcomes = await Promise.all(Array.from({ length: 300 }, () =>
            fetch(url, { method: "POST", body: "{}" }).then((response) => String(response.status), (error) => error.name)));
          const counts = {};
          for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
          const disguised = {};
          for (const trick of ["http://lambda.lambent.internal@169.254.169.254/", "http://169.254.169.254/#lambda.lambent.internal"]) {
            disguised[trick] = await fetch(trick).then((response) => response.status, (error) => error.message);
          }
          return { counts, disguised };
        };`,
      }),
      { Timeout: 30 },
    );
    const { error, payload } = await invoke("endpoint-flood");
    expect(error).toBeUndefined();
    const { counts, disguised } = payload as { counts: Record<string, number>; disguised: Record<string, unknown> };
    // Every request settled: the calls that fit ran, the rest were refused at once, none left hanging.
    expect(Object.values(counts).reduce((sum, count) => sum + count, 0)).toBe(300);
    expect(counts["200"]).toBeGreaterThan(0);
    expect((counts["429"] ?? 0) + (counts["TypeError"] ?? 0)).toBeGreaterThan(0);
    for (const outcome of Object.values(disguised)) expect(String(outcome)).toMatch(/refused|not allowed|denied/i);
    await expectBystanderUnharmed();
  });

  it("fetch to the machine's own addresses and to reserved ranges is refused, in every IPv6 disguise", async () => {
    const own = ownAddressUrls(cluster.httpUrl);
    const reserved = reservedUrls(cluster.httpUrl);
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

  it("Node's http and https, sockets and name lookups reach no further than fetch, and processes are not there at all", async () => {
    await createTestFunction(
      lambda,
      "node-net",
      zipFiles({
        "index.js": `const http = require("http"), https = require("node:https"), net = require("net"), cp = require("child_process"), dns = require("dns");
const attempt = (module, url) => new Promise((resolve) => {
  const request = module.get(url, (response) => resolve("answered " + response.statusCode));
  request.on("error", (error) => resolve(error.code + ": " + error.message));
});
const refused = (call) => { try { call(); return "ran"; } catch (error) { return error.code; } };
const failed = (start) => new Promise((resolve) => start((error) => resolve(error ? error.code : "ran")));
exports.handler = async (event) => ({
  nats: await attempt(http, event.nats),
  frontend: await attempt(http, event.frontend),
  metadata: await attempt(http, "http://169.254.169.254/latest/meta-data/"),
  metadataTls: await attempt(https, "https://169.254.169.254/"),
  tcp: await failed((done) => net.connect(Number(new URL(event.nats).port), "127.0.0.1", () => done()).on("error", done)),
  shell: refused(() => cp.execSync("cat /etc/passwd")),
  lookup: await failed((done) => dns.lookup("localhost", done)),
});`,
      }),
    );
    const natsPort = new URL(cluster.natsUrl).port;
    const { error, payload } = await invoke("node-net", { nats: `http://127.0.0.1:${natsPort}/`, frontend: `${cluster.httpUrl}/healthz` });
    expect(error).toBeUndefined();
    const result = payload as Record<string, string>;
    expect(result["nats"]).toMatch(/^ECONNREFUSED: fetch to http:\/\/127\.0\.0\.1:\d+ refused: .*loopback address/);
    expect(result["frontend"]).toMatch(/^ECONNREFUSED: fetch to http:\/\/127\.0\.0\.1:\d+ refused: .*loopback address/);
    expect(result["metadata"]).toMatch(/^ECONNREFUSED: fetch to http:\/\/169\.254\.169\.254 refused: .*link-local address/);
    expect(result["metadataTls"]).toMatch(/^ECONNREFUSED: fetch to https:\/\/169\.254\.169\.254 refused: .*link-local address/);
    expect([result["tcp"], result["shell"], result["lookup"]]).toEqual(["EACCES", "ERR_METHOD_NOT_IMPLEMENTED", "ENOTFOUND"]);
    await expectBystanderUnharmed();
  });
});

async function refusal(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error("expected a refusal");
}

describe("hostile layers", () => {
  it("a layer zip with a path out of /opt or a symbolic link is refused, and nothing is stored", async () => {
    const escaping = zipSync({ "nodejs/ok.js": strToU8("1"), "../../var/task/index.js": strToU8("exports.handler = () => 'owned'") });
    const escaped = await refusal(lambda.send(new PublishLayerVersionCommand({ LayerName: "evil-escape", Content: { ZipFile: escaping } })));
    expect(escaped.name).toBe("InvalidParameterValueException");
    expect(escaped.message).toContain("points outside the package");
    // A link entry, as zip tools store one made on Unix: its data is the target, its mode S_IFLNK.
    const linked = zipSync({ "nodejs/node_modules/x": [strToU8("/etc/passwd"), { os: 3, attrs: (0o120777 << 16) >>> 0 }] });
    const link = await refusal(lambda.send(new PublishLayerVersionCommand({ LayerName: "evil-link", Content: { ZipFile: linked } })));
    expect(link.name).toBe("InvalidParameterValueException");
    expect(link.message).toContain("symbolic link");
    for (const layerName of ["evil-escape", "evil-link"]) {
      expect((await lambda.send(new ListLayerVersionsCommand({ LayerName: layerName }))).LayerVersions).toEqual([]);
    }
  });

  it("/opt is read-only, and paths through it reach nothing else", async () => {
    const layer = await lambda.send(new PublishLayerVersionCommand({ LayerName: "plain", Content: { ZipFile: zipFiles({ "data/a.txt": "layer data" }) } }));
    const code = zipFiles({
      "index.js": `const fs = require("fs");
        const attempt = (fn) => { try { fn(); return "done"; } catch (error) { return error.code; } };
        exports.handler = async () => ({
          read: fs.readFileSync("/opt/data/a.txt", "utf8"),
          write: attempt(() => fs.writeFileSync("/opt/data/a.txt", "changed")),
          create: attempt(() => fs.writeFileSync("/opt/new.txt", "x")),
          mkdir: attempt(() => fs.mkdirSync("/opt/dir")),
          remove: attempt(() => fs.unlinkSync("/opt/data/a.txt")),
          copyIn: attempt(() => { fs.writeFileSync("/tmp/x", "x"); fs.copyFileSync("/tmp/x", "/opt/data/x"); }),
          dotdot: attempt(() => fs.readFileSync("/opt/../etc/passwd", "utf8")),
          after: fs.readFileSync("/opt/data/a.txt", "utf8"),
        });`,
    });
    await createTestFunction(lambda, "opt-writer", code, { Layers: [layer.LayerVersionArn!] });
    const { error, payload } = await invoke("opt-writer");
    expect(error).toBeUndefined();
    expect(payload).toEqual({ read: "layer data", write: "EROFS", create: "EROFS", mkdir: "EROFS", remove: "EROFS", copyIn: "EROFS", dotdot: "ENOENT", after: "layer data" });
    await expectBystanderUnharmed();
  });
});

describe("hostile streams", () => {
  // That the host takes no more than its window from such a function is services/worker/src/response-stream.test.ts's.
  it("a function that streams 30 MB without waiting for 'drain' is cut at Lambda's 20 MB", async () => {
    const flood = zipFiles({
      "index.mjs": `export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
        const piece = new Uint8Array(1024 * 1024).fill(122);
        for (let i = 0; i < 30; i++) responseStream.write(piece);
        responseStream.end();
      });`,
    });
    await createTestFunction(lambda, "stream-flood", flood, { Timeout: 30, MemorySize: 256 });
    const output = await lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: "stream-flood" }));
    let bytes = 0;
    let complete: { ErrorCode?: string } | undefined;
    for await (const event of output.EventStream ?? []) {
      if (event.PayloadChunk?.Payload) bytes += event.PayloadChunk.Payload.length;
      if (event.InvokeComplete) complete = event.InvokeComplete;
    }
    expect(bytes).toBeLessThanOrEqual(20 * 1024 * 1024);
    expect(complete?.ErrorCode).toBe("Function.ResponseSizeTooLarge");
    await expectBystanderUnharmed();
  });
});

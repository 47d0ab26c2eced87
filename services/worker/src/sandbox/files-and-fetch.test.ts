// `fs` over the deployment package and /tmp, and `fetch` carried out by the host under the egress policy.
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { esmBundle, functionRecord, testInvoker, type TestInvoker } from "../testing/fixtures.js";

let counter = 0;
function deploy(t: TestInvoker, body: string, files: Record<string, string> = {}, overrides: Parameters<typeof functionRecord>[0] = {}): string {
  const name = `fs-${++counter}`;
  t.deploy(
    functionRecord({ functionName: name, ...overrides }),
    esmBundle(`const fs = globalThis.__lambentRequire("fs"); const require = (name) => globalThis.__lambentRequire(name);
const userModule = { handler: async (event) => { ${body} } };`),
    files,
  );
  return name;
}

async function result(t: TestInvoker, name: string, event: unknown = {}): Promise<unknown> {
  const reply = await t.invoke(name, event);
  if (reply.header.functionError) throw new Error(`function failed: ${reply.text}`);
  return reply.json;
}

describe("fs", () => {
  const t = testInvoker();
  afterAll(() => t.close());
  const files = { "index.js": "x", "templates/page.html": "<h1>{{title}}</h1>", "data/a.json": '{"a":1}' };

  it("reads the package's own files, relative to /var/task, sync, callback and promise", async () => {
    const name = deploy(
      t,
      `const cb = await new Promise((resolve, reject) => fs.readFile("/var/task/data/a.json", "utf8", (e, d) => (e ? reject(e) : resolve(d))));
       const stat = fs.statSync("templates/page.html");
       return [fs.readFileSync("templates/page.html", "utf8"), JSON.parse(cb).a, await require("fs/promises").readFile("/var/task/data/a.json", { encoding: "utf8" }),
         fs.existsSync("/var/task/index.js"), fs.existsSync("/var/task/nope"), stat.isFile(), stat.size, fs.readdirSync("/var/task").sort(),
         fs.readdirSync("/var/task", { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort(), Buffer.isBuffer(fs.readFileSync("index.js"))];`,
      files,
    );
    expect(await result(t, name)).toEqual(["<h1>{{title}}</h1>", 1, '{"a":1}', true, false, true, 18, ["data", "index.js", "templates"], ["data", "templates"], true]);
  });

  it("fails like Node: ENOENT, EROFS, EACCES, EISDIR", async () => {
    const name = deploy(
      t,
      `const attempt = (fn) => { try { fn(); return null; } catch (e) { return [e.code, e.errno, e.syscall, e.path, e.message]; } };
       return [attempt(() => fs.readFileSync("/var/task/missing.txt")), attempt(() => fs.writeFileSync("/var/task/index.js", "x")),
         attempt(() => fs.writeFileSync("/etc/passwd", "x")), attempt(() => fs.readFileSync("/etc/passwd")), attempt(() => fs.readFileSync("/var/task/data"))];`,
      files,
    );
    expect(await result(t, name)).toEqual([
      ["ENOENT", -2, "open", "/var/task/missing.txt", "ENOENT: no such file or directory, open '/var/task/missing.txt'"],
      ["EROFS", -30, "open", "/var/task/index.js", "EROFS: read-only file system, open '/var/task/index.js'"],
      ["EACCES", -13, "open", "/etc/passwd", "EACCES: permission denied, open '/etc/passwd'"],
      ["ENOENT", -2, "open", "/etc/passwd", "ENOENT: no such file or directory, open '/etc/passwd'"],
      ["EISDIR", -21, "read", "/var/task/data", "EISDIR: illegal operation on a directory, read '/var/task/data'"],
    ]);
  });

  it("reads and writes through file descriptors, sync, callback and FileHandle, as SeBS's wrappers do", async () => {
    const name = deploy(
      t,
      `const out = fs.openSync("/tmp/log.txt", "w");
       fs.writeSync(out, "hello ");
       fs.writeSync(out, Buffer.from("brave new world"), 6, 9);
       fs.writeSync(out, "HELLO", 0);
       const size = fs.fstatSync(out).size;
       fs.closeSync(out);
       const input = fs.openSync("/tmp/log.txt", "r");
       const buffer = Buffer.alloc(5);
       const first = fs.readSync(input, buffer, 0, 5, null);
       const firstText = buffer.toString();
       const second = fs.readSync(input, buffer, { offset: 0, length: 5 });
       const secondText = buffer.subarray(0, second).toString();
       const atEnd = fs.readSync(input, buffer, 0, 5, 100);
       let badWrite; try { fs.writeSync(input, "x"); } catch (e) { badWrite = e.code; }
       fs.closeSync(input);
       let closedTwice; try { fs.closeSync(input); } catch (e) { closedTwice = e.code + " " + e.syscall; }
       let missing; try { fs.openSync("/tmp/none.txt", "r"); } catch (e) { missing = e.code; }
       let exclusive; try { fs.openSync("/tmp/log.txt", "wx"); } catch (e) { exclusive = e.code; }
       let readOnly; try { fs.openSync("/var/task/index.js", "w"); } catch (e) { readOnly = e.code; }
       const appended = await new Promise((resolve, reject) => fs.open("/tmp/log.txt", "a", (e, fd) => e ? reject(e) : fs.write(fd, "!", (e2, written) => e2 ? reject(e2) : fs.close(fd, () => resolve(written)))));
       const handle = await require("fs/promises").open("/tmp/log.txt", "r+");
       const { bytesRead } = await handle.read(Buffer.alloc(3), 0, 3, 0);
       await handle.truncate(5);
       const stat = await handle.stat();
       await handle.close();
       return [size, first, firstText, second, secondText, atEnd, badWrite, closedTwice, missing, exclusive, readOnly, appended, bytesRead, stat.size,
         fs.readFileSync("/tmp/log.txt", "utf8")];`,
      files,
    );
    expect(await result(t, name)).toEqual([15, 5, "HELLO", 5, " new ", 0, "EBADF", "EBADF close", "ENOENT", "EEXIST", "EROFS", 1, 3, 5, "HELLO"]);
  });

  it("keeps /tmp while warm, per environment, and within ephemeral storage", async () => {
    const name = deploy(
      t,
      `if (event.write) { fs.mkdirSync("/tmp/a/b", { recursive: true }); fs.writeFileSync("/tmp/a/b/n.txt", "1"); fs.appendFileSync("/tmp/a/b/n.txt", "2"); }
       let full = null;
       try { fs.writeFileSync("/tmp/big", Buffer.alloc(2 * 1024 * 1024)); } catch (e) { full = e.code; }
       return [fs.existsSync("/tmp/a/b/n.txt") ? fs.readFileSync("/tmp/a/b/n.txt", "utf8") : null, fs.readdirSync("/tmp"), full];`,
      {},
      { ephemeralStorageMb: 1 },
    );
    expect(await result(t, name, { write: true })).toEqual(["12", ["a"], "ENOSPC"]);
    expect(await result(t, name)).toEqual(["12", ["a"], "ENOSPC"]);
    const other = deploy(t, `return fs.readdirSync("/tmp");`);
    expect(await result(t, other)).toEqual([]);
  });

  it("counts an idle environment's /tmp against the worker's memory, evicting it when room is needed", async () => {
    // 300 MB for the pool: an idle environment holding 200 MB of /tmp leaves no room for a 128 MB cold start.
    // Writing 200 MB takes seconds on a slow machine: the function gets the time it needs, not Lambda's default 3 s.
    const small = testInvoker({ memoryMb: 300 });
    try {
      const hoarder = deploy(small, `if (event.fill) { const chunk = Buffer.alloc(20 * 1024 * 1024); for (let i = 0; i < 10; i++) fs.appendFileSync("/tmp/blob", chunk); } return fs.existsSync("/tmp/blob");`, {}, { ephemeralStorageMb: 512, timeout: 120 });
      expect(await result(small, hoarder, { fill: true })).toBe(true);
      expect(await result(small, hoarder)).toBe(true);
      const other = deploy(small, `return 1;`);
      expect(await result(small, other)).toBe(1);
      // The hoarder's environment was evicted for the room, so its /tmp went with it.
      expect(await result(small, hoarder)).toBe(false);
    } finally {
      small.close();
    }
  });
});

describe("fetch", () => {
  let server: Server;
  let base: string;
  const t = testInvoker({}, { fetch: { allow: ["127.0.0.1"], maxResponseBytes: 64 * 1024, timeoutMs: 1000 } });
  const strict = testInvoker();
  const roomy = testInvoker({}, { fetch: { allow: ["127.0.0.1"], maxResponseBytes: 8 * 1024 * 1024 } });
  const held: ServerResponse[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        if (request.url === "/big") {
          response.end(Buffer.alloc(128 * 1024));
        } else if (request.url === "/4mb") {
          // Every response's body is sent at once, and all end together once all 48 are asked for: the
          // function's fetches hold their bodies at the same time.
          response.write(Buffer.alloc(4 * 1024 * 1024));
          held.push(response);
          if (held.length === 48) for (const waiting of held.splice(0)) waiting.end();
        } else if (request.url === "/slow") {
          setTimeout(() => response.end("late"), 5000).unref();
        } else if (request.url === "/redirect") {
          response.writeHead(302, { location: "/echo" }).end();
        } else {
          response.setHeader("content-type", "application/json");
          response.end(JSON.stringify({ method: request.method, url: request.url, header: request.headers["x-test"], body: Buffer.concat(chunks).toString() }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    t.close();
    strict.close();
    roomy.close();
    server.close();
  });

  it("calls an allowed server through the host, with method, headers, body and redirects", async () => {
    const name = deploy(
      t,
      `const response = await fetch(event.base + "/echo?q=1", { method: "POST", headers: { "x-test": "yes" }, body: JSON.stringify({ a: 1 }) });
       const redirected = await fetch(event.base + "/redirect");
       return [response.status, response.headers.get("content-type"), await response.json(), redirected.redirected, (await redirected.json()).url];`,
    );
    expect(await result(t, name, { base })).toEqual([200, "application/json", { method: "POST", url: "/echo?q=1", header: "yes", body: '{"a":1}' }, true, "/echo"]);
  });

  it("rejects with a TypeError saying why: body too large, too slow, loopback refused by default", async () => {
    const body = `const attempt = async (url) => { try { await fetch(url); return "ok"; } catch (e) { return e.name + ": " + e.message; } };
       return [await attempt(event.base + "/big"), await attempt(event.base + "/slow")];`;
    const [big, slow] = (await result(t, deploy(t, body), { base })) as string[];
    expect(big).toMatch(/^TypeError: .*larger than 65536 bytes/);
    expect(slow).toMatch(/^TypeError: .*within 1000 ms/);
    const [refused] = (await result(strict, deploy(strict, body), { base })) as string[];
    expect(refused).toMatch(/^TypeError: fetch to http:\/\/127\.0\.0\.1:\d+ refused: .*loopback address/);
  });

  it("holds an invocation's fetches together to its memory size on the host", async () => {
    const name = deploy(
      roomy,
      `const outcomes = await Promise.allSettled(Array.from({ length: 48 }, () => fetch(event.base + "/4mb").then((r) => r.arrayBuffer()).then((b) => b.byteLength)));
       const counts = {}; for (const o of outcomes) { const k = o.status === "fulfilled" ? "ok" : o.reason.message; counts[k] = (counts[k] ?? 0) + 1; }
       return counts;`,
      {},
      { memorySize: 128, timeout: 30 },
    );
    const counts = (await result(roomy, name, { base })) as Record<string, number>;
    const refused = counts["fetch failed: this invocation's fetches together hold more bytes than its memory size"] ?? 0;
    expect(refused).toBeGreaterThan(0);
    expect((counts["ok"] ?? 0) + refused).toBe(48);
  });

  it("drops a fetch the invocation did not wait for: nothing settles in the next one", async () => {
    const name = deploy(
      t,
      `globalThis.seen ??= [];
       if (event.start) { fetch(event.base + "/echo").then(() => globalThis.seen.push("settled")); return "started"; }
       await new Promise((resolve) => setTimeout(resolve, 100));
       return globalThis.seen;`,
    );
    expect(await result(t, name, { base, start: true })).toBe("started");
    expect(await result(t, name, { base })).toEqual([]);
  });
});

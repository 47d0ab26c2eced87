// Host calls from inside the isolate, each bounded on the host's side: large files, hashes and random
// buffers cross in pieces and come out whole; long listings come a page at a time; /tmp counts names and
// entries; compression is capped at min(memory size, 64 MB).
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_TMP_ENTRIES, READDIR_PAGE_ENTRIES } from "../limits.js";
import { esmBundle, functionRecord, testInvoker } from "../testing/fixtures.js";

const MB = 1024 * 1024;
const t = testInvoker();
afterAll(() => t.close());

let counter = 0;
async function run(body: string, event: unknown = {}, overrides: Parameters<typeof functionRecord>[0] = {}): Promise<unknown> {
  const name = `host-calls-${++counter}`;
  t.deploy(
    functionRecord({ functionName: name, timeout: 60, ...overrides }),
    esmBundle(`const require = (name) => globalThis.__lambentRequire(name); const userModule = { handler: async (event) => { ${body} } };`),
  );
  const result = await t.invoke(name, event);
  if (result.header.functionError) throw new Error(`function failed: ${result.text}`);
  return result.json;
}

describe("host calls from the isolate", () => {
  it("writes, appends, copies and reads back files far larger than one host call carries", async () => {
    const expected = createHash("sha256").update(Buffer.alloc(20 * MB, 3)).update(Buffer.alloc(9 * MB, 4)).digest("hex");
    expect(
      await run(
        `const fs = require("fs"); const crypto = require("crypto");
        fs.writeFileSync("/tmp/big", Buffer.alloc(20 * 1024 * 1024, 3));
        fs.appendFileSync("/tmp/big", Buffer.alloc(9 * 1024 * 1024, 4));
        fs.copyFileSync("/tmp/big", "/tmp/copy");
        let exclusive; try { fs.copyFileSync("/tmp/big", "/tmp/copy", fs.constants.COPYFILE_EXCL); } catch (e) { exclusive = e.code; }
        const back = fs.readFileSync("/tmp/copy");
        return [back.length, crypto.createHash("sha256").update(back).digest("hex"), fs.statSync("/tmp/copy").size, exclusive];`,
        {},
        { memorySize: 512 },
      ),
    ).toEqual([29 * MB, expected, 29 * MB, "EEXIST"]);
  });

  it("hashes, HMACs and makes random bytes past one host call's worth", async () => {
    const data = Buffer.alloc(20 * MB, 9);
    const [hash, hmac, digest, random] = (await run(
      `const crypto = require("crypto"); const data = Buffer.alloc(20 * 1024 * 1024, 9);
      const hex = (buffer) => Buffer.from(buffer).toString("hex");
      return [crypto.createHash("sha1").update(data.subarray(0, 5)).update(data.subarray(5)).digest("hex"), crypto.createHmac("sha256", "k").update(data).digest("hex"),
        hex(await globalThis.crypto.subtle.digest("SHA-256", data)), crypto.randomBytes(20 * 1024 * 1024).length];`,
      {},
      { memorySize: 512 },
    )) as string[];
    expect(hash).toBe(createHash("sha1").update(data).digest("hex"));
    expect(hmac).toBe((await import("node:crypto")).createHmac("sha256", "k").update(data).digest("hex"));
    expect(digest).toBe(createHash("sha256").update(data).digest("hex"));
    expect(random).toBe(20 * MB);
  });

  it("lists a directory larger than one host call's page, with types", async () => {
    const count = READDIR_PAGE_ENTRIES * 2 + 7;
    expect(
      await run(
        `const fs = require("fs"); fs.mkdirSync("/tmp/d"); fs.mkdirSync("/tmp/d/sub");
        for (let i = 1; i < ${count}; i++) fs.writeFileSync("/tmp/d/" + i, "");
        const names = fs.readdirSync("/tmp/d"); const typed = fs.readdirSync("/tmp/d", { withFileTypes: true });
        return [names.length, new Set(names).size, typed.filter((d) => d.isDirectory()).map((d) => d.name), typed.length];`,
      ),
    ).toEqual([count, count, ["sub"], count]);
  });

  it("counts /tmp entries: a million tiny files stop at MAX_TMP_ENTRIES with ENOSPC", async () => {
    expect(
      await run(`const fs = require("fs"); let made = 0; let code;
        for (; made < 1e6; made++) { try { fs.writeFileSync("/tmp/" + made, ""); } catch (e) { code = e.code; break; } }
        return [made, code, fs.readdirSync("/tmp").length];`),
    ).toEqual([MAX_TMP_ENTRIES, "ENOSPC", MAX_TMP_ENTRIES]);
  });

  it("counts /tmp names: long names fill EphemeralStorage like data", async () => {
    const [made, code] = (await run(
      `const fs = require("fs"); const name = (i) => "/tmp/" + String(i).padStart(250, "n"); let made = 0; let code;
      for (; made < 1e6; made++) { try { fs.writeFileSync(name(made), ""); } catch (e) { code = e.code; break; } }
      return [made, code];`,
      {},
      { ephemeralStorageMb: 10 },
    )) as [number, string];
    expect(code).toBe("ENOSPC");
    // 250 bytes of name and 512 of keeping each: about 13,700 in 10 MB.
    expect(made).toBe(Math.floor((10 * MB) / (250 + 512)));
  });

  it("compresses off the main thread: other environments' calls go on meanwhile", async () => {
    const slow = `host-calls-${++counter}`;
    t.deploy(
      functionRecord({ functionName: slow, timeout: 120, memorySize: 256 }),
      esmBundle(`const zlib = globalThis.__lambentRequire("zlib"); const userModule = { handler: async () => {
        const text = Buffer.from(Array.from({ length: 40000 }, (_, i) => i.toString(36) + " lorem ipsum ").join(""));
        return zlib.brotliCompressSync(text).length; } };`),
    );
    const quick = `host-calls-${++counter}`;
    t.deploy(functionRecord({ functionName: quick }), esmBundle(`const userModule = { handler: async () => "quick" };`));
    let slowSettled = false;
    // Brotli at its default quality takes seconds for this megabyte; a quick call takes milliseconds.
    const compressing = t.invoke(slow).then((result) => {
      slowSettled = true;
      return result;
    });
    expect((await t.invoke(quick)).json).toBe("quick");
    expect(slowSettled).toBe(false);
    expect((await compressing).json).toBeGreaterThan(0);
  });

  it("stops a decompression bomb at min(memory size, 64 MB)", async () => {
    const bomb = gzipSync(Buffer.alloc(130 * MB)).toString("base64");
    expect(
      await run(
        `const zlib = require("zlib"); const bomb = Buffer.from(event.bomb, "base64");
        const attempt = (f) => { try { return f().length; } catch (e) { return [e.name, e.code]; } };
        return [attempt(() => zlib.gunzipSync(bomb)), attempt(() => zlib.gzipSync(Buffer.alloc(10)))];`,
        { bomb },
      ),
    ).toEqual([["RangeError", "ERR_BUFFER_TOO_LARGE"], gzipSync(Buffer.alloc(10)).length]);
  });
});

// The memory wall's main-thread side: the /tmp total the watchdog leaves out, and the culprit it names
// when the process outgrows its memory.
import { afterAll, describe, expect, it } from "vitest";
import { TMP_CHUNK_OVERHEAD_BYTES, TMP_ENTRY_OVERHEAD_BYTES } from "../limits.js";
import { esmBundle, functionRecord, testInvoker } from "../testing/fixtures.js";
import { MemoryWall, likelyCulprit, type WallCandidate } from "./memory-wall.js";

const MB = 1024 * 1024;

function candidate(functionName: string, fields: Partial<WallCandidate>): WallCandidate {
  return { wasmReservedBytes: 0, runningRequestId: undefined, lastRequestId: undefined, record: { functionName, version: "$LATEST" }, ...fields };
}

describe("likelyCulprit", () => {
  it("names the environment whose WebAssembly memories may grow the furthest, by its running or last call", () => {
    expect(
      likelyCulprit([
        candidate("small", { wasmReservedBytes: 64 * MB, runningRequestId: "r1" }),
        candidate("big", { wasmReservedBytes: 512 * MB, lastRequestId: "r2" }),
        candidate("plain", { runningRequestId: "r3" }),
      ]),
    ).toEqual({ requestId: "r2", functionName: "big", version: "$LATEST" });
    expect(likelyCulprit([candidate("big", { wasmReservedBytes: 512 * MB, runningRequestId: "r4", lastRequestId: "r2" })])?.requestId).toBe("r4");
  });

  it("without WebAssembly, names the only running call, and nobody when several run", () => {
    expect(likelyCulprit([candidate("a", { runningRequestId: "r1" }), candidate("b", { lastRequestId: "r2" })])).toEqual({ requestId: "r1", functionName: "a", version: "$LATEST" });
    expect(likelyCulprit([candidate("a", { runningRequestId: "r1" }), candidate("b", { runningRequestId: "r2" })])).toBeUndefined();
    expect(likelyCulprit([])).toBeUndefined();
  });
});

describe("MemoryWall with real environments", () => {
  const wall = new MemoryWall(1024 * MB);
  const t = testInvoker({}, { storageMeter: wall, tracker: wall });
  afterAll(() => t.close());
  const tmpBytes = (): number => Number(new BigInt64Array(wall.settings.exempt)[0]);

  it("hears each environment's WebAssembly reservation and names it", async () => {
    t.deploy(functionRecord({ functionName: "plain" }), esmBundle(`const userModule = { handler: async () => "plain" };`));
    t.deploy(
      functionRecord({ functionName: "wasm-holder" }),
      esmBundle(`const keep = []; const userModule = { handler: async () => { keep.push(new WebAssembly.Memory({ initial: 1, maximum: 100 }), new WebAssembly.Memory({ initial: 1 })); return keep.length; } };`),
    );
    await t.invoke("plain");
    const held = await t.invoke("wasm-holder");
    expect(held.json).toBe(2);
    // 100 pages, and the cap (2048 pages at 128 MB) for the one without a maximum.
    expect(wall.culprit()).toEqual({ requestId: held.header.requestId, functionName: "wasm-holder", version: "$LATEST" });
  });

  it("counts what every environment holds in /tmp, names and entries included, and forgets it with the environment", async () => {
    const before = tmpBytes();
    t.deploy(functionRecord({ functionName: "tmp-writer" }), esmBundle(`const fs = globalThis.__lambentRequire("fs"); const userModule = { handler: async () => { fs.writeFileSync("/tmp/data", new Uint8Array(100000)); return "written"; } };`));
    expect((await t.invoke("tmp-writer")).json).toBe("written");
    expect(tmpBytes() - before).toBe(100000 + Buffer.byteLength("data") + TMP_ENTRY_OVERHEAD_BYTES + TMP_CHUNK_OVERHEAD_BYTES);
    t.pool.close();
    expect(tmpBytes()).toBe(0);
  });
});

// WebAssembly inside the isolate: every memory, however it is made, is capped at the function's memory
// size (V8 counts wasm memory in no heap statistic, so the runtime is what bounds it), and function code
// cannot get the uncapped originals back.
import { afterAll, describe, expect, it } from "vitest";
import { esmBundle, functionRecord, testInvoker } from "../testing/fixtures.js";

const t = testInvoker();
afterAll(() => t.close());

function leb(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    const low = rest % 128;
    rest = Math.floor(rest / 128);
    out.push(rest > 0 ? low | 0x80 : low);
  } while (rest > 0);
  return out;
}

/**
 * A module that defines one memory (`initial` pages, `maximum` when given), exports it as `memory`, and
 * exports `grow(pages)`, which runs wasm's own `memory.grow` and returns the old size in pages or -1.
 */
function growModule(initial: number, maximum?: number): number[] {
  const limits = maximum === undefined ? [0x00, ...leb(initial)] : [0x01, ...leb(initial), ...leb(maximum)];
  const section = (id: number, content: number[]): number[] => [id, ...leb(content.length), ...content];
  const name = (text: string): number[] => [text.length, ...Array.from(text, (c) => c.charCodeAt(0))];
  return [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f]),
    ...section(3, [0x01, 0x00]),
    ...section(5, [0x01, ...limits]),
    ...section(7, [0x02, ...name("memory"), 0x02, 0x00, ...name("grow"), 0x00, 0x00]),
    ...section(10, [0x01, 0x06, 0x00, 0x20, 0x00, 0x40, 0x00, 0x0b]),
  ];
}

let counter = 0;
/** Runs `body` (an async handler body; `event.wasm` is a module's bytes) in a fresh function of `memorySize` MB. */
async function run(body: string, event: unknown = {}, memorySize = 128): Promise<{ ok: boolean; json: unknown }> {
  const name = `wasm-${++counter}`;
  t.deploy(functionRecord({ functionName: name, memorySize }), esmBundle(`const userModule = { handler: async (event) => { ${body} } };`));
  const result = await t.invoke(name, event);
  return { ok: !result.header.functionError, json: result.json };
}

async function value(body: string, event: unknown = {}, memorySize = 128): Promise<unknown> {
  const result = await run(body, event, memorySize);
  if (!result.ok) throw new Error(`function failed: ${JSON.stringify(result.json)}`);
  return result.json;
}

const outcome = `const outcome = (f) => { try { const v = f(); return v === undefined ? "ok" : v; } catch (e) { return e.name; } };`;

describe("WebAssembly memory", () => {
  it("a Memory may start and grow only up to the function's memory size (2048 pages at 128 MB)", async () => {
    expect(
      await value(`${outcome}
        const m = new WebAssembly.Memory({ initial: 1, maximum: 65536 });
        const open = new WebAssembly.Memory({ initial: 1 });
        return [outcome(() => m.grow(2047)), m.buffer.byteLength / 65536, outcome(() => m.grow(1)), outcome(() => open.grow(2048)),
          outcome(() => new WebAssembly.Memory({ initial: 2049 })), outcome(() => new WebAssembly.Memory({ initial: 1, maximum: 2048 }).grow(2047)),
          outcome(() => new WebAssembly.Memory({ initial: 1, maximum: 4 }).grow(8)), outcome(() => new WebAssembly.Memory({ initial: 8, maximum: 4 })),
          outcome(() => WebAssembly.Memory({ initial: 1 }))];`),
    ).toEqual([1, 2048, "RangeError", "RangeError", "RangeError", 1, "RangeError", "RangeError", "TypeError"]);
  });

  it("the cap follows the memory size (4096 pages at 256 MB)", async () => {
    expect(await value(`const m = new WebAssembly.Memory({ initial: 1 }); m.grow(4095); try { m.grow(1); } catch (e) { return [m.buffer.byteLength / 65536, e.name, e.message]; }`, {}, 256)).toEqual([
      4096,
      "RangeError",
      "WebAssembly.Memory.grow(): this function's memory size (256 MB) allows at most 4096 pages",
    ]);
  });

  it("a module's own memory is capped on every way to compile it: wasm's memory.grow stops at the cap", async () => {
    const result = (await value(
      `const bytes = new Uint8Array(event.wasm);
      const wasmResponse = () => new Response(bytes, { headers: { "content-type": "application/wasm" } });
      const probe = (instance) => [instance.exports.grow(2047), instance.exports.grow(1), instance.exports.memory.buffer.byteLength / 65536];
      return {
        module: probe(new WebAssembly.Instance(new WebAssembly.Module(bytes))),
        compile: probe(new WebAssembly.Instance(await WebAssembly.compile(bytes.buffer))),
        instantiateBytes: probe((await WebAssembly.instantiate(new DataView(bytes.buffer))).instance),
        instantiateModule: probe(await WebAssembly.instantiate(new WebAssembly.Module(bytes))),
        compileStreaming: probe(new WebAssembly.Instance(await WebAssembly.compileStreaming(wasmResponse()))),
        instantiateStreaming: probe((await WebAssembly.instantiateStreaming(Promise.resolve(wasmResponse()))).instance),
        validate: WebAssembly.validate(bytes),
      };`,
      { wasm: growModule(1) },
    )) as Record<string, unknown>;
    for (const path of ["module", "compile", "instantiateBytes", "instantiateModule", "compileStreaming", "instantiateStreaming"]) {
      expect(result[path], path).toEqual([1, -1, 2048]);
    }
    expect(result["validate"]).toBe(true);
  });

  it("a declared maximum below the cap is kept", async () => {
    expect(await value(`const { instance } = await WebAssembly.instantiate(new Uint8Array(event.wasm)); return [instance.exports.grow(9), instance.exports.grow(1)];`, { wasm: growModule(1, 10) })).toEqual([1, -1]);
  });

  it("a module whose memory starts above the cap is refused on every path (a RangeError), and validate says so", async () => {
    expect(
      await value(
        `const bytes = new Uint8Array(event.wasm); const name = (p) => p.then(() => "compiled", (e) => e.name);
        let sync; try { new WebAssembly.Module(bytes); sync = "compiled"; } catch (e) { sync = e.name; }
        return [sync, await name(WebAssembly.compile(bytes)), await name(WebAssembly.instantiate(bytes)),
          await name(WebAssembly.compileStreaming(new Response(bytes, { headers: { "content-type": "application/wasm" } }))), WebAssembly.validate(bytes)];`,
        { wasm: growModule(2049) },
      ),
    ).toEqual(["RangeError", "RangeError", "RangeError", "RangeError", false]);
  });

  it("binaries the runtime cannot read are refused as V8 would refuse them", async () => {
    expect(
      await value(
        `const name = (f) => { try { f(); return "compiled"; } catch (e) { return e.name; } };
        const truncated = new Uint8Array(event.wasm).slice(0, -3);
        return [name(() => new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 2, 0, 0, 0]))), name(() => new WebAssembly.Module(truncated)),
          name(() => new WebAssembly.Module("not bytes")), WebAssembly.validate(truncated), WebAssembly.validate(new Uint8Array(event.wasm))];`,
        { wasm: growModule(1) },
      ),
    ).toEqual(["CompileError", "CompileError", "TypeError", false, true]);
  });

  it("function code cannot get the uncapped originals back", async () => {
    expect(
      await value(
        `const bytes = new Uint8Array(event.wasm);
        const module = new WebAssembly.Module(bytes);
        const instance = new WebAssembly.Instance(module);
        const memory = new WebAssembly.Memory({ initial: 1 });
        const exported = instance.exports.memory;
        const tries = (Memory) => { try { const m = Reflect.construct(Memory, [{ initial: 1, maximum: 65536 }]); m.grow(4096); return "grew"; } catch (e) { return e.name; } };
        class Big extends WebAssembly.Memory { constructor() { super({ initial: 1, maximum: 65536 }); } }
        const growOf = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(memory), "grow").value;
        return [
          Object.getPrototypeOf(memory).constructor === WebAssembly.Memory, exported.constructor === WebAssembly.Memory,
          Object.getPrototypeOf(module).constructor === WebAssembly.Module, Object.getPrototypeOf(instance).constructor === WebAssembly.Instance,
          exported instanceof WebAssembly.Memory, module instanceof WebAssembly.Module, instance instanceof WebAssembly.Instance,
          tries(Object.getPrototypeOf(exported).constructor), tries(memory.constructor), tries(Big),
          (() => { try { growOf.call(exported, 4096); return "grew"; } catch (e) { return e.name; } })(),
          WebAssembly.Memory.name, WebAssembly.Memory.length, WebAssembly.instantiate.length, WebAssembly.Module.exports(module).map((e) => e.name),
        ];`,
        { wasm: growModule(1) },
      ),
    ).toEqual([true, true, true, true, true, true, true, "RangeError", "RangeError", "RangeError", "RangeError", "Memory", 1, 1, ["memory", "grow"]]);
  });

  it("function code that replaces the intrinsics the runtime reads cannot slip a module past the cap", async () => {
    expect(
      await value(
        `const bytes = new Uint8Array(event.wasm);
        const big = new Uint8Array(event.big);
        const proto = Object.getPrototypeOf(Uint8Array.prototype);
        for (const name of ["buffer", "byteLength", "byteOffset", "length"]) Object.defineProperty(proto, name, { get() { return name === "buffer" ? big.buffer : 0; } });
        Uint8Array.prototype.set = function () {};
        const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
        return [instance.exports.grow(2047), instance.exports.grow(1)];`,
        { wasm: growModule(1), big: growModule(1, 65536) },
      ),
    ).toEqual([1, -1]);
  });

  it("a limit hit inside the handler fails the call with a RangeError, and the environment serves the next call", async () => {
    const name = `wasm-${++counter}`;
    t.deploy(
      functionRecord({ functionName: name }),
      esmBundle(`const userModule = { handler: async (event) => { if (event.grow) new WebAssembly.Memory({ initial: 1, maximum: 65536 }).grow(65535); return "served"; } };`),
    );
    const failed = await t.invoke(name, { grow: true });
    expect(failed.header.functionError).toBe("Unhandled");
    expect(failed.json).toMatchObject({ errorType: "RangeError" });
    expect((await t.invoke(name)).json).toBe("served");
  });
});

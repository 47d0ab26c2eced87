// How the host enters isolates: inline for quick environments, threaded for the rest, a call that overruns
// its inline slice run again unseen, and the outbox's contents held to the host's limits.
import { afterAll, describe, expect, it } from "vitest";
import { esmBundle, functionRecord, testInvoker, type TestInvoker } from "../testing/fixtures.js";
import { PROMOTE_AFTER_QUICK_CALLS } from "../pool/entry-modes.js";

let counter = 0;
function deploy(t: TestInvoker, body: string, overrides: Parameters<typeof functionRecord>[0] = {}): string {
  const name = `entries-${++counter}`;
  t.deploy(functionRecord({ functionName: name, ...overrides }), esmBundle(`const userModule = { handler: async (event, context) => { ${body} } };`));
  return name;
}

// Every threaded call counts as quick here, so which call first goes inline does not depend on how
// busy the machine is (a cold handler's first calls can take a few milliseconds of CPU).
const t = testInvoker({ quickCallCpuMs: 60_000 });
afterAll(() => t.close());

describe("entering isolates", () => {
  it("keeps module state across the move from threaded to inline calls", async () => {
    const name = deploy(t, `globalThis.count = (globalThis.count ?? 0) + 1; return globalThis.count;`);
    for (let call = 1; call <= PROMOTE_AFTER_QUICK_CALLS + 3; call++) expect((await t.invoke(name)).json).toBe(call);
  });

  it("runs a call that overruns its inline slice again, unseen, in a fresh environment", async () => {
    const name = deploy(
      t,
      `globalThis.calls = (globalThis.calls ?? 0) + 1;
       console.log("attempt", globalThis.calls);
       if (event.spin) { const until = Date.now() + 200; while (Date.now() < until) {} }
       return { calls: globalThis.calls, spun: !!event.spin };`,
      { timeout: 10 },
    );
    // The spinning call is the environment's first inline one.
    for (let call = 1; call <= PROMOTE_AFTER_QUICK_CALLS; call++) await t.invoke(name);
    const overrun = await t.invoke(name, { spin: true });
    // The fresh environment's first call: module state started over, and only its own lines are logged.
    expect(overrun.json).toEqual({ calls: 1, spun: true });
    expect(overrun.log.match(/attempt/g)).toHaveLength(1);
    expect(overrun.log).toContain("Init Duration");
    expect((await t.invoke(name)).json).toEqual({ calls: 2, spun: false });
  });

  it("leaves an inline entry for a thread when the call needs the host off its main thread (compression)", async () => {
    const name = deploy(
      t,
      `globalThis.calls = (globalThis.calls ?? 0) + 1;
       console.log("attempt", globalThis.calls);
       const zlib = globalThis.__lambentRequire("zlib");
       const text = zlib.gunzipSync(zlib.gzipSync(event.text ?? "")).toString();
       return { calls: globalThis.calls, text };`,
    );
    // The first inline call's attempt is dropped unseen and it runs again in a fresh environment.
    const answers = [];
    for (let call = 1; call <= PROMOTE_AFTER_QUICK_CALLS + 2; call++) answers.push(await t.invoke(name, { text: `call ${call}` }));
    for (const [index, answer] of answers.entries()) {
      expect((answer.json as { text: string }).text).toBe(`call ${index + 1}`);
      expect(answer.log.match(/attempt/g)).toHaveLength(1);
    }
    // Module state says which environment served: a count that started over is a fresh one.
    const counts = answers.map((answer) => (answer.json as { calls: number }).calls);
    expect(counts[PROMOTE_AFTER_QUICK_CALLS]).toBe(1);
  });

  it("runs timers set by the thousand with one host wake-up at a time", async () => {
    const name = deploy(
      t,
      `let fired = 0; const ids = [];
       for (let i = 0; i < 10000; i++) ids.push(setInterval(() => { fired++; }, 1));
       await new Promise((resolve) => setTimeout(resolve, 30));
       for (const id of ids) clearInterval(id);
       return fired >= 10000;`,
    );
    expect((await t.invoke(name)).json).toBe(true);
  });

  it("answers timers, fetches' and calls' order as Node does: a 0 ms timer after the microtasks", async () => {
    const name = deploy(t, `const order = []; setTimeout(() => order.push("timer"), 0); await null; order.push("microtask"); await new Promise((r) => setTimeout(r, 5)); return order;`);
    expect((await t.invoke(name)).json).toEqual(["microtask", "timer"]);
  });

  it("shows no host file in the stack of an error the host raised", async () => {
    const name = deploy(
      t,
      `const zlib = globalThis.__lambentRequire("zlib");
       try { zlib.gunzipSync(new Uint8Array([1, 2, 3, 4])); } catch (e) { return { name: e.name, code: e.code, stack: String(e.stack) }; }`,
    );
    const { json } = await t.invoke(name);
    const result = json as { name: string; code: string; stack: string };
    expect(result.code).toBe("Z_DATA_ERROR");
    expect(result.stack).not.toMatch(/services\/worker|node:internal|node_modules|dist\//);
  });

  it("fails a call that ended above its memory size with Runtime.OutOfMemory", async () => {
    const name = deploy(t, `globalThis.keep = JSON.parse("[" + "1,".repeat(40e6) + "1]"); return globalThis.keep.length;`, { memorySize: 128, timeout: 60 });
    const result = await t.invoke(name);
    expect(result.header.functionError).toBe("Unhandled");
    expect(result.json).toMatchObject({ errorType: "Runtime.OutOfMemory" });
    expect(result.log).toMatch(/Max Memory Used: 128 MB/);
    // Longer than the function's own 60 s timeout, so a slow machine ends the call before the test.
  }, 150_000);
});

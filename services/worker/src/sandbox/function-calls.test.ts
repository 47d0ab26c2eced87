// `lambent:functions` inside the isolate, over a host whose calls a test answers: the arguments each call
// hands the host (checked as Lambda checks an Invoke), the output and errors the function sees, the
// caller's depth and deadline, the in-flight limits, and calls given up when their invocation ends.
import { afterAll, describe, expect, it } from "vitest";
import { throttled } from "@lambent/errors";
import type { CallerContext, FunctionCall, FunctionCallOutput, FunctionCalls } from "../host/function-calls.js";
import { esmBundle, functionRecord, testInvoker, type TestInvoker } from "../testing/fixtures.js";

interface Received {
  call: FunctionCall;
  caller: CallerContext;
  signal: AbortSignal;
  answer(output: FunctionCallOutput): void;
  fail(error: unknown): void;
}

/** A host side that records every call and answers it as the test says (at once by default). */
class ScriptedCalls implements FunctionCalls {
  readonly received: Received[] = [];
  /** When set, calls wait for the test to answer them. */
  hold = false;
  private watchers: { count: number; resolve: () => void }[] = [];
  respond: (call: FunctionCall) => FunctionCallOutput | Error = (call) => ({
    statusCode: 200,
    payload: new TextEncoder().encode(JSON.stringify({ echo: JSON.parse(new TextDecoder().decode(call.payload)) })),
    executedVersion: "$LATEST",
  });

  call(call: FunctionCall, caller: CallerContext, signal: AbortSignal): Promise<FunctionCallOutput> {
    return new Promise((resolve, reject) => {
      this.received.push({ call, caller, signal, answer: resolve, fail: reject });
      this.watchers = this.watchers.filter((watcher) => (this.received.length >= watcher.count ? (watcher.resolve(), false) : true));
      if (this.hold) return;
      const outcome = this.respond(call);
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    });
  }

  until(count: number): Promise<void> {
    return this.received.length >= count ? Promise.resolve() : new Promise((resolve) => this.watchers.push({ count, resolve }));
  }

  close(): void {}
}

let counter = 0;
function deploy(t: TestInvoker, body: string, overrides: Parameters<typeof functionRecord>[0] = {}): string {
  const name = `caller-${++counter}`;
  t.deploy(
    functionRecord({ functionName: name, ...overrides }),
    esmBundle(`const { invoke } = globalThis.__lambentRequire("lambent:functions");
const userModule = { handler: async (event, context) => { ${body} } };`),
  );
  return name;
}

/** Runs a handler that returns what its calls came to, each as `{ok, …}` or `{error: [name, message, Reason]}`. */
const settleAll = `const settle = (promise) => promise.then(
  (out) => ({ ok: true, StatusCode: out.StatusCode, text: out.Payload.transformToString(), bytes: out.Payload.length, isBytes: out.Payload instanceof Uint8Array,
    FunctionError: out.FunctionError, ExecutedVersion: out.ExecutedVersion, LogResult: out.LogResult, keys: Object.keys(out).sort() }),
  (e) => ({ error: [e.name, e.message, e.Reason] }));`;

describe("lambent:functions", () => {
  const calls = new ScriptedCalls();
  const t = testInvoker({}, { functions: calls });
  afterAll(() => t.close());

  it("hands the host the call and gives the function Lambda's Invoke output", async () => {
    const name = deploy(t, `${settleAll} return settle(invoke("callee", { n: event.n }, { qualifier: "prod", logType: "Tail" }));`);
    calls.respond = () => ({ statusCode: 200, payload: new TextEncoder().encode('{"r":1}'), executedVersion: "3", logResult: "bG9n" });
    const reply = await t.invoke(name, { n: 5 });
    expect(reply.json).toEqual({
      ok: true,
      StatusCode: 200,
      text: '{"r":1}',
      bytes: 7,
      isBytes: true,
      ExecutedVersion: "3",
      LogResult: "bG9n",
      keys: ["ExecutedVersion", "LogResult", "Payload", "StatusCode"],
    });
    const { call, caller } = calls.received.at(-1)!;
    expect(call).toMatchObject({ functionName: "callee", qualifier: "prod", invocationType: "RequestResponse", logType: "Tail" });
    expect(new TextDecoder().decode(call.payload)).toBe('{"n":5}');
    expect(caller).toMatchObject({ requestId: reply.header.requestId, depth: 0 });
    // The caller's deadline: its own timeout (3 s) from when the handler started.
    expect(caller.deadlineMs).toBeGreaterThan(Date.now());
    expect(caller.deadlineMs).toBeLessThanOrEqual(Date.now() + 3000);
  });

  it("reports a function error as FunctionError with the callee's payload", async () => {
    const name = deploy(t, `${settleAll} return settle(invoke("callee", {}));`);
    calls.respond = () => ({ statusCode: 200, functionError: "Unhandled", executedVersion: "$LATEST", payload: new TextEncoder().encode('{"errorType":"Error","errorMessage":"boom"}') });
    expect((await t.invoke(name)).json).toMatchObject({ ok: true, StatusCode: 200, FunctionError: "Unhandled", text: '{"errorType":"Error","errorMessage":"boom"}' });
  });

  it("takes objects as JSON, strings and bytes as they are, and nothing as {}", async () => {
    calls.respond = () => ({ statusCode: 202, payload: new Uint8Array(0) });
    const name = deploy(
      t,
      `await invoke("a", [1, "two"]); await invoke("a", '{"raw":true}'); await invoke("a", new TextEncoder().encode('{"bytes":1}'));
       await invoke("a", new Uint8Array(new TextEncoder().encode('xx{"view":1}yy').buffer, 2, 10)); await invoke("a"); await invoke("a", null);
       return "done";`,
    );
    const before = calls.received.length;
    expect((await t.invoke(name)).json).toBe("done");
    expect(calls.received.slice(before).map(({ call }) => new TextDecoder().decode(call.payload))).toEqual([
      '[1,"two"]',
      '{"raw":true}',
      '{"bytes":1}',
      '{"view":1}',
      "{}",
      "null",
    ]);
  });

  it("refuses bad arguments with clear errors: TypeErrors for types, Lambda's errors for values", async () => {
    const name = deploy(
      t,
      `${settleAll}
       const big = "x".repeat(6 * 1024 * 1024);
       const circular = {}; circular.self = circular;
       return Promise.all([
         settle(invoke(42)),
         settle(invoke("f", {}, { InvocationType: "Event" })),
         settle(invoke("f", {}, "Event")),
         settle(invoke("f", {}, { qualifier: 1 })),
         settle(invoke("f", () => 1)),
         settle(invoke("f", circular)),
         settle(invoke("bad name!", {})),
         settle(invoke("f:prod", {}, { qualifier: "dev" })),
         settle(invoke("f", {}, { invocationType: "Sometimes" })),
         settle(invoke("f", {}, { logType: "Everything" })),
         settle(invoke("f", "not json")),
         settle(invoke("f", JSON.stringify(big))),
         settle(invoke("f", JSON.stringify("x".repeat(1024 * 1024)), { invocationType: "Event" })),
         settle(invoke("f", {}, { clientContext: "%%%" })),
         settle(invoke("f", {}, { clientContext: { custom: { big: "x".repeat(4000) } } })),
       ]);`,
    );
    const results = (await t.invoke(name)).json as { error: [string, string, string | undefined] }[];
    const names = results.map((result) => result.error?.[0]);
    expect(names).toEqual([
      "TypeError",
      "TypeError",
      "TypeError",
      "TypeError",
      "TypeError",
      "TypeError",
      "InvalidParameterValueException",
      "InvalidParameterValueException",
      "InvalidParameterValueException",
      "InvalidParameterValueException",
      "InvalidRequestContentException",
      "RequestTooLargeException",
      "RequestTooLargeException",
      "InvalidRequestContentException",
      "InvalidParameterValueException",
    ]);
    expect(results[1]!.error[1]).toBe('Unknown option "InvocationType": the options are qualifier, invocationType, logType, clientContext');
    expect(results[8]!.error[1]).toContain("Member must satisfy enum value set: [RequestResponse, Event, DryRun]");
    expect(results[11]!.error[1]).toBe("Request must be smaller than 6291456 bytes for the InvokeFunction operation");
    expect(results[12]!.error[1]).toBe("Request must be smaller than 1048576 bytes for the InvokeFunction operation");
  });

  it("sends a client context given as an object as base64 JSON", async () => {
    calls.respond = () => ({ statusCode: 202, payload: new Uint8Array(0) });
    const name = deploy(t, `await invoke("f", {}, { invocationType: "Event", clientContext: { custom: { who: "é" } } }); return null;`);
    await t.invoke(name);
    const { call } = calls.received.at(-1)!;
    expect(call.invocationType).toBe("Event");
    expect(JSON.parse(Buffer.from(call.clientContext!, "base64").toString("utf8"))).toEqual({ custom: { who: "é" } });
  });

  it("rejects with the platform's error, its name the Lambda error type and Reason beside it", async () => {
    calls.respond = () => throttled("ReservedFunctionConcurrentInvocationLimitExceeded", "Rate Exceeded.");
    const name = deploy(t, `${settleAll} const r = await settle(invoke("f", {})); return r;`);
    expect((await t.invoke(name)).json).toEqual({ error: ["TooManyRequestsException", "Rate Exceeded.", "ReservedFunctionConcurrentInvocationLimitExceeded"] });
  });

  it("passes on the invocation's own call depth", async () => {
    calls.respond = () => ({ statusCode: 202, payload: new Uint8Array(0) });
    const name = deploy(t, `await invoke("f", {}, { invocationType: "Event" }); return null;`);
    await t.invoke(name, {}, { callDepth: 7 });
    expect(calls.received.at(-1)!.caller.depth).toBe(7);
  });

  it("refuses calls while the module initialises", async () => {
    const name = `init-${++counter}`;
    t.deploy(
      functionRecord({ functionName: name }),
      esmBundle(`const { invoke } = globalThis.__lambentRequire("lambent:functions");
let refused; try { await invoke("f", {}); } catch (e) { refused = e.message; }
const userModule = { handler: async () => refused };`),
    );
    expect((await t.invoke(name)).json).toBe("lambent:functions can invoke a function only while a handler runs, not while the module initialises");
  });
});

describe("lambent:functions limits", () => {
  it("keeps at most 50 calls with the host at once; the rest wait their turn", async () => {
    const calls = new ScriptedCalls();
    calls.hold = true;
    const t = testInvoker({}, { functions: calls });
    try {
      const name = deploy(t, `const all = []; for (let i = 0; i < 120; i++) all.push(invoke("f", { i })); return (await Promise.all(all)).length;`);
      const reply = t.invoke(name);
      await calls.until(50);
      // Nothing more reaches the host until a call is answered.
      await new Promise((resolve) => setImmediate(resolve));
      expect(calls.received).toHaveLength(50);
      for (let answered = 0; answered < 120; answered++) {
        await calls.until(answered + 1);
        calls.received[answered]!.answer({ statusCode: 202, payload: new Uint8Array(0) });
      }
      expect((await reply).json).toBe(120);
      expect(calls.received.map(({ call }) => JSON.parse(new TextDecoder().decode(call.payload)).i)).toEqual([...Array(120).keys()]);
    } finally {
      t.close();
    }
  });

  it("refuses calls past 10000 waiting", async () => {
    const calls = new ScriptedCalls();
    calls.hold = true;
    const t = testInvoker({}, { functions: calls });
    try {
      const name = deploy(t, `for (let i = 0; i < 10050; i++) invoke("f", {}).catch(() => undefined);
        try { await invoke("f", {}); return "accepted"; } catch (e) { return [e.name, e.Reason]; }`);
      expect((await t.invoke(name)).json).toEqual(["TooManyRequestsException", "CallerRateLimitExceeded"]);
    } finally {
      t.close();
    }
  });

  it("gives up calls still waiting when the invocation ends, and drops their late answers", async () => {
    const calls = new ScriptedCalls();
    calls.hold = true;
    const t = testInvoker({}, { functions: calls });
    try {
      const name = deploy(t, `globalThis.late ??= []; if (event.start) { invoke("f", {}).then((out) => globalThis.late.push(out.StatusCode)); return "started"; } return globalThis.late;`);
      expect((await t.invoke(name, { start: true })).json).toBe("started");
      await calls.until(1);
      const pending = calls.received[0]!;
      expect(pending.signal.aborted).toBe(true);
      pending.answer({ statusCode: 200, payload: new Uint8Array(0) });
      expect((await t.invoke(name, {})).json).toEqual([]);
    } finally {
      t.close();
    }
  });
});

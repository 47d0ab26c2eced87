import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { esmBundle, functionRecord, testInvoker, type TestInvoker } from "./testing/fixtures.js";

let t: TestInvoker;
beforeEach(() => {
  t = testInvoker();
});
afterEach(() => t.close());

describe("handlers", () => {
  it("runs an ESM `export const handler` async handler", async () => {
    t.deploy(functionRecord(), esmBundle(`const handler = async (event) => ({ got: event.x * 2 }); const userModule = { handler };`));
    const result = await t.invoke("fn", { x: 21 });
    expect(result.header.functionError).toBeUndefined();
    expect(result.header.executedVersion).toBe("$LATEST");
    expect(result.json).toEqual({ got: 42 });
  });

  it("runs a CommonJS `exports.handler` found on the module or its default", async () => {
    const cjs = `const exportsObj = { handler: (event, context, callback) => callback(null, "cjs:" + event.name) };
      const userModule = { default: exportsObj, handler: exportsObj.handler };`;
    t.deploy(functionRecord(), esmBundle(cjs));
    expect((await t.invoke("fn", { name: "a" })).json).toBe("cjs:a");

    t.deploy(functionRecord({ functionName: "onlyDefault", handler: "src/app.nested.run" }),
      esmBundle(`const userModule = { default: { nested: { run: async () => __filename + " " + __dirname } } };`));
    expect((await t.invoke("onlyDefault")).json).toBe("/var/task/src/app.js /var/task");
  });

  it("supports callback style, context.succeed and a result of undefined", async () => {
    t.deploy(functionRecord({ functionName: "cb" }), esmBundle(`const userModule = { handler(event, context, callback) { setTimeout(() => callback(null, { late: true }), 10); } };`));
    t.deploy(functionRecord({ functionName: "succeed" }), esmBundle(`const userModule = { handler(event, context) { context.succeed("ok"); } };`));
    t.deploy(functionRecord({ functionName: "none" }), esmBundle(`const userModule = { handler: async () => undefined };`));
    expect((await t.invoke("cb")).json).toEqual({ late: true });
    expect((await t.invoke("succeed")).json).toBe("ok");
    expect((await t.invoke("none")).text).toBe("null");
  });

  it("gives the handler Lambda's context", async () => {
    t.deploy(
      functionRecord({ functionName: "ctx", version: "7", memorySize: 256, environment: { GREETING: "hi" } }),
      esmBundle(`const userModule = { handler: async (event, context) => {
        const first = context.getRemainingTimeInMillis();
        await new Promise((r) => setTimeout(r, 30));
        const second = context.getRemainingTimeInMillis();
        return { ...context, first, second, decreasing: second < first, env: process.env,
          clientContext: context.clientContext, waits: context.callbackWaitsForEmptyEventLoop };
      } };`),
    );
    const clientContext = Buffer.from(JSON.stringify({ custom: { a: 1 } })).toString("base64");
    const result = await t.invoke("ctx", {}, { qualifier: "prod", version: "7", clientContext });
    const context = result.json as Record<string, unknown>;
    expect(context).toMatchObject({
      functionName: "ctx",
      functionVersion: "7",
      memoryLimitInMB: "256",
      invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:ctx:prod",
      logGroupName: "/aws/lambda/ctx",
      decreasing: true,
      waits: true,
      clientContext: { custom: { a: 1 } },
    });
    expect(context["awsRequestId"]).toBe(result.header.requestId);
    expect(context["logStreamName"]).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[7\][0-9a-f]{32}$/);
    expect(context["first"]).toBeLessThanOrEqual(3000);
    expect(context["env"]).toMatchObject({
      GREETING: "hi",
      AWS_LAMBDA_FUNCTION_NAME: "ctx",
      AWS_LAMBDA_FUNCTION_VERSION: "7",
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "256",
      AWS_REGION: "us-east-1",
      AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/ctx",
      AWS_LAMBDA_LOG_STREAM_NAME: context["logStreamName"],
      LAMBDA_TASK_ROOT: "/var/task",
      TZ: ":UTC",
    });

    t.deploy(functionRecord({ functionName: "arn" }), esmBundle(`const userModule = { handler: async (e, c) => c.invokedFunctionArn };`));
    expect((await t.invoke("arn")).json).toBe("arn:aws:lambda:us-east-1:000000000000:function:arn");
  });

  it("keeps module state between calls in a warm environment", async () => {
    t.deploy(functionRecord(), esmBundle(`let count = 0; const userModule = { handler: async () => ++count };`));
    expect((await t.invoke("fn")).json).toBe(1);
    expect((await t.invoke("fn")).json).toBe(2);
    expect((await t.invoke("fn")).json).toBe(3);
    expect(t.pool.stats()).toMatchObject({ environments: 1, busy: 0, idle: { "fn:$LATEST:rev-1": 1 } });
  });
});

describe("logs", () => {
  it("frames console output with START, END and REPORT, Init Duration only when cold", async () => {
    t.deploy(functionRecord(), esmBundle(`console.log("loading");
      const userModule = { handler: async (event) => { console.log("hello %s %d %j", "world", 42, { a: 1 }); console.warn({ nested: [1, "two"] }); console.error(new Error("oops").message); return 1; } };`));
    const cold = await t.invoke("fn");
    const id = cold.header.requestId;
    const lines = cold.log.replace(/\n$/, "").split("\n");
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z\tundefined\tINFO\tloading$/);
    expect(lines[1]).toBe(`START RequestId: ${id} Version: $LATEST`);
    expect(lines[2]).toMatch(new RegExp(`^\\S+Z\\t${id}\\tINFO\\thello world 42 \\{"a":1\\}$`));
    expect(lines[3]).toMatch(new RegExp(`\\t${id}\\tWARN\\t\\{ nested: \\[ 1, 'two' \\] \\}$`));
    expect(lines[4]).toMatch(new RegExp(`\\t${id}\\tERROR\\toops$`));
    expect(lines[5]).toBe(`END RequestId: ${id}`);
    expect(lines[6]).toMatch(
      new RegExp(`^REPORT RequestId: ${id}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d\\d ms\\t$`),
    );
    const warm = await t.invoke("fn");
    expect(warm.log).not.toContain("Init Duration");
    expect(warm.log).not.toContain("loading");
    expect(t.logs).toHaveLength(2);
    expect(t.logs[0]!.lines.join("\n") + "\n").toBe(cold.log);
  });

  it("returns only the last 4 KB of the log for LogType Tail, and none for None", async () => {
    t.deploy(functionRecord(), esmBundle(`const userModule = { handler: async () => { for (let i = 0; i < 200; i++) console.log("line " + i + " " + "x".repeat(40)); return 1; } };`));
    const result = await t.invoke("fn");
    expect(Buffer.from(result.header.logResult!, "base64").length).toBe(4096);
    expect(result.log).toMatch(/REPORT RequestId: /);
    expect(result.log).toContain("line 199");
    expect(result.log).not.toContain("START RequestId");
    const none = await t.invoke("fn", {}, { logType: "None" });
    expect(none.header.logResult).toBeUndefined();
  });

  it("keeps lines written before a timeout", async () => {
    t.deploy(functionRecord({ timeout: 1 }), esmBundle(`const userModule = { handler: async () => { console.log("before the loop"); while (true) {} } };`));
    const result = await t.invoke("fn");
    expect(result.log).toContain("before the loop");
    expect(result.log).toContain("Task timed out after 1.00 seconds");
  });
});

describe("failures", () => {
  it("reports thrown errors, rejections and callback errors in Lambda's shape", async () => {
    t.deploy(functionRecord({ functionName: "throws" }), esmBundle(`class NotFound extends Error { constructor(m) { super(m); this.name = "NotFound"; } }
      const userModule = { handler: async () => { throw new NotFound("no such thing"); } };`));
    t.deploy(functionRecord({ functionName: "cberr" }), esmBundle(`const userModule = { handler: (e, c, cb) => cb(new TypeError("bad input")) };`));
    t.deploy(functionRecord({ functionName: "string" }), esmBundle(`const userModule = { handler: async () => { throw "plain"; } };`));
    const thrown = await t.invoke("throws");
    expect(thrown.header.functionError).toBe("Unhandled");
    expect(thrown.json).toMatchObject({ errorType: "NotFound", errorMessage: "no such thing" });
    const trace = (thrown.json as { trace: string[] }).trace;
    expect(trace[0]).toBe("NotFound: no such thing");
    expect(trace.join("\n")).toContain("file:///var/task/index.js");
    expect(thrown.log).toContain('ERROR\tInvoke Error \t{"errorType":"NotFound"');
    expect((await t.invoke("cberr")).json).toMatchObject({ errorType: "TypeError", errorMessage: "bad input" });
    expect((await t.invoke("string")).json).toEqual({ errorType: "string", errorMessage: "plain", trace: [] });
    // A function error does not cost the warm environment.
    expect(t.pool.stats().environments).toBe(3);
  });

  it("times out a tight loop with Lambda's message and discards the environment", async () => {
    t.deploy(functionRecord({ timeout: 1 }), esmBundle(`const userModule = { handler: async (e) => { if (e.spin) while (true) {} return "fine"; } };`));
    const started = Date.now();
    const result = await t.invoke("fn", { spin: true });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result.header.functionError).toBe("Unhandled");
    expect(result.json).toEqual({
      errorType: "Sandbox.Timedout",
      errorMessage: `RequestId: ${result.header.requestId} Error: Task timed out after 1.00 seconds`,
    });
    expect(t.pool.stats().environments).toBe(0);
    expect((await t.invoke("fn", { spin: false })).json).toBe("fine");
  });

  it("kills only the environment that runs out of memory", async () => {
    // A long timeout: the memory cap, not the clock, must end it, however slow the machine.
    t.deploy(functionRecord({ functionName: "hog", timeout: 120 }), esmBundle(`const userModule = { handler: async () => { const all = []; while (true) all.push(new Array(100000).fill(Math.random())); } };`));
    t.deploy(functionRecord({ functionName: "calm" }), esmBundle(`let n = 0; const userModule = { handler: async () => ++n };`));
    expect((await t.invoke("calm")).json).toBe(1);
    const [hog, calm] = await Promise.all([t.invoke("hog"), t.invoke("calm")]);
    expect(hog.header.functionError).toBe("Unhandled");
    expect(hog.json).toEqual({
      errorType: "Runtime.OutOfMemory",
      errorMessage: `RequestId: ${hog.header.requestId} Error: Runtime exited with error: out of memory (limit 128 MB)`,
    });
    expect(calm.json).toBe(2);
    expect((await t.invoke("calm")).json).toBe(3);
    expect(t.pool.stats().idle).toEqual({ "calm:$LATEST:rev-1": 1 });
  });

  it("reports an init failure each call and retries init on the next", async () => {
    t.deploy(functionRecord(), esmBundle(`globalThis.attempts = (globalThis.attempts ?? 0) + 1; console.log("init attempt"); throw new RangeError("cannot start"); const userModule = {};`));
    const first = await t.invoke("fn");
    expect(first.header.functionError).toBe("Unhandled");
    expect(first.json).toMatchObject({ errorType: "RangeError", errorMessage: "cannot start" });
    expect(JSON.stringify(first.json)).not.toContain("isolated-vm");
    expect(first.log).toContain("init attempt");
    expect(first.log).toContain("Init Duration");
    expect(t.pool.stats().environments).toBe(0);
    expect((await t.invoke("fn")).json).toMatchObject({ errorType: "RangeError" });

    t.deploy(functionRecord({ functionName: "syntax" }), `const userModule = {;\nexport { userModule };`);
    expect((await t.invoke("syntax")).json).toMatchObject({ errorType: "Runtime.UserCodeSyntaxError" });
  });

  it("reports a missing handler", async () => {
    t.deploy(functionRecord({ handler: "index.handler" }), esmBundle(`const userModule = { other: async () => 1 };`));
    const result = await t.invoke("fn");
    expect(result.header.functionError).toBe("Unhandled");
    expect(result.json).toEqual({ errorType: "Runtime.HandlerNotFound", errorMessage: "index.handler is undefined or not exported", trace: [] });
  });

  it("rejects a response over 6 MB and keeps the environment", async () => {
    t.deploy(functionRecord(), esmBundle(`const userModule = { handler: async (e) => "x".repeat(e.size) };`));
    const result = await t.invoke("fn", { size: 6_291_456 });
    expect(result.json).toEqual({
      errorType: "Function.ResponseSizeTooLarge",
      errorMessage: "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
    });
    expect((await t.invoke("fn", { size: 3 })).json).toBe("xxx");
  });

  it("answers an unknown function with ResourceNotFoundException and a malformed frame with ServiceException", async () => {
    const missing = await t.invoke("ghost", {}, { qualifier: "prod", version: "3" });
    expect(missing.header.failure).toEqual({
      type: "ResourceNotFoundException",
      message: "Function not found: arn:aws:lambda:us-east-1:000000000000:function:ghost:prod",
    });
    const { decodeInvocationResult } = await import("@lambent/protocol");
    const reply = await t.invoker.handle(new Uint8Array([0, 0, 0, 50, 1, 2]));
    expect(decodeInvocationResult(reply.result).header.failure?.type).toBe("ServiceException");
  });
});

describe("isolation", () => {
  it("cancels an invocation's pending timers before the next one", async () => {
    t.deploy(functionRecord(), esmBundle(`let fired = 0;
      const userModule = { handler: async (e) => {
        if (e.arm) { setTimeout(() => { fired++; }, 50); setInterval(() => { fired++; }, 20); return "armed"; }
        await new Promise((r) => setTimeout(r, 150));
        return fired;
      } };`));
    expect((await t.invoke("fn", { arm: true })).json).toBe("armed");
    expect((await t.invoke("fn", {})).json).toBe(0);
  });

  it("never reaches the host's process or require", async () => {
    t.deploy(functionRecord(), esmBundle(`const userModule = { handler: async function () {
      const p = this.constructor.constructor("return process")();
      const g = (() => {}).constructor("return globalThis")();
      let required, spawned;
      try { __lambentRequire("inspector"); } catch (error) { required = error.message; }
      try { __lambentRequire("child_process").execSync("id"); } catch (error) { spawned = error.code; }
      return { pid: p.pid, binding: typeof p.binding, dlopen: typeof p.dlopen, mainModule: typeof p.mainModule,
        require: typeof g.require, buffer: typeof g.Buffer, required, spawned, same: p === process };
    } };`));
    expect((await t.invoke("fn")).json).toEqual({
      pid: 1,
      binding: "undefined",
      dlopen: "undefined",
      mainModule: "undefined",
      require: "undefined",
      buffer: "function",
      required: "Cannot find module 'inspector'",
      spawned: "ERR_METHOD_NOT_IMPLEMENTED",
      same: true,
    });
  });
});

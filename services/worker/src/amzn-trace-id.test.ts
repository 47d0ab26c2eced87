// `process.env._X_AMZN_TRACE_ID` as Lambda sets it: each call's own trace in X-Ray's form, and none when
// the worker traces nothing.
import { afterEach, describe, expect, it } from "vitest";
import { InMemorySpanExporter, startTracing, stopTracing } from "@lambent/telemetry";
import { functionRecord, handlerBundle, testInvoker, type TestInvoker } from "./testing/fixtures.js";

const X_RAY_HEADER = /^Root=1-([0-9a-f]{8})-([0-9a-f]{24});Parent=([0-9a-f]{16});Sampled=1$/;

let invoker: TestInvoker | undefined;

afterEach(async () => {
  invoker?.close();
  invoker = undefined;
  await stopTracing();
});

/** A function answering the trace variable it sees, after setting it to `left` when the event says so. */
function deployTraceReader(t: TestInvoker): void {
  t.deploy(
    functionRecord({ functionName: "trace-reader" }),
    handlerBundle("const seen = process.env._X_AMZN_TRACE_ID; if (event.left) process.env._X_AMZN_TRACE_ID = event.left; return { seen: seen ?? null };"),
  );
}

describe("_X_AMZN_TRACE_ID", () => {
  it("is each call's trace in X-Ray's form, the trace its log record carries", async () => {
    startTracing({ service: "worker-test", exporter: new InMemorySpanExporter(), exportEachSpan: true });
    invoker = testInvoker();
    deployTraceReader(invoker);
    const first = (await invoker.invoke("trace-reader")).json as { seen: string };
    const second = (await invoker.invoke("trace-reader")).json as { seen: string };
    expect(first.seen).toMatch(X_RAY_HEADER);
    expect(second.seen).toMatch(X_RAY_HEADER);
    expect(second.seen).not.toBe(first.seen);
    const [, time, rest] = X_RAY_HEADER.exec(first.seen)!;
    expect(invoker.logs[0]!.traceId).toBe(`${time}${rest}`);
    expect(invoker.logs[1]!.traceId).not.toBe(invoker.logs[0]!.traceId);
  });

  it("is set again over the function's own value on the next call", async () => {
    startTracing({ service: "worker-test", exporter: new InMemorySpanExporter(), exportEachSpan: true });
    invoker = testInvoker();
    deployTraceReader(invoker);
    await invoker.invoke("trace-reader", { left: "Root=1-00000000-000000000000000000000000" });
    const next = (await invoker.invoke("trace-reader")).json as { seen: string };
    expect(next.seen).toMatch(X_RAY_HEADER);
    expect(next.seen).not.toContain("Root=1-00000000-");
  });

  it("is absent when the call has no trace, even if an earlier call left one", async () => {
    invoker = testInvoker();
    deployTraceReader(invoker);
    expect((await invoker.invoke("trace-reader", { left: "Root=1-5759e988-bd862e3fe1be46a994272793" })).json).toEqual({ seen: null });
    expect((await invoker.invoke("trace-reader")).json).toEqual({ seen: null });
  });
});

import { describe, expect, it } from "vitest";
import { InMemorySpanExporter, Tracer, parseAmznTraceId } from "./tracing.js";

const TRACE = "5759e988bd862e3fe1be46a994272793";

describe("tracing", () => {
  it("is disabled without an endpoint or exporter, and refuses to make spans then", () => {
    const tracer = Tracer.create({ service: "test" });
    expect(tracer.enabled).toBe(false);
    expect(() => tracer.start("x")).toThrow(/tracing is off/);
  });

  it("reads X-Amzn-Trace-Id: Root is the trace id, Parent with Sampled a remote parent", () => {
    expect(parseAmznTraceId("Root=1-5759e988-bd862e3fe1be46a994272793")).toEqual({ traceId: TRACE });
    expect(parseAmznTraceId("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")).toMatchObject({
      traceId: TRACE,
      parent: { spanId: "53995c3f42cd8ad8", traceFlags: 1, isRemote: true },
    });
    expect(parseAmznTraceId("Root=2-nope")).toBeUndefined();
  });

  it("continues traceparent and X-Amzn-Trace-Id parents, and nests local spans", async () => {
    const exporter = new InMemorySpanExporter();
    const tracer = Tracer.create({ service: "test", exporter, exportEachSpan: true });
    const fromTraceparent = tracer.start("a", { parent: { traceparent: `00-${TRACE}-53995c3f42cd8ad8-01` } });
    const fromAmzn = tracer.start("b", { parent: { amznTraceId: `Root=1-5759e988-bd862e3fe1be46a994272793` } });
    const child = tracer.start("c", { parent: fromAmzn });
    for (const span of [child, fromAmzn, fromTraceparent]) span.end();
    const [c, b, a] = exporter.getFinishedSpans();
    expect(a!.parentSpanContext?.spanId).toBe("53995c3f42cd8ad8");
    expect(b!.spanContext().traceId).toBe(TRACE);
    expect(b!.parentSpanContext).toBeUndefined();
    expect(c!.parentSpanContext?.spanId).toBe(b!.spanContext().spanId);
    expect(fromAmzn.amznTraceId).toBe(`Root=1-5759e988-bd862e3fe1be46a994272793;Parent=${b!.spanContext().spanId};Sampled=1`);
    expect(fromTraceparent.traceparent).toBe(`00-${TRACE}-${a!.spanContext().spanId}-01`);
    await tracer.shutdown();
  });

  it("samples by ratio for new traces and follows the caller's decision", async () => {
    const exporter = new InMemorySpanExporter();
    const tracer = Tracer.create({ service: "test", exporter, exportEachSpan: true, sampler: { name: "parentbased_traceidratio", ratio: 0 } });
    tracer.start("dropped").end();
    tracer.start("kept", { parent: { traceparent: `00-${TRACE}-53995c3f42cd8ad8-01` } }).end();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(["kept"]);
    await tracer.shutdown();
  });
});

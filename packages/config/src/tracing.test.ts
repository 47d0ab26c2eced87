import { describe, expect, it } from "vitest";
import { loadFrontendConfig } from "./index.js";

describe("tracing configuration", () => {
  it("is off without an endpoint and samples everything by default", () => {
    expect(loadFrontendConfig({}).tracing).toEqual({ otlpEndpoint: undefined, sampler: { name: "parentbased_always_on", ratio: 1 }, exportDelayMs: 5000 });
  });

  it("reads the OpenTelemetry variables and the Lambent shorthand", () => {
    expect(loadFrontendConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.25" }).tracing).toMatchObject({
      otlpEndpoint: "http://collector:4318",
      sampler: { name: "traceidratio", ratio: 0.25 },
    });
    expect(loadFrontendConfig({ LAMBENT_TRACE_SAMPLE_RATIO: "0.1" }).tracing.sampler).toEqual({ name: "parentbased_traceidratio", ratio: 0.1 });
  });

  it("names the variable of a bad value", () => {
    expect(() => loadFrontendConfig({ OTEL_TRACES_SAMPLER: "xray" })).toThrow(/OTEL_TRACES_SAMPLER: expected one of/);
    expect(() => loadFrontendConfig({ LAMBENT_TRACE_SAMPLE_RATIO: "2" })).toThrow(/LAMBENT_TRACE_SAMPLE_RATIO: expected a ratio/);
    expect(() => loadFrontendConfig({ OTEL_TRACES_SAMPLER: "always_on", LAMBENT_TRACE_SAMPLE_RATIO: "0.5" })).toThrow(/not both/);
    expect(() => loadFrontendConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    expect(() => loadFrontendConfig({ OTEL_BSP_SCHEDULE_DELAY: "soon" })).toThrow(/OTEL_BSP_SCHEDULE_DELAY/);
  });
});

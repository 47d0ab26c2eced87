// Tracing settings from the environment: the standard OpenTelemetry variables (OTLP endpoint, sampler)
// and LAMBENT_TRACE_SAMPLE_RATIO as a shorthand. Tracing is off when no endpoint is set.
import type { Environment } from "./environment.js";

/** OTEL_TRACES_SAMPLER's values Lambent supports; telemetry maps each to the SDK's sampler. */
export const TRACE_SAMPLER_NAMES = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
] as const;
export type TraceSamplerName = (typeof TRACE_SAMPLER_NAMES)[number];

export interface TracingConfig {
  /** OTLP/HTTP base URL spans are exported to (`<endpoint>/v1/traces`); undefined means tracing is off. */
  otlpEndpoint: string | undefined;
  sampler: { name: TraceSamplerName; ratio: number };
  /** Longest an ended span waits before its batch is exported (OTEL_BSP_SCHEDULE_DELAY). */
  exportDelayMs: number;
}

/** `fail` builds the ConfigError naming the variable (passed in so this module needs nothing from index). */
export function readTracingConfig(env: Environment, fail: (variable: string, problem: string) => Error): TracingConfig {
  const endpoint = (env["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? "").trim();
  if (endpoint !== "" && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(endpoint)) {
    throw fail("OTEL_EXPORTER_OTLP_ENDPOINT", `expected an http(s) URL, got "${endpoint}"`);
  }
  const delay = (env["OTEL_BSP_SCHEDULE_DELAY"] ?? "").trim();
  const exportDelayMs = delay === "" ? 5000 : /^\d+$/.test(delay) && Number(delay) <= 600_000 ? Number(delay) : NaN;
  if (Number.isNaN(exportDelayMs)) throw fail("OTEL_BSP_SCHEDULE_DELAY", `expected milliseconds from 0 to 600000, got "${delay}"`);
  return { otlpEndpoint: endpoint === "" ? undefined : endpoint, sampler: readSampler(env, fail), exportDelayMs };
}

function readSampler(env: Environment, fail: (variable: string, problem: string) => Error): TracingConfig["sampler"] {
  const name = (env["OTEL_TRACES_SAMPLER"] ?? "").trim();
  const shorthand = (env["LAMBENT_TRACE_SAMPLE_RATIO"] ?? "").trim();
  if (name !== "" && shorthand !== "") {
    throw fail("LAMBENT_TRACE_SAMPLE_RATIO", "set either it or OTEL_TRACES_SAMPLER, not both");
  }
  if (shorthand !== "") return { name: "parentbased_traceidratio", ratio: readRatio("LAMBENT_TRACE_SAMPLE_RATIO", shorthand, fail) };
  if (name === "") return { name: "parentbased_always_on", ratio: 1 };
  if (!(TRACE_SAMPLER_NAMES as readonly string[]).includes(name)) {
    throw fail("OTEL_TRACES_SAMPLER", `expected one of ${TRACE_SAMPLER_NAMES.join(", ")}, got "${name}"`);
  }
  const argument = (env["OTEL_TRACES_SAMPLER_ARG"] ?? "").trim();
  return { name: name as TraceSamplerName, ratio: argument === "" ? 1 : readRatio("OTEL_TRACES_SAMPLER_ARG", argument, fail) };
}

function readRatio(variable: string, raw: string, fail: (variable: string, problem: string) => Error): number {
  const value = /^\d+(\.\d+)?$|^\.\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 0 && value <= 1)) throw fail(variable, `expected a ratio from 0 to 1, got "${raw}"`);
  return value;
}

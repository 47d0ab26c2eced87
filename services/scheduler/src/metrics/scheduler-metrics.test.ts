import { describe, expect, it } from "vitest";
import { throttled } from "@lambent/errors";
import type { InvocationHeader } from "@lambent/protocol";
import { MetricsRegistry, createLogger } from "@lambent/telemetry";
import { MeteredConcurrencyAccounting } from "./metered-concurrency.js";
import { QueueSampler } from "./queue-sampler.js";
import { SchedulerMetrics } from "./scheduler-metrics.js";

const logger = createLogger({ service: "test", write: () => undefined });
const settings = { reserved: { limited: 1 }, provisioned: {} };
const nc = { status: async function* () {}, closed: () => new Promise<void>(() => undefined) };

function header(functionName: string, invocationType: "RequestResponse" | "Event"): InvocationHeader {
  return { requestId: "r", functionName, qualifier: "$LATEST", version: "$LATEST", revisionId: "x", invocationType, logType: "None" };
}

describe("scheduler metrics", () => {
  it("reports calls running per function, falling to 0 and cleared on losing the lead", async () => {
    const registry = new MetricsRegistry();
    const admission = new MeteredConcurrencyAccounting({ accountLimit: 10, unreservedMinimum: 0 }, () => settings);
    new SchedulerMetrics(registry, { nc, admission, isLeading: () => true, readQueue: () => Promise.reject(new Error("unused")), logger });
    expect(admission.tryAcquire("f")).toBeUndefined();
    expect(admission.tryAcquire("f")).toBeUndefined();
    expect(await registry.expose()).toContain('lambent_concurrency_slots{function="f"} 2\n');
    admission.release("f");
    admission.release("f");
    admission.release("f");
    expect(await registry.expose()).toContain('lambent_concurrency_slots{function="f"} 0\n');
    expect(admission.inFlight).toBe(0);
    admission.take("g");
    admission.clear();
    expect(await registry.expose()).toContain('lambent_concurrency_slots{function="g"} 0\n');
  });

  it("counts throttles by function, reason and type, and not other refusals", async () => {
    const registry = new MetricsRegistry();
    const admission = new MeteredConcurrencyAccounting({ accountLimit: 10, unreservedMinimum: 0 }, () => settings);
    const metrics = new SchedulerMetrics(registry, { nc, admission, isLeading: () => true, readQueue: () => Promise.reject(new Error("unused")), logger });
    expect(admission.tryAcquire("limited")).toBeUndefined();
    const refusal = admission.tryAcquire("limited")!;
    expect(metrics.refused(header("limited", "RequestResponse"), refusal)).toBe(refusal);
    metrics.refused(header("limited", "Event"), throttled("ConcurrentInvocationLimitExceeded"));
    expect(await registry.expose()).toContain('lambent_throttles_total{function="limited",reason="ReservedFunctionConcurrentInvocationLimitExceeded",type="sync"} 1\n');
    expect(await registry.expose()).toContain('lambent_throttles_total{function="limited",reason="ConcurrentInvocationLimitExceeded",type="event"} 1\n');
  });
});

describe("queue sampler", () => {
  it("samples functions seen while leading, and forgets empty ones after a while", async () => {
    let leading = true;
    let clock = 0;
    const depths = new Map([["a", 3]]);
    const sampler = new QueueSampler({
      isLeading: () => leading,
      read: (functionName) => Promise.resolve({ depth: depths.get(functionName) ?? 0, oldestEventAgeMs: 1500 }),
      logger,
      now: () => clock,
    });
    sampler.seen("a");
    await sampler.sample();
    expect(sampler.samples().get("a")).toEqual({ depth: 3, oldestEventAgeMs: 1500 });
    depths.set("a", 0);
    await sampler.sample();
    expect(sampler.samples().get("a")?.depth).toBe(0);
    clock = 120_000;
    await sampler.sample();
    expect(sampler.samples().has("a")).toBe(false);
    sampler.seen("b");
    leading = false;
    await sampler.sample();
    expect(sampler.samples().size).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import type { ConcurrencySettings } from "@lambent/registry/functions";
import { ConcurrencyAccounting } from "./concurrency-accounting.js";

const limits = { accountLimit: 5, unreservedMinimum: 1 };

function accounting(settings: ConcurrencySettings) {
  let current = settings;
  const admission = new ConcurrencyAccounting(limits, () => current);
  return { admission, set: (next: ConcurrencySettings) => (current = next) };
}

describe("concurrency accounting", () => {
  it("throttles past the account limit with Lambda's reason and frees slots on release", () => {
    const { admission } = accounting({ reserved: {}, provisioned: {} });
    for (let i = 0; i < 5; i++) expect(admission.tryAcquire(`f${i}`)).toBeUndefined();
    const throttle = admission.tryAcquire("g");
    expect(throttle?.type).toBe("TooManyRequestsException");
    expect(throttle?.fields["Reason"]).toBe("ConcurrentInvocationLimitExceeded");
    admission.release("f0");
    expect(admission.tryAcquire("g")).toBeUndefined();
    expect(admission.inFlight).toBe(5);
  });

  it("caps a reserved function at its reservation and keeps that capacity out of the shared pool", () => {
    const { admission } = accounting({ reserved: { r: 2 }, provisioned: {} });
    expect(admission.tryAcquire("r")).toBeUndefined();
    expect(admission.tryAcquire("r")).toBeUndefined();
    expect(admission.tryAcquire("r")?.fields["Reason"]).toBe("ReservedFunctionConcurrentInvocationLimitExceeded");
    // The shared pool is 5 − 2 = 3, whatever the reserved function runs.
    for (let i = 0; i < 3; i++) expect(admission.tryAcquire("u")).toBeUndefined();
    expect(admission.tryAcquire("u")?.fields["Reason"]).toBe("ConcurrentInvocationLimitExceeded");
    // The reservation is also a guarantee: with the shared pool full, the reserved function still runs.
    admission.release("r");
    expect(admission.tryAcquire("r")).toBeUndefined();
  });

  it("throttles every call of a function reserved at 0", () => {
    const { admission } = accounting({ reserved: { off: 0 }, provisioned: {} });
    expect(admission.tryAcquire("off")?.fields["Reason"]).toBe("ReservedFunctionConcurrentInvocationLimitExceeded");
  });

  it("follows settings that change while calls run", () => {
    const { admission, set } = accounting({ reserved: {}, provisioned: {} });
    expect(admission.tryAcquire("a")).toBeUndefined();
    expect(admission.tryAcquire("a")).toBeUndefined();
    set({ reserved: { a: 2 }, provisioned: {} });
    expect(admission.tryAcquire("a")?.fields["Reason"]).toBe("ReservedFunctionConcurrentInvocationLimitExceeded");
    for (let i = 0; i < 3; i++) expect(admission.tryAcquire("b")).toBeUndefined();
    expect(admission.tryAcquire("b")?.fields["Reason"]).toBe("ConcurrentInvocationLimitExceeded");
  });

  it("names what runs above limits lowered under admitted calls", () => {
    const { admission, set } = accounting({ reserved: {}, provisioned: {} });
    admission.tryAcquire("a");
    admission.tryAcquire("b");
    admission.tryAcquire("b");
    expect(admission.excess()).toEqual({ functions: [], unreservedPool: false });
    set({ reserved: { a: 0, b: 2 }, provisioned: {} });
    expect(admission.excess().functions).toEqual(["a"]);
    admission.release("a");
    expect(admission.excess().functions).toEqual([]);
  });

  it("says whether one function runs above its limit: its reservation, or the unreserved pool", () => {
    const { admission, set } = accounting({ reserved: {}, provisioned: {} });
    admission.tryAcquire("a");
    admission.tryAcquire("b");
    expect(admission.overLimit("a")).toBe(false);
    set({ reserved: { a: 0 }, provisioned: {} });
    expect(admission.overLimit("a")).toBe(true);
    expect(admission.overLimit("b")).toBe(false);
    admission.release("a");
    expect(admission.overLimit("a")).toBe(false);
  });
});

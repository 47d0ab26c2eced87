import { describe, expect, it } from "vitest";
import { DEFAULT_ERROR_RATE_RULE, errorRateBreach, sumCalls } from "./version-error-rate.js";

const calls = (invocations: number, errors: number) => ({ invocations, errors });

describe("errorRateBreach", () => {
  it("fails a new version whose error rate is above the old one's by more than the margin", () => {
    expect(errorRateBreach(DEFAULT_ERROR_RATE_RULE, calls(5, 5), calls(45, 0))).toContain("error rate 100.0% (5 of 5 calls)");
    expect(errorRateBreach(DEFAULT_ERROR_RATE_RULE, calls(10, 3), calls(90, 9))).toContain("old version's 10.0%");
  });

  it("lets a new version within the margin of the old one go on", () => {
    expect(errorRateBreach(DEFAULT_ERROR_RATE_RULE, calls(10, 2), calls(90, 9))).toBeUndefined();
    expect(errorRateBreach(DEFAULT_ERROR_RATE_RULE, calls(10, 1), calls(0, 0))).toBeUndefined();
  });

  it("never fails it for the old version's errors", () => {
    expect(errorRateBreach(DEFAULT_ERROR_RATE_RULE, calls(10, 0), calls(90, 90))).toBeUndefined();
    expect(errorRateBreach(DEFAULT_ERROR_RATE_RULE, calls(10, 5), calls(90, 90))).toBeUndefined();
  });

  it("waits for enough calls of the new version before judging", () => {
    expect(errorRateBreach(DEFAULT_ERROR_RATE_RULE, calls(4, 4), calls(36, 0))).toBeUndefined();
    expect(errorRateBreach({ marginPercent: 10, minCalls: 1 }, calls(1, 1), calls(9, 0))).toBeDefined();
  });

  it("is off at a margin of 100 points", () => {
    expect(errorRateBreach({ marginPercent: 100, minCalls: 1 }, calls(100, 100), calls(0, 0))).toBeUndefined();
    expect(errorRateBreach({ marginPercent: 0, minCalls: 1 }, calls(100, 1), calls(100, 0))).toBeDefined();
  });
});

describe("sumCalls", () => {
  it("adds up the minutes' invocations and errors", () => {
    expect(sumCalls([{ minute: 0, invocations: 3, errors: 1, throttles: 4 }, { minute: 60_000, invocations: 2, errors: 2, throttles: 0 }])).toEqual({ invocations: 5, errors: 3 });
  });
});

// The Usage page's arithmetic: cost at the prices shown, rows costliest first, prices typed in.
import { describe, expect, it } from "vitest";
import type { UsageReport } from "@lambent/lambda-api";
import { costOf, formatDollars, parsePrice, usagePeriodOf, usageRowsOf } from "./usage-cost.js";

const LAMBDA_PRICES = { perMillionRequests: 0.2, perGbSecond: 0.0000166667 };

const report: UsageReport = {
  Requests: 3_000_000,
  BilledDurationMs: 0,
  GbSeconds: 600_000,
  EstimatedCost: 0,
  Prices: { PerMillionRequests: 0.2, PerGbSecond: 0.0000166667 },
  Functions: [
    { FunctionName: "cheap", Requests: 2_000_000, BilledDurationMs: 2_000_000, GbSeconds: 250, EstimatedCost: 0, Versions: [] },
    { FunctionName: "idle", Requests: 0, BilledDurationMs: 0, GbSeconds: 0, EstimatedCost: 0, Versions: [] },
    { FunctionName: "heavy", Requests: 1_000_000, BilledDurationMs: 600_000_000, GbSeconds: 599_750, EstimatedCost: 0, Versions: [] },
  ],
};

describe("usage and cost", () => {
  it("prices requests per million and GB-seconds", () => {
    expect(costOf({ Requests: 1_000_000, GbSeconds: 0 }, LAMBDA_PRICES)).toBeCloseTo(0.2, 10);
    expect(costOf({ Requests: 0, GbSeconds: 400_000 }, LAMBDA_PRICES)).toBeCloseTo(6.66668, 5);
  });

  it("lists the functions that ran, costliest first, with the total at the prices shown", () => {
    const { rows, total } = usageRowsOf(report, LAMBDA_PRICES);
    expect(rows.map((row) => row.functionName)).toEqual(["heavy", "cheap"]);
    expect(total.cost).toBeCloseTo(0.6 + 600_000 * 0.0000166667, 6);
    const free = usageRowsOf(report, { perMillionRequests: 1, perGbSecond: 0 });
    expect(free.rows.map((row) => row.functionName)).toEqual(["cheap", "heavy"]);
    expect(free.total.cost).toBeCloseTo(3, 10);
  });

  it("reads typed prices and writes dollars", () => {
    expect(parsePrice("0.0000133334")).toBe(0.0000133334);
    expect(parsePrice("")).toBeUndefined();
    expect(parsePrice("-1")).toBeUndefined();
    expect(parsePrice("abc")).toBeUndefined();
    expect(formatDollars(0)).toBe("$0");
    expect(formatDollars(0.000123456)).toBe("$0.000123");
    expect(formatDollars(12.345)).toBe("$12.35");
    expect(formatDollars(9.96e-7)).toBe("$0.000000996");
  });
});

describe("the Usage page's periods", () => {
  const now = Date.UTC(2026, 11, 7, 2, 41, 13);
  const noRange = { from: "", to: "" };

  it("asks for the last 24 hours, the last 7 days, this UTC month or all time", () => {
    expect(usagePeriodOf("24h", now, noRange)).toEqual({ Start: "2026-12-06T02:41:13.000Z" });
    expect(usagePeriodOf("7d", now, noRange)).toEqual({ Start: "2026-11-30T02:41:13.000Z" });
    expect(usagePeriodOf("month", now, noRange)).toEqual({ Start: "2026-12-01T00:00:00.000Z" });
    expect(usagePeriodOf("month", Date.UTC(2027, 0, 1, 0, 0, 1), noRange)).toEqual({ Start: "2027-01-01T00:00:00.000Z" });
    expect(usagePeriodOf("all", now, noRange)).toEqual({});
  });

  it("takes a custom range's last day whole, and waits for both days", () => {
    expect(usagePeriodOf("custom", now, { from: "2026-11-01", to: "2026-11-30" })).toEqual({ Start: "2026-11-01T00:00:00Z", End: "2026-12-01T00:00:00.000Z" });
    expect(usagePeriodOf("custom", now, { from: "2026-11-01", to: "" })).toBeUndefined();
    expect(usagePeriodOf("custom", now, { from: "", to: "2026-11-30" })).toBeUndefined();
  });
});

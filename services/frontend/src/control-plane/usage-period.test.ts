import { describe, expect, it } from "vitest";
import { LambdaError } from "@lambent/errors";
import { MAX_USAGE_PERIOD_DAYS, daysOf, parseUsagePeriod, parseUsageTime } from "./usage-period.js";

const NOW = Date.UTC(2026, 11, 7, 2, 41, 13);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function refusal(query: { start?: string; end?: string }): LambdaError {
  try {
    parseUsagePeriod(query, NOW);
  } catch (error) {
    if (error instanceof LambdaError) return error;
    throw error;
  }
  throw new Error("accepted");
}

describe("usage periods", () => {
  it("reads ISO 8601 times and epoch seconds or milliseconds", () => {
    expect(parseUsageTime("Start", "2026-12-01T00:00:00Z")).toBe(Date.UTC(2026, 11, 1));
    expect(parseUsageTime("Start", "2026-12-01T01:30:00+01:00")).toBe(Date.UTC(2026, 11, 1, 0, 30));
    expect(parseUsageTime("Start", "2026-12-01")).toBe(Date.UTC(2026, 11, 1));
    expect(parseUsageTime("Start", String(Date.UTC(2026, 11, 1) / 1000))).toBe(Date.UTC(2026, 11, 1));
    expect(parseUsageTime("Start", String(Date.UTC(2026, 11, 1)))).toBe(Date.UTC(2026, 11, 1));
  });

  it("means all time when neither bound is given, and now when End is left out", () => {
    expect(parseUsagePeriod({}, NOW)).toBeUndefined();
    expect(parseUsagePeriod({ start: "", end: "" }, NOW)).toBeUndefined();
    expect(parseUsagePeriod({ start: "2026-12-06T02:41:13Z" }, NOW)).toEqual({ start: Date.UTC(2026, 11, 6, 2), end: Date.UTC(2026, 11, 7, 3) });
  });

  it("widens a period to whole UTC hours, and keeps one that already is", () => {
    expect(parseUsagePeriod({ start: "2026-12-01T10:15:00Z", end: "2026-12-01T12:00:00.001Z" }, NOW)).toEqual({
      start: Date.UTC(2026, 11, 1, 10),
      end: Date.UTC(2026, 11, 1, 13),
    });
    expect(parseUsagePeriod({ start: "2026-12-01T10:00:00Z", end: "2026-12-01T12:00:00Z" }, NOW)).toEqual({
      start: Date.UTC(2026, 11, 1, 10),
      end: Date.UTC(2026, 11, 1, 12),
    });
  });

  it("lists every UTC day a period touches", () => {
    expect(daysOf({ start: Date.UTC(2026, 11, 1, 22), end: Date.UTC(2026, 11, 3, 1) })).toEqual([Date.UTC(2026, 11, 1), Date.UTC(2026, 11, 2), Date.UTC(2026, 11, 3)]);
    expect(daysOf({ start: Date.UTC(2026, 11, 1, 0), end: Date.UTC(2026, 11, 2, 0) })).toEqual([Date.UTC(2026, 11, 1)]);
    expect(daysOf({ start: Date.UTC(2026, 11, 1, 5), end: Date.UTC(2026, 11, 1, 6) })).toEqual([Date.UTC(2026, 11, 1)]);
  });

  it("takes the longest period allowed and refuses one an hour longer", () => {
    const start = Date.UTC(2026, 8, 1);
    const end = start + MAX_USAGE_PERIOD_DAYS * DAY;
    expect(parseUsagePeriod({ start: new Date(start).toISOString(), end: new Date(end).toISOString() }, NOW)).toEqual({ start, end });
    const tooLong = refusal({ start: new Date(start).toISOString(), end: new Date(end + HOUR).toISOString() });
    expect(tooLong.name).toBe("InvalidParameterValueException");
    expect(tooLong.message).toMatch(/at most 93 days/);
  });

  it("refuses a malformed time, an End before its Start and an End alone, naming the parameter", () => {
    for (const [query, message] of [
      [{ start: "yesterday" }, /Start must be an ISO 8601 time/],
      [{ start: "2026-13-45T00:00:00Z" }, /Start must be an ISO 8601 time/],
      [{ start: "2026-12-01", end: "soon" }, /End must be an ISO 8601 time/],
      [{ start: "-5" }, /Start must be/],
      [{ start: "2026-12-02", end: "2026-12-01" }, /End .* must be after Start/],
      [{ start: "2026-12-01T00:00:00Z", end: "2026-12-01T00:00:00Z" }, /must be after Start/],
      [{ end: "2026-12-01" }, /Start is required/],
    ] as const) {
      const error = refusal(query);
      expect(error.name, JSON.stringify(query)).toBe("InvalidParameterValueException");
      expect(error.message).toMatch(message);
    }
  });
});

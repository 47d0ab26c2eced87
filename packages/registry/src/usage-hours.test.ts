import { describe, expect, it } from "vitest";
import { DAY_MS, HOUR_MS, dayStart, hourStart, parseUsageHourKey, usageDayFilter, usageHourKey } from "./usage-hours.js";

describe("hourly usage keys", () => {
  const time = Date.UTC(2026, 11, 7, 2, 41, 13, 500);

  it("puts a call in the UTC hour and day it finished in", () => {
    expect(hourStart(time)).toBe(Date.UTC(2026, 11, 7, 2));
    expect(dayStart(time)).toBe(Date.UTC(2026, 11, 7));
    expect(hourStart(Date.UTC(2026, 11, 7, 3) - 1)).toBe(Date.UTC(2026, 11, 7, 2));
    expect(hourStart(Date.UTC(2026, 11, 7, 3))).toBe(Date.UTC(2026, 11, 7, 3));
    expect(dayStart(time + DAY_MS)).toBe(Date.UTC(2026, 11, 8));
  });

  it("spells the date first, so a day's hours share one filter", () => {
    const key = usageHourKey("my-fn", "$LATEST", time);
    expect(key).toBe("20261207.02.my-fn.LATEST");
    expect(usageDayFilter(time)).toBe("20261207.>");
    expect(usageHourKey("my-fn", "12", Date.UTC(2027, 0, 1, 23, 59))).toBe("20270101.23.my-fn.12");
  });

  it("reads back the hour, function and version of a key, and nothing else", () => {
    expect(parseUsageHourKey("20261207.02.my-fn.LATEST")).toEqual({ hour: Date.UTC(2026, 11, 7, 2), functionName: "my-fn", version: "$LATEST" });
    expect(parseUsageHourKey(usageHourKey("f", "3", time + 5 * HOUR_MS))).toEqual({ hour: Date.UTC(2026, 11, 7, 7), functionName: "f", version: "3" });
    expect(parseUsageHourKey("usage.my-fn.LATEST")).toBeUndefined();
    expect(parseUsageHourKey("2026120.02.my-fn.LATEST")).toBeUndefined();
    expect(parseUsageHourKey("20261207.2.my-fn.LATEST")).toBeUndefined();
    expect(parseUsageHourKey("20261207.02.my-fn")).toBeUndefined();
  });
});

// When schedules fire, on fixed dates: rates from their start, cron fields in UTC and in time zones,
// the last-day and weekday rules, the end of a cron's years, and daylight-saving gaps and overlaps.
import { describe, expect, it } from "vitest";
import { createSchedule, latestFireTime, nextFireTime, ScheduleExpressionError, type Schedule } from "./index.js";

const at = (iso: string): number => Date.parse(iso);
const iso = (time: number | undefined): string | undefined => (time === undefined ? undefined : new Date(time).toISOString());
const EPOCH_2024 = at("2024-01-01T00:00:00Z");

const schedule = (expression: string, timeZone = "UTC", start = EPOCH_2024): Schedule => createSchedule(expression, timeZone, start);

/** The next `count` firings after `after`. */
function firings(s: Schedule, after: string, count: number): (string | undefined)[] {
  const times: (string | undefined)[] = [];
  let cursor = at(after);
  for (let index = 0; index < count; index += 1) {
    const next = nextFireTime(s, cursor);
    times.push(iso(next));
    if (next === undefined) break;
    cursor = next;
  }
  return times;
}

describe("rate schedules", () => {
  const every5 = schedule("rate(5 minutes)", "UTC", at("2024-05-01T10:00:00Z"));

  it("fire every interval counted from the start, never at the start itself", () => {
    expect(firings(every5, "2024-05-01T09:00:00Z", 3)).toEqual(["2024-05-01T10:05:00.000Z", "2024-05-01T10:10:00.000Z", "2024-05-01T10:15:00.000Z"]);
    expect(iso(nextFireTime(every5, at("2024-05-01T10:07:00Z")))).toBe("2024-05-01T10:10:00.000Z");
    expect(iso(nextFireTime(every5, at("2024-05-01T10:10:00Z")))).toBe("2024-05-01T10:15:00.000Z");
  });

  it("know their latest firing", () => {
    expect(latestFireTime(every5, at("2024-05-01T10:04:59Z"))).toBeUndefined();
    expect(iso(latestFireTime(every5, at("2024-05-01T10:05:00Z")))).toBe("2024-05-01T10:05:00.000Z");
    expect(iso(latestFireTime(every5, at("2024-05-01T13:02:00Z")))).toBe("2024-05-01T13:00:00.000Z");
  });

  it("count seconds, and days as 24 hours whatever the clocks do", () => {
    const everySecond = schedule("rate(1 second)", "UTC", at("2024-05-01T10:00:00Z"));
    expect(firings(everySecond, "2024-05-01T10:00:00.500Z", 2)).toEqual(["2024-05-01T10:00:01.000Z", "2024-05-01T10:00:02.000Z"]);
    const daily = schedule("rate(1 day)", "America/New_York", at("2024-03-09T12:00:00Z"));
    expect(firings(daily, "2024-03-09T12:00:00Z", 2)).toEqual(["2024-03-10T12:00:00.000Z", "2024-03-11T12:00:00.000Z"]);
  });
});

describe("cron schedules in UTC", () => {
  it("fire at the minute the fields select, strictly after the time asked", () => {
    const noon = schedule("cron(0 12 * * ? *)");
    expect(iso(nextFireTime(noon, at("2024-03-10T11:59:59Z")))).toBe("2024-03-10T12:00:00.000Z");
    expect(iso(nextFireTime(noon, at("2024-03-10T12:00:00Z")))).toBe("2024-03-11T12:00:00.000Z");
    expect(firings(schedule("cron(0/15 * * * ? *)"), "2024-03-10T10:07:00Z", 3)).toEqual([
      "2024-03-10T10:15:00.000Z",
      "2024-03-10T10:30:00.000Z",
      "2024-03-10T10:45:00.000Z",
    ]);
  });

  it("skip days the day-of-week field leaves out", () => {
    // 2024-03-08 is a Friday.
    expect(firings(schedule("cron(0 18 ? * MON-FRI *)"), "2024-03-08T18:00:00Z", 2)).toEqual(["2024-03-11T18:00:00.000Z", "2024-03-12T18:00:00.000Z"]);
  });

  it("know the last day of the month, leap years included", () => {
    expect(firings(schedule("cron(0 0 L * ? *)"), "2024-02-01T00:00:00Z", 3)).toEqual([
      "2024-02-29T00:00:00.000Z",
      "2024-03-31T00:00:00.000Z",
      "2024-04-30T00:00:00.000Z",
    ]);
  });

  it("move LW and nW to a weekday within the month", () => {
    // 2024-03-31 is a Sunday, 2024-08-31 a Saturday, 2024-06-15 a Saturday, 2024-06-01 a Saturday, 2024-09-01 a Sunday.
    const lastWeekday = schedule("cron(0 0 LW * ? *)");
    expect(iso(nextFireTime(lastWeekday, at("2024-03-01T00:00:00Z")))).toBe("2024-03-29T00:00:00.000Z");
    expect(iso(nextFireTime(lastWeekday, at("2024-08-01T00:00:00Z")))).toBe("2024-08-30T00:00:00.000Z");
    expect(iso(nextFireTime(schedule("cron(0 0 15W * ? *)"), at("2024-06-01T00:00:00Z")))).toBe("2024-06-14T00:00:00.000Z");
    expect(iso(nextFireTime(schedule("cron(0 0 1W * ? *)"), at("2024-05-31T00:00:00Z")))).toBe("2024-06-03T00:00:00.000Z");
    expect(iso(nextFireTime(schedule("cron(0 0 1W * ? *)"), at("2024-08-31T00:00:00Z")))).toBe("2024-09-02T00:00:00.000Z");
    expect(iso(nextFireTime(schedule("cron(0 0 31W * ? *)"), at("2024-03-01T00:00:00Z")))).toBe("2024-03-29T00:00:00.000Z");
    // A month without day 31 has no 31W.
    expect(iso(nextFireTime(schedule("cron(0 0 31W * ? *)"), at("2024-04-01T00:00:00Z")))).toBe("2024-05-31T00:00:00.000Z");
  });

  it("find the n-th and the last weekday of a month", () => {
    // Third Friday and last Friday of March 2024; second Tuesday of each month.
    expect(iso(nextFireTime(schedule("cron(15 10 ? * 6#3 *)"), at("2024-03-01T00:00:00Z")))).toBe("2024-03-15T10:15:00.000Z");
    expect(iso(nextFireTime(schedule("cron(0 10 ? * 6L *)"), at("2024-03-01T00:00:00Z")))).toBe("2024-03-29T10:00:00.000Z");
    expect(firings(schedule("cron(0 9 ? * TUE#2 *)"), "2024-01-01T00:00:00Z", 2)).toEqual(["2024-01-09T09:00:00.000Z", "2024-02-13T09:00:00.000Z"]);
    // A fifth Monday only in months that have one: 2024-04-29 is the next after January's.
    expect(firings(schedule("cron(0 0 ? * 2#5 *)"), "2024-01-01T00:00:00Z", 2)).toEqual(["2024-01-29T00:00:00.000Z", "2024-04-29T00:00:00.000Z"]);
  });

  it("stop when the year field runs out", () => {
    const newYear2025 = schedule("cron(0 0 1 1 ? 2025)");
    expect(iso(nextFireTime(newYear2025, at("2024-06-01T00:00:00Z")))).toBe("2025-01-01T00:00:00.000Z");
    expect(nextFireTime(newYear2025, at("2025-01-01T00:00:00Z"))).toBeUndefined();
    expect(nextFireTime(schedule("cron(0 0 30 2 ? *)"), at("2024-01-01T00:00:00Z"))).toBeUndefined();
  });

  it("know their latest firing, and never report one before the start", () => {
    const noon = schedule("cron(0 12 * * ? *)", "UTC", at("2024-03-10T00:00:00Z"));
    expect(iso(latestFireTime(noon, at("2024-03-12T11:00:00Z")))).toBe("2024-03-11T12:00:00.000Z");
    expect(iso(latestFireTime(noon, at("2024-03-12T12:00:00Z")))).toBe("2024-03-12T12:00:00.000Z");
    expect(latestFireTime(noon, at("2024-03-10T11:59:00Z"))).toBeUndefined();
    expect(nextFireTime(noon, at("2023-01-01T00:00:00Z"))).toBe(at("2024-03-10T12:00:00Z"));
  });
});

describe("cron schedules in a time zone", () => {
  it("read the fields as local times", () => {
    expect(iso(nextFireTime(schedule("cron(0 9 * * ? *)", "Asia/Tokyo"), at("2024-06-01T00:00:00Z")))).toBe("2024-06-02T00:00:00.000Z");
    expect(iso(nextFireTime(schedule("cron(0 9 * * ? *)", "America/New_York"), at("2024-01-15T00:00:00Z")))).toBe("2024-01-15T14:00:00.000Z");
    expect(iso(nextFireTime(schedule("cron(0 9 * * ? *)", "America/New_York"), at("2024-07-15T00:00:00Z")))).toBe("2024-07-15T13:00:00.000Z");
  });

  it("skip a local time the clocks jump over (spring forward)", () => {
    // New York, 2024-03-10: 02:00 EST becomes 03:00 EDT, so 02:30 does not happen that day.
    const twoThirty = schedule("cron(30 2 * * ? *)", "America/New_York");
    expect(firings(twoThirty, "2024-03-09T12:00:00Z", 2)).toEqual(["2024-03-11T06:30:00.000Z", "2024-03-12T06:30:00.000Z"]);
    // Sydney, 2024-10-06: 02:00 AEST becomes 03:00 AEDT.
    expect(iso(nextFireTime(schedule("cron(30 2 * * ? *)", "Australia/Sydney"), at("2024-10-05T00:00:00Z")))).toBe("2024-10-06T15:30:00.000Z");
    // A quarter-hourly schedule goes from 01:45 EST straight to 03:00 EDT.
    expect(firings(schedule("cron(0/15 * * * ? *)", "America/New_York"), "2024-03-10T06:40:00Z", 2)).toEqual([
      "2024-03-10T06:45:00.000Z",
      "2024-03-10T07:00:00.000Z",
    ]);
  });

  it("fire a local time the clocks repeat (fall back) once, the first time", () => {
    // New York, 2024-11-03: 02:00 EDT becomes 01:00 EST, so 01:30 happens at 05:30Z and again at 06:30Z.
    const oneThirty = schedule("cron(30 1 * * ? *)", "America/New_York");
    expect(firings(oneThirty, "2024-11-03T00:00:00Z", 2)).toEqual(["2024-11-03T05:30:00.000Z", "2024-11-04T06:30:00.000Z"]);
    expect(iso(nextFireTime(oneThirty, at("2024-11-03T06:00:00Z")))).toBe("2024-11-04T06:30:00.000Z");
    // A quarter-hourly schedule fires through the first 01:00-01:59 and not again in the repeated hour.
    const quarterly = schedule("cron(0/15 * * * ? *)", "America/New_York");
    expect(firings(quarterly, "2024-11-03T05:40:00Z", 3)).toEqual(["2024-11-03T05:45:00.000Z", "2024-11-03T07:00:00.000Z", "2024-11-03T07:15:00.000Z"]);
    // In the repeated hour the latest firing is the last one of the first pass.
    expect(iso(latestFireTime(quarterly, at("2024-11-03T06:20:00Z")))).toBe("2024-11-03T05:45:00.000Z");
    expect(iso(latestFireTime(quarterly, at("2024-11-03T07:05:00Z")))).toBe("2024-11-03T07:00:00.000Z");
  });

  it("handle a half-hour clock change (Lord Howe Island)", () => {
    // 2024-04-07: 02:00 +11:00 becomes 01:30 +10:30, so 01:45 happens twice; it fires the first time.
    expect(firings(schedule("cron(45 1 * * ? *)", "Australia/Lord_Howe"), "2024-04-06T00:00:00Z", 2)).toEqual([
      "2024-04-06T14:45:00.000Z",
      "2024-04-07T15:15:00.000Z",
    ]);
  });

  it("refuses a time zone Intl does not know", () => {
    expect(() => createSchedule("rate(1 minute)", "Mars/Olympus_Mons", 0)).toThrow(ScheduleExpressionError);
    expect(() => createSchedule("rate(1 minute)", "", 0)).toThrow(/Time zone '' is not valid/);
  });
});

describe("one-time schedules", () => {
  it("fire once, at the time in their time zone, and not again", () => {
    const once = createSchedule("at(2030-03-01T09:30:15)", "Europe/Berlin", at("2030-01-01T00:00:00Z"));
    expect(iso(nextFireTime(once, at("2030-01-01T00:00:00Z")))).toBe("2030-03-01T08:30:15.000Z");
    expect(nextFireTime(once, at("2030-03-01T08:30:15Z"))).toBeUndefined();
    expect(iso(latestFireTime(once, at("2030-06-01T00:00:00Z")))).toBe("2030-03-01T08:30:15.000Z");
    expect(latestFireTime(once, at("2030-03-01T08:30:14Z"))).toBeUndefined();
  });

  it("never fire for a time in the past or one the clocks skip", () => {
    expect(nextFireTime(createSchedule("at(2020-01-01T00:00:00)", "UTC", at("2024-01-01T00:00:00Z")), at("2024-01-01T00:00:00Z"))).toBeUndefined();
    // 2030-03-31 02:30 does not exist in Berlin: the clocks go from 02:00 to 03:00.
    expect(nextFireTime(createSchedule("at(2030-03-31T02:30:00)", "Europe/Berlin", at("2030-01-01T00:00:00Z")), at("2030-01-01T00:00:00Z"))).toBeUndefined();
  });
});

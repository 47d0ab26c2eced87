// Parsing EventBridge's rate and cron expressions: what is accepted, what each field allows, and the
// message for what is refused.
import { describe, expect, it } from "vitest";
import { ScheduleExpressionError, parseScheduleExpression, type CronExpression } from "./index.js";

const cron = (text: string): CronExpression => {
  const parsed = parseScheduleExpression(text);
  if (parsed.kind !== "cron") throw new Error("not cron");
  return parsed;
};

describe("rate expressions", () => {
  it.each([
    ["rate(1 minute)", "minute", 60_000],
    ["rate(5 minutes)", "minute", 300_000],
    ["rate(1 hour)", "hour", 3_600_000],
    ["rate(12 hours)", "hour", 43_200_000],
    ["rate(1 day)", "day", 86_400_000],
    ["rate(7 days)", "day", 604_800_000],
    ["rate(1 second)", "second", 1_000],
    ["rate(30 seconds)", "second", 30_000],
  ])("%s", (text, unit, intervalMs) => {
    expect(parseScheduleExpression(text)).toMatchObject({ kind: "rate", unit, intervalMs, text });
  });

  it.each([
    ["rate(1 minutes)", /singular for a value of 1/],
    ["rate(5 minute)", /singular for a value of 1/],
    ["rate(0 minutes)", /out of range/],
    ["rate(2 weeks)", /unit 'weeks' is not valid/],
    ["rate(minutes)", /not a rate expression/],
    ["rate(-1 minutes)", /not a rate expression/],
    ["rate(1.5 hours)", /not a rate expression/],
    ["rate 5 minutes", /not a schedule expression/],
    ["every(5 minutes)", /not a schedule expression/],
  ])("refuses %s", (text, message) => {
    expect(() => parseScheduleExpression(text)).toThrow(ScheduleExpressionError);
    expect(() => parseScheduleExpression(text)).toThrow(message);
  });
});

describe("cron expressions", () => {
  it("reads each field's values, ranges, lists and steps", () => {
    expect(cron("cron(0/15 9-17 ? * MON-FRI *)")).toMatchObject({
      minutes: [0, 15, 30, 45],
      hours: [9, 10, 11, 12, 13, 14, 15, 16, 17],
      dayOfMonth: { kind: "any" },
      dayOfWeek: { kind: "weekdays", weekdays: [2, 3, 4, 5, 6] },
    });
    expect(cron("cron(5,35 */6 1,15 jan,jul ? 2025-2027)")).toMatchObject({
      minutes: [5, 35],
      hours: [0, 6, 12, 18],
      dayOfMonth: { kind: "days", days: [1, 15] },
      months: [1, 7],
      years: [2025, 2026, 2027],
    });
    expect(cron("cron(10-20/5 0 * 3/4 ? *)")).toMatchObject({ minutes: [10, 15, 20], months: [3, 7, 11] });
  });

  it("lets ranges wrap around, except years", () => {
    expect(cron("cron(0 22-2 * * ? *)").hours).toEqual([0, 1, 2, 22, 23]);
    expect(cron("cron(0 0 ? * FRI-MON *)").dayOfWeek).toEqual({ kind: "weekdays", weekdays: [1, 2, 6, 7] });
    expect(() => parseScheduleExpression("cron(0 0 * * ? 2030-2025)")).toThrow(/runs backwards/);
  });

  it("reads L, W and # in the day fields", () => {
    expect(cron("cron(0 0 L * ? *)").dayOfMonth).toEqual({ kind: "last" });
    expect(cron("cron(0 0 LW * ? *)").dayOfMonth).toEqual({ kind: "lastWeekday" });
    expect(cron("cron(0 0 15W * ? *)").dayOfMonth).toEqual({ kind: "nearestWeekday", day: 15 });
    expect(cron("cron(0 0 ? * L *)").dayOfWeek).toEqual({ kind: "weekdays", weekdays: [7] });
    expect(cron("cron(0 0 ? * 6L *)").dayOfWeek).toEqual({ kind: "lastOfMonth", weekday: 6 });
    expect(cron("cron(0 0 ? * FRIL *)").dayOfWeek).toEqual({ kind: "lastOfMonth", weekday: 6 });
    expect(cron("cron(0 0 ? * 3#2 *)").dayOfWeek).toEqual({ kind: "nth", weekday: 3, nth: 2 });
    expect(cron("cron(0 0 ? * tue#2 *)").dayOfWeek).toEqual({ kind: "nth", weekday: 3, nth: 2 });
  });

  it.each([
    ["cron(0 12 * * ?)", /6 fields/],
    ["cron(0 12 * * * * *)", /6 fields/],
    ["cron(0 12 * * * *)", /Exactly one of day-of-month and day-of-week/],
    ["cron(0 12 ? * ? *)", /Exactly one of day-of-month and day-of-week/],
    ["cron(60 12 * * ? *)", /Minutes value 60 is out of range \(0-59\)/],
    ["cron(0 24 * * ? *)", /Hours value 24 is out of range/],
    ["cron(0 0 0 * ? *)", /Day-of-month value 0 is out of range/],
    ["cron(0 0 32 * ? *)", /Day-of-month value 32 is out of range/],
    ["cron(0 0 * 13 ? *)", /Month value 13 is out of range/],
    ["cron(0 0 * FOO ? *)", /Month value 'FOO' is not valid/],
    ["cron(0 0 ? * 8 *)", /Day-of-week value 8 is out of range/],
    ["cron(0 0 * * ? 1969)", /Year value 1969 is out of range/],
    ["cron(0 0 * * ? 2200)", /Year value 2200 is out of range/],
    ["cron(0/0 0 * * ? *)", /step after \/ is a positive number/],
    ["cron(0,,5 0 * * ? *)", /empty list item/],
    ["cron(1-2-3 0 * * ? *)", /Minutes '1-2-3' is not valid/],
    ["cron(0 0 L,15 * ? *)", /stand alone/],
    ["cron(0 0 ? * 6#6 *)", /1 to 5/],
    ["cron(0 0 ? * 1,6L *)", /stand alone/],
  ])("refuses %s", (text, message) => {
    expect(() => parseScheduleExpression(text)).toThrow(message);
  });

  it("refuses expressions longer than EventBridge allows", () => {
    expect(() => parseScheduleExpression(`cron(${"0,".repeat(200)}0 0 * * ? *)`)).toThrow(/at most 256 characters/);
  });
});

describe("at expressions", () => {
  it("read a date and time", () => {
    expect(parseScheduleExpression("at(2030-01-31T09:05:07)")).toEqual({ kind: "at", text: "at(2030-01-31T09:05:07)", year: 2030, month: 1, day: 31, hour: 9, minute: 5, second: 7 });
  });

  it.each(["at(2030-02-30T00:00:00)", "at(2030-13-01T00:00:00)", "at(2030-01-01T24:00:00)", "at(2030-01-01)", "at(2030-01-01T00:00)", "at(tomorrow)"])("refuse %s", (text) => {
    expect(() => parseScheduleExpression(text)).toThrow(ScheduleExpressionError);
  });
});

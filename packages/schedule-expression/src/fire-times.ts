// When a schedule fires. A schedule is an expression, the time zone its cron fields are read in, and the
// instant it starts from: it fires only after that instant, and a rate fires every interval counted from
// it. Cron times are local times in the zone, with daylight-saving time handled as EventBridge Scheduler
// does: a local time the clocks skip (spring forward) does not fire that day, and a local time that
// happens twice (fall back) fires once, the first time. An `at(…)` fires once, at the first instant the
// zone's clocks show its time, and never when they skip it.
import { daysSelected, type CronExpression } from "./cron.js";
import { ScheduleExpressionError } from "./errors.js";
import { parseScheduleExpression, type AtExpression, type ScheduleExpression } from "./expression.js";
import { LONGEST_CLOCK_CHANGE_MS, instantsOf, isValidTimeZone, offsetAt, wallTimeOf, type WallTime } from "./time-zone.js";

export interface Schedule {
  expression: ScheduleExpression;
  /** An IANA time zone name; cron fields are local times there. Rates ignore it. */
  timeZone: string;
  /** Epoch milliseconds: the schedule fires only after this instant; a rate every interval from it. */
  start: number;
}

export const DEFAULT_TIME_ZONE = "UTC";

/** Parses and checks an expression and time zone into a schedule; throws ScheduleExpressionError. */
export function createSchedule(expression: string, timeZone: string, start: number): Schedule {
  if (!isValidTimeZone(timeZone)) throw new ScheduleExpressionError(`Time zone '${timeZone}' is not valid: use an IANA name such as Europe/Paris or UTC`);
  return { expression: parseScheduleExpression(expression), timeZone, start };
}

/** The first firing strictly after `after`; undefined when there is none (a cron's years are over). */
export function nextFireTime(schedule: Schedule, after: number): number | undefined {
  const lower = Math.max(after, schedule.start);
  const { expression } = schedule;
  if (expression.kind === "at") {
    const instant = atInstant(schedule.timeZone, expression);
    return instant !== undefined && instant > lower ? instant : undefined;
  }
  if (expression.kind === "rate") {
    const intervals = Math.floor((lower - schedule.start) / expression.intervalMs) + 1;
    return schedule.start + intervals * expression.intervalMs;
  }
  for (const wall of wallTimes(expression, wallTimeOf(schedule.timeZone, lower), "forward")) {
    const first = firstInstantOf(schedule.timeZone, wall);
    if (first !== undefined && first > lower) return first;
  }
  return undefined;
}

/** The last firing at or before `atOrBefore`; undefined when the schedule has not fired by then. */
export function latestFireTime(schedule: Schedule, atOrBefore: number): number | undefined {
  const { expression } = schedule;
  if (atOrBefore <= schedule.start) return undefined;
  if (expression.kind === "at") {
    const instant = atInstant(schedule.timeZone, expression);
    return instant !== undefined && instant <= atOrBefore && instant > schedule.start ? instant : undefined;
  }
  if (expression.kind === "rate") {
    const intervals = Math.floor((atOrBefore - schedule.start) / expression.intervalMs);
    return intervals < 1 ? undefined : schedule.start + intervals * expression.intervalMs;
  }
  // A local time's first instant grows with the local time, so walking local times down finds the latest
  // firing first. Near a clock change the walk starts a little past `atOrBefore`, far enough to include
  // local times repeated after it.
  const { timeZone } = schedule;
  const nearChange = timeZone !== "UTC" && offsetAt(timeZone, atOrBefore + LONGEST_CLOCK_CHANGE_MS) !== offsetAt(timeZone, atOrBefore - LONGEST_CLOCK_CHANGE_MS);
  const from = wallTimeOf(timeZone, nearChange ? atOrBefore + LONGEST_CLOCK_CHANGE_MS : atOrBefore);
  for (const wall of wallTimes(expression, from, "backward")) {
    const first = firstInstantOf(schedule.timeZone, wall);
    if (first === undefined || first > atOrBefore) continue;
    return first > schedule.start ? first : undefined;
  }
  return undefined;
}

/** When the zone's clocks first show an at expression's time; undefined in a gap. */
function atInstant(timeZone: string, at: AtExpression): number | undefined {
  const minute = firstInstantOf(timeZone, { year: at.year, month: at.month, day: at.day, hour: at.hour, minute: at.minute });
  return minute === undefined ? undefined : minute + at.second * 1000;
}

/** When the zone's clocks first show `wall`; undefined in a gap. UTC needs no lookup. */
function firstInstantOf(timeZone: string, wall: WallTime): number | undefined {
  if (timeZone === "UTC") return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  return instantsOf(timeZone, wall)[0];
}

/** Every local time the expression selects, from `from` (included) onwards or backwards, in order. */
function* wallTimes(cron: CronExpression, from: WallTime, direction: "forward" | "backward"): Generator<WallTime> {
  const forward = direction === "forward";
  const inOrder = (values: readonly number[]): readonly number[] => (forward ? values : [...values].reverse());
  const reached = (value: number, bound: number): boolean => (forward ? value >= bound : value <= bound);
  for (const year of inOrder(cron.years)) {
    if (!reached(year, from.year)) continue;
    const onYear = year === from.year;
    for (const month of inOrder(cron.months)) {
      if (onYear && !reached(month, from.month)) continue;
      const onMonth = onYear && month === from.month;
      for (const day of inOrder(daysSelected(cron, year, month))) {
        if (onMonth && !reached(day, from.day)) continue;
        const onDay = onMonth && day === from.day;
        for (const hour of inOrder(cron.hours)) {
          if (onDay && !reached(hour, from.hour)) continue;
          const onHour = onDay && hour === from.hour;
          for (const minute of inOrder(cron.minutes)) {
            if (onHour && !reached(minute, from.minute)) continue;
            yield { year, month, day, hour, minute };
          }
        }
      }
    }
  }
}

// EventBridge's cron expressions: `cron(minutes hours day-of-month month day-of-week year)`, parsed into
// the sets of values each field allows, and the days of a given month they select.
//
//   field          values                 wildcards
//   minutes        0-59                   , - * /
//   hours          0-23                   , - * /
//   day-of-month   1-31                   , - * / ?  L  LW  nW
//   month          1-12 or JAN-DEC        , - * /
//   day-of-week    1-7 or SUN-SAT (1=SUN) , - * / ?  L  nL  n#k
//   year           1970-2199              , - * /
//
// Exactly one of day-of-month and day-of-week is `?`. Names are case-insensitive; a range may wrap
// around (`FRI-MON`, `22-2`) except in the year field.
import { ScheduleExpressionError } from "./errors.js";

/** Which days of a month the day-of-month field selects. */
export type DayOfMonthRule =
  | { kind: "any" }
  | { kind: "days"; days: readonly number[] }
  /** `L`: the month's last day. */
  | { kind: "last" }
  /** `LW`: the month's last weekday (Monday to Friday). */
  | { kind: "lastWeekday" }
  /** `nW`: the weekday nearest to day n, within the month. */
  | { kind: "nearestWeekday"; day: number };

/** Which days the day-of-week field selects; weekdays are 1 (Sunday) to 7 (Saturday). */
export type DayOfWeekRule =
  | { kind: "any" }
  | { kind: "weekdays"; weekdays: readonly number[] }
  /** `nL`: the month's last weekday n. */
  | { kind: "lastOfMonth"; weekday: number }
  /** `n#k`: the month's k-th weekday n. */
  | { kind: "nth"; weekday: number; nth: number };

export interface CronExpression {
  kind: "cron";
  /** The expression as given. */
  text: string;
  minutes: readonly number[];
  hours: readonly number[];
  dayOfMonth: DayOfMonthRule;
  months: readonly number[];
  dayOfWeek: DayOfWeekRule;
  years: readonly number[];
}

const MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  wraps: boolean;
}

const FIELDS = {
  minutes: { name: "Minutes", min: 0, max: 59, wraps: true },
  hours: { name: "Hours", min: 0, max: 23, wraps: true },
  dayOfMonth: { name: "Day-of-month", min: 1, max: 31, wraps: true },
  month: { name: "Month", min: 1, max: 12, names: MONTH_NAMES, wraps: true },
  dayOfWeek: { name: "Day-of-week", min: 1, max: 7, names: WEEKDAY_NAMES, wraps: true },
  year: { name: "Year", min: 1970, max: 2199, wraps: false },
} as const satisfies Record<string, FieldSpec>;

/** Parses the six fields inside `cron(…)`. */
export function parseCronFields(text: string, body: string): CronExpression {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new ScheduleExpressionError(`A cron expression has 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}: '${text}'`);
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as [string, string, string, string, string, string];
  const domAny = dayOfMonth === "?";
  const dowAny = dayOfWeek === "?";
  if (domAny === dowAny) {
    throw new ScheduleExpressionError(
      `Exactly one of day-of-month and day-of-week must be '?' (the other selects the days), got '${dayOfMonth}' and '${dayOfWeek}'`,
    );
  }
  return {
    kind: "cron",
    text,
    minutes: parseValues(minutes, FIELDS.minutes),
    hours: parseValues(hours, FIELDS.hours),
    dayOfMonth: domAny ? { kind: "any" } : parseDayOfMonth(dayOfMonth),
    months: parseValues(month, FIELDS.month),
    dayOfWeek: dowAny ? { kind: "any" } : parseDayOfWeek(dayOfWeek),
    years: parseValues(year, FIELDS.year),
  };
}

function parseDayOfMonth(field: string): DayOfMonthRule {
  const upper = field.toUpperCase();
  if (upper === "L") return { kind: "last" };
  if (upper === "LW") return { kind: "lastWeekday" };
  const nearest = /^(\d{1,2})W$/.exec(upper);
  if (nearest) return { kind: "nearestWeekday", day: parseNumber(nearest[1]!, FIELDS.dayOfMonth) };
  if (/[LW]/.test(upper)) {
    throw new ScheduleExpressionError(`Day-of-month '${field}' is not valid: L, LW and nW (the weekday nearest day n) stand alone`);
  }
  return { kind: "days", days: parseValues(field, FIELDS.dayOfMonth) };
}

function parseDayOfWeek(field: string): DayOfWeekRule {
  const upper = field.toUpperCase();
  if (upper === "L") return { kind: "weekdays", weekdays: [7] };
  const last = /^([A-Z0-9]+)L$/.exec(upper);
  if (last) return { kind: "lastOfMonth", weekday: parseNumber(last[1]!, FIELDS.dayOfWeek) };
  const nth = /^([A-Z0-9]+)#(\d+)$/.exec(upper);
  if (nth) {
    const k = Number(nth[2]);
    if (k < 1 || k > 5) throw new ScheduleExpressionError(`Day-of-week '${field}' is not valid: the number after # is 1 to 5`);
    return { kind: "nth", weekday: parseNumber(nth[1]!, FIELDS.dayOfWeek), nth: k };
  }
  if (upper.includes("#") || /L$/.test(upper)) {
    throw new ScheduleExpressionError(`Day-of-week '${field}' is not valid: nL (last weekday n of the month) and n#k (k-th weekday n) stand alone`);
  }
  return { kind: "weekdays", weekdays: parseValues(field, FIELDS.dayOfWeek) };
}

/** A list of `*`, values, ranges and steps → the sorted values it allows. */
function parseValues(field: string, spec: FieldSpec): number[] {
  const values = new Set<number>();
  for (const item of field.split(",")) {
    if (item === "") throw new ScheduleExpressionError(`${spec.name} '${field}' has an empty list item`);
    for (const value of parseItem(item, spec, field)) values.add(value);
  }
  return [...values].sort((a, b) => a - b);
}

function parseItem(item: string, spec: FieldSpec, field: string): number[] {
  const [range, step, extra] = item.split("/");
  if (extra !== undefined || range === undefined || range === "") throw new ScheduleExpressionError(`${spec.name} '${field}' is not valid`);
  let stepSize = 1;
  if (step !== undefined) {
    if (!/^\d+$/.test(step) || Number(step) < 1) throw new ScheduleExpressionError(`${spec.name} '${field}' is not valid: the step after / is a positive number`);
    stepSize = Number(step);
  }
  let from: number;
  let to: number;
  if (range === "*") {
    from = spec.min;
    to = spec.max;
  } else if (range.includes("-")) {
    const [low, high, more] = range.split("-");
    if (more !== undefined || low === undefined || high === undefined) throw new ScheduleExpressionError(`${spec.name} '${field}' is not valid`);
    from = parseNumber(low, spec);
    to = parseNumber(high, spec);
    if (from > to && !spec.wraps) throw new ScheduleExpressionError(`${spec.name} range '${range}' runs backwards`);
  } else {
    from = parseNumber(range, spec);
    // `a/b` counts from a to the end of the field.
    to = step === undefined ? from : spec.max;
  }
  const span = from <= to ? to - from : spec.max - from + 1 + (to - spec.min);
  const values: number[] = [];
  for (let offset = 0; offset <= span; offset += stepSize) {
    const value = from + offset;
    values.push(value > spec.max ? value - (spec.max - spec.min + 1) : value);
  }
  return values;
}

function parseNumber(token: string, spec: FieldSpec): number {
  const upper = token.toUpperCase();
  const named = spec.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + 1;
  if (!/^\d+$/.test(token)) throw new ScheduleExpressionError(`${spec.name} value '${token}' is not valid`);
  const value = Number(token);
  if (value < spec.min || value > spec.max) {
    throw new ScheduleExpressionError(`${spec.name} value ${value} is out of range (${spec.min}-${spec.max})`);
  }
  return value;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 1 (Sunday) to 7 (Saturday). */
export function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

/** The days of a month both day fields select, ascending. */
export function daysSelected(cron: CronExpression, year: number, month: number): number[] {
  const last = daysInMonth(year, month);
  const byMonth = dayOfMonthDays(cron.dayOfMonth, year, month, last);
  const byWeek = dayOfWeekDays(cron.dayOfWeek, year, month, last);
  if (byMonth === undefined) return byWeek ?? range(1, last);
  if (byWeek === undefined) return byMonth;
  return byMonth.filter((day) => byWeek.includes(day));
}

function dayOfMonthDays(rule: DayOfMonthRule, year: number, month: number, last: number): number[] | undefined {
  switch (rule.kind) {
    case "any":
      return undefined;
    case "days":
      return rule.days.filter((day) => day <= last);
    case "last":
      return [last];
    case "lastWeekday": {
      const weekday = weekdayOf(year, month, last);
      return [weekday === 7 ? last - 1 : weekday === 1 ? last - 2 : last];
    }
    case "nearestWeekday": {
      if (rule.day > last) return [];
      const weekday = weekdayOf(year, month, rule.day);
      // Saturday moves to Friday (or to Monday when Friday is in the month before); Sunday to Monday
      // (or to Friday when Monday is in the month after).
      if (weekday === 7) return [rule.day === 1 ? 3 : rule.day - 1];
      if (weekday === 1) return [rule.day === last ? rule.day - 2 : rule.day + 1];
      return [rule.day];
    }
  }
}

function dayOfWeekDays(rule: DayOfWeekRule, year: number, month: number, last: number): number[] | undefined {
  switch (rule.kind) {
    case "any":
      return undefined;
    case "weekdays":
      return range(1, last).filter((day) => rule.weekdays.includes(weekdayOf(year, month, day)));
    case "lastOfMonth": {
      const lastWeekday = weekdayOf(year, month, last);
      return [last - ((lastWeekday - rule.weekday + 7) % 7)];
    }
    case "nth": {
      const first = 1 + ((rule.weekday - weekdayOf(year, month, 1) + 7) % 7);
      const day = first + 7 * (rule.nth - 1);
      return day <= last ? [day] : [];
    }
  }
}

function range(from: number, to: number): number[] {
  const values: number[] = [];
  for (let value = from; value <= to; value += 1) values.push(value);
  return values;
}

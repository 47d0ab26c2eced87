// Schedule expressions as EventBridge writes them: `rate(value unit)`, `cron(…)` (see cron.ts) and
// EventBridge Scheduler's one-time `at(yyyy-mm-ddThh:mm:ss)`, plus Lambent's `rate(value second|seconds)`
// for intervals under a minute.
import { parseCronFields, type CronExpression } from "./cron.js";
import { ScheduleExpressionError } from "./errors.js";

export type RateUnit = "second" | "minute" | "hour" | "day";

export interface RateExpression {
  kind: "rate";
  /** The expression as given. */
  text: string;
  value: number;
  unit: RateUnit;
  /** The interval: a day is always 24 hours, whatever the clocks do. */
  intervalMs: number;
}

/** One firing at a local time of the schedule's time zone (EventBridge Scheduler's `at(…)`). */
export interface AtExpression {
  kind: "at";
  /** The expression as given. */
  text: string;
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export type ScheduleExpression = RateExpression | CronExpression | AtExpression;

/** EventBridge's limit on a schedule expression's length. */
export const MAX_EXPRESSION_LENGTH = 256;

const UNIT_MS: Record<RateUnit, number> = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };
/** Keeps intervals within what timers and dates handle exactly (about 27 years). */
const MAX_RATE_VALUE = 10_000_000;

/** Parses an expression; throws ScheduleExpressionError saying what is wrong. */
export function parseScheduleExpression(text: string): ScheduleExpression {
  if (text.length > MAX_EXPRESSION_LENGTH) throw new ScheduleExpressionError(`A schedule expression is at most ${MAX_EXPRESSION_LENGTH} characters long`);
  const call = /^(rate|cron|at)\((.*)\)$/.exec(text.trim());
  if (!call) {
    throw new ScheduleExpressionError(
      `'${text}' is not a schedule expression: write rate(value unit), cron(minutes hours day-of-month month day-of-week year) or at(yyyy-mm-ddThh:mm:ss)`,
    );
  }
  if (call[1] === "at") return parseAt(text, call[2]!);
  return call[1] === "rate" ? parseRate(text, call[2]!) : parseCronFields(text, call[2]!);
}

/** `at(yyyy-mm-ddThh:mm:ss)`: a date and time that exist on the calendar, read in the schedule's time zone. */
function parseAt(text: string, body: string): AtExpression {
  const parts = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!parts) throw new ScheduleExpressionError(`'${text}' is not an at expression: write at(yyyy-mm-ddThh:mm:ss), e.g. at(2030-01-31T09:30:00)`);
  const [year, month, day, hour, minute, second] = parts.slice(1).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    throw new ScheduleExpressionError(`'${text}' names a date or time that does not exist`);
  }
  return { kind: "at", text, year, month, day, hour, minute, second };
}

function parseRate(text: string, body: string): RateExpression {
  const parts = /^\s*(\d+)\s+([a-z]+)\s*$/.exec(body);
  if (!parts) throw new ScheduleExpressionError(`'${text}' is not a rate expression: write rate(value unit), e.g. rate(5 minutes)`);
  const value = Number(parts[1]);
  const word = parts[2]!;
  const singular = word.endsWith("s") ? word.slice(0, -1) : word;
  if (!(singular in UNIT_MS)) throw new ScheduleExpressionError(`Rate unit '${word}' is not valid: use minute(s), hour(s), day(s) or second(s)`);
  if (value < 1 || value > MAX_RATE_VALUE) throw new ScheduleExpressionError(`Rate value ${parts[1]} is out of range (1-${MAX_RATE_VALUE})`);
  // As EventBridge: the unit is singular for 1 and plural otherwise.
  if ((value === 1) !== (word === singular)) {
    throw new ScheduleExpressionError(`'${text}' is not valid: the unit is singular for a value of 1 and plural otherwise (rate(1 ${singular}), rate(5 ${singular}s))`);
  }
  const unit = singular as RateUnit;
  return { kind: "rate", text, value, unit, intervalMs: value * UNIT_MS[unit] };
}

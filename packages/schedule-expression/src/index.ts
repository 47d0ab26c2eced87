// Schedule expressions as EventBridge writes them — `rate(…)`, `cron(…)` and `at(…)`, with a time zone — and
// when they fire. The frontend validates expressions with it; the scheduler fires them.
export { ScheduleExpressionError } from "./errors.js";
export { parseScheduleExpression, MAX_EXPRESSION_LENGTH, type AtExpression, type RateExpression, type RateUnit, type ScheduleExpression } from "./expression.js";
export type { CronExpression, DayOfMonthRule, DayOfWeekRule } from "./cron.js";
export { createSchedule, latestFireTime, nextFireTime, DEFAULT_TIME_ZONE, type Schedule } from "./fire-times.js";
export { isValidTimeZone } from "./time-zone.js";

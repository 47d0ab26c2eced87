// The period a usage report covers: Start and End as given (ISO 8601, or epoch seconds or milliseconds),
// checked, and widened to whole UTC hours, the size of the usage buckets.
import { invalidParameter } from "@lambent/errors";
import { DAY_MS, HOUR_MS, dayStart, hourStart } from "@lambent/registry/usage";

/** The longest period one report reads (about a quarter; past the default retention of 90 days). */
export const MAX_USAGE_PERIOD_DAYS = 93;

export interface UsagePeriod {
  /** Epoch ms, the start of an hour. */
  start: number;
  /** Epoch ms, exclusive, the end of an hour. */
  end: number;
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** A time as a caller writes it: digits are epoch seconds (up to 11 digits) or milliseconds; else ISO 8601. */
export function parseUsageTime(name: string, raw: string): number {
  const text = raw.trim();
  let time = Number.NaN;
  if (/^\d{1,16}$/.test(text)) time = text.length <= 11 ? Number(text) * 1000 : Number(text);
  else if (ISO_8601.test(text)) time = Date.parse(text);
  if (!Number.isFinite(time)) throw invalidParameter(`${name} must be an ISO 8601 time or epoch seconds or milliseconds, got '${raw}'`);
  return time;
}

/**
 * The period asked for, or undefined when neither bound is given (the report then covers all time). A
 * missing End is now; a Start is required with an End.
 */
export function parseUsagePeriod(query: { start?: string | undefined; end?: string | undefined }, now: number): UsagePeriod | undefined {
  const { start: rawStart, end: rawEnd } = query;
  if ((rawStart === undefined || rawStart === "") && (rawEnd === undefined || rawEnd === "")) return undefined;
  if (rawStart === undefined || rawStart === "") throw invalidParameter("Start is required when End is given");
  const start = parseUsageTime("Start", rawStart);
  const end = rawEnd === undefined || rawEnd === "" ? now : parseUsageTime("End", rawEnd);
  if (end <= start) throw invalidParameter(`End (${new Date(end).toISOString()}) must be after Start (${new Date(start).toISOString()})`);
  const period = { start: hourStart(start), end: hourStart(end + HOUR_MS - 1) };
  if (period.end - period.start > MAX_USAGE_PERIOD_DAYS * DAY_MS) {
    throw invalidParameter(`The period from Start to End must be at most ${MAX_USAGE_PERIOD_DAYS} days; ask for a shorter one`);
  }
  return period;
}

/** The start of every UTC day the period touches. */
export function daysOf(period: UsagePeriod): number[] {
  const days: number[] = [];
  for (let day = dayStart(period.start); day < period.end; day += DAY_MS) days.push(day);
  return days;
}

// Wall-clock time in an IANA time zone, through Intl (no time zone data of our own): an instant's local
// date and time, and the instants a local date and time stands for — none in a daylight-saving gap, two
// in an overlap, one otherwise.

/** A local date and time to the minute; `month` is 1–12. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** True for a time zone Intl knows (an IANA name such as `Europe/Paris`, or `UTC`). */
export function isValidTimeZone(timeZone: string): boolean {
  if (timeZone === "") return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** The local time of an instant, with its seconds, as epoch milliseconds of the same fields in UTC. */
function localFieldsAsUtc(timeZone: string, instant: number): number {
  const fields: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  const utc = new Date(0);
  utc.setUTCFullYear(fields["year"]!, fields["month"]! - 1, fields["day"]!);
  utc.setUTCHours(fields["hour"]!, fields["minute"]!, fields["second"]!, 0);
  return utc.getTime();
}

/** The zone's offset from UTC at an instant, in milliseconds (positive east of Greenwich). */
export function offsetAt(timeZone: string, instant: number): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return localFieldsAsUtc(timeZone, whole) - whole;
}

/** The local time of an instant, to the minute (seconds dropped). */
export function wallTimeOf(timeZone: string, instant: number): WallTime {
  const local = new Date(instant + offsetAt(timeZone, instant));
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
  };
}

/** A wall time as epoch milliseconds of the same fields read as UTC. */
export function wallTimeAsUtc(wall: WallTime): number {
  const utc = new Date(0);
  utc.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  utc.setUTCHours(wall.hour, wall.minute, 0, 0);
  return utc.getTime();
}

/**
 * The instants at which the zone's clocks show `wall`, earliest first: none when the time falls in a
 * gap (clocks moved forward over it), two when it falls in an overlap (clocks moved back over it).
 * Offsets are read a day either side, so any single transition near the time is seen (zones change
 * their clocks at most once in two days).
 */
export function instantsOf(timeZone: string, wall: WallTime): number[] {
  const local = wallTimeAsUtc(wall);
  const before = offsetAt(timeZone, local - DAY_MS);
  // No clock change within a day either side (nearly always): the one instant, without more lookups.
  if (before === offsetAt(timeZone, local + DAY_MS)) return [local - before];
  const offsets = new Set([before, offsetAt(timeZone, local), offsetAt(timeZone, local + DAY_MS)]);
  const instants: number[] = [];
  for (const offset of offsets) {
    const instant = local - offset;
    if (offsetAt(timeZone, instant) === offset && !instants.includes(instant)) instants.push(instant);
  }
  return instants.sort((a, b) => a - b);
}

/** The longest clock change a search must look past on either side (real ones are at most 2 hours). */
export const LONGEST_CLOCK_CHANGE_MS = 3 * HOUR_MS;

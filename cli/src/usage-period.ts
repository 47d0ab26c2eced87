// `lambent usage --since/--until`: a relative time (30m, 24h, 7d) or `month` (the start of this UTC month)
// becomes an ISO 8601 time here; an ISO 8601 time or epoch seconds or milliseconds goes to the API as given,
// which checks it.
import { UsageError } from "./command.js";

const RELATIVE = /^(\d+)([mhd])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function resolveUsageTime(flag: string, value: string, now: number): string {
  const text = value.trim();
  if (text === "") throw new UsageError(`${flag} needs a time`);
  if (text === "month") {
    const date = new Date(now);
    return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1)).toISOString();
  }
  const relative = RELATIVE.exec(text);
  if (relative) return new Date(now - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS]).toISOString();
  return text;
}

import { describe, expect, it } from "vitest";
import { UsageError } from "./command.js";
import { resolveUsageTime } from "./usage-period.js";

const NOW = Date.UTC(2026, 11, 7, 2, 41, 13);

describe("lambent usage --since/--until", () => {
  it("turns relative times and month into ISO 8601 times", () => {
    expect(resolveUsageTime("--since", "24h", NOW)).toBe("2026-12-06T02:41:13.000Z");
    expect(resolveUsageTime("--since", "7d", NOW)).toBe("2026-11-30T02:41:13.000Z");
    expect(resolveUsageTime("--since", "30m", NOW)).toBe("2026-12-07T02:11:13.000Z");
    expect(resolveUsageTime("--since", "month", NOW)).toBe("2026-12-01T00:00:00.000Z");
  });

  it("passes absolute times to the API as written, and refuses an empty one", () => {
    expect(resolveUsageTime("--until", "2026-12-01T00:00:00Z", NOW)).toBe("2026-12-01T00:00:00Z");
    expect(resolveUsageTime("--until", "1764547200", NOW)).toBe("1764547200");
    expect(() => resolveUsageTime("--since", " ", NOW)).toThrow(UsageError);
  });
});

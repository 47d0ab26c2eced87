// Local times and instants through Intl: offsets, and the instants of a local time in a gap and an overlap.
import { describe, expect, it } from "vitest";
import { instantsOf, isValidTimeZone, offsetAt, wallTimeOf } from "./time-zone.js";

describe("time zones", () => {
  it("know offsets and local times", () => {
    expect(offsetAt("Europe/Paris", Date.parse("2024-01-15T12:00:00Z"))).toBe(3_600_000);
    expect(offsetAt("Europe/Paris", Date.parse("2024-07-15T12:00:00Z"))).toBe(7_200_000);
    expect(offsetAt("America/Los_Angeles", Date.parse("2024-07-15T12:00:00Z"))).toBe(-7 * 3_600_000);
    expect(wallTimeOf("Asia/Kolkata", Date.parse("2024-07-15T23:45:30Z"))).toEqual({ year: 2024, month: 7, day: 16, hour: 5, minute: 15 });
  });

  it("find no instant in a gap, two in an overlap, one otherwise", () => {
    expect(instantsOf("Europe/Paris", { year: 2024, month: 3, day: 31, hour: 2, minute: 30 })).toEqual([]);
    expect(instantsOf("Europe/Paris", { year: 2024, month: 10, day: 27, hour: 2, minute: 30 })).toEqual([
      Date.parse("2024-10-27T00:30:00Z"),
      Date.parse("2024-10-27T01:30:00Z"),
    ]);
    expect(instantsOf("Europe/Paris", { year: 2024, month: 10, day: 27, hour: 3, minute: 30 })).toEqual([Date.parse("2024-10-27T02:30:00Z")]);
  });

  it("tell valid names from invalid ones", () => {
    expect(isValidTimeZone("UTC")).toBe(true);
    expect(isValidTimeZone("America/Argentina/Buenos_Aires")).toBe(true);
    expect(isValidTimeZone("Not/A_Zone")).toBe(false);
    expect(isValidTimeZone("")).toBe(false);
  });
});

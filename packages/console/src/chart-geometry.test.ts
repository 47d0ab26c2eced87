// The charts' arithmetic: round axis tops, paths broken at missing values, short numbers.
import { describe, expect, it } from "vitest";
import { linePath, niceMax, shortNumber } from "./chart-geometry.js";

describe("chart geometry", () => {
  it("rounds an axis top up to 1, 2 or 5 times a power of ten", () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(1)).toBe(1);
    expect(niceMax(3)).toBe(5);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(120)).toBe(200);
    expect(niceMax(0.3)).toBe(0.5);
  });

  it("draws values across the box, top at max, and breaks the line where a value is missing", () => {
    expect(linePath([0, 5, 10], 100, 50, 10)).toBe("M0,50L50,25L100,0");
    expect(linePath([4, null, 2, 2, 20], 100, 10, 4)).toBe("M0,0L12.5,0M50,5L75,5L100,0");
    expect(linePath([], 100, 10, 1)).toBe("");
  });

  it("writes large counts short", () => {
    expect(shortNumber(12)).toBe("12");
    expect(shortNumber(1234)).toBe("1.2k");
    expect(shortNumber(2_500_000)).toBe("2.5M");
  });
});

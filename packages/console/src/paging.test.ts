// Paging a long list: slices of PAGE_SIZE, the last one short, and an index out of range clamped.
import { describe, expect, it } from "vitest";
import { PAGE_SIZE, pageOf } from "./paging.js";

describe("pageOf", () => {
  it("slices a thousand functions into pages of fifty", () => {
    expect(PAGE_SIZE).toBe(50);
    expect(pageOf(1000, 0)).toEqual({ index: 0, count: 20, start: 0, end: 50 });
    expect(pageOf(1000, 19)).toEqual({ index: 19, count: 20, start: 950, end: 1000 });
  });

  it("ends short, and clamps an index past either end", () => {
    expect(pageOf(101, 2)).toEqual({ index: 2, count: 3, start: 100, end: 101 });
    expect(pageOf(101, 9)).toMatchObject({ index: 2 });
    expect(pageOf(0, -1)).toEqual({ index: 0, count: 1, start: 0, end: 0 });
  });
});

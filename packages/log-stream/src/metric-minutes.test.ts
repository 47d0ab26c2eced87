// A minute's arithmetic: buckets, sums, percentiles, and records that decode only when well formed.
import { describe, expect, it } from "vitest";
import { DURATION_BOUNDS_MS, addMinute, decodeMinutes, durationBucketOf, durationPercentile, emptyMinute, encodeMinutes, minuteOf } from "./metric-minutes.js";

describe("metric minutes", () => {
  it("puts a duration in the first bucket whose bound holds it, and past the last in the overflow", () => {
    expect(durationBucketOf(0.4)).toBe(0);
    expect(durationBucketOf(1)).toBe(0);
    expect(durationBucketOf(1.01)).toBe(1);
    expect(durationBucketOf(950)).toBe(DURATION_BOUNDS_MS.indexOf(1_000));
    expect(durationBucketOf(1_000_000)).toBe(DURATION_BOUNDS_MS.length);
  });

  it("answers a percentile as the bound of the bucket that holds its rank", () => {
    const buckets = emptyMinute("f", 0).durationBuckets;
    expect(durationPercentile(buckets, 0.5)).toBeUndefined();
    buckets[durationBucketOf(3)] = 90;
    buckets[durationBucketOf(150)] = 9;
    buckets[durationBucketOf(4_000_000)] = 1;
    expect(durationPercentile(buckets, 0.5)).toBe(5);
    expect(durationPercentile(buckets, 0.9)).toBe(5);
    expect(durationPercentile(buckets, 0.95)).toBe(200);
    expect(durationPercentile(buckets, 1)).toBe(900_000);
  });

  it("adds counts and buckets and keeps the higher concurrency", () => {
    const into = { ...emptyMinute("f", minuteOf(125_000)), invocations: 2, concurrency: 4 };
    const from = { ...emptyMinute("f", 120_000), invocations: 3, errors: 1, throttles: 2, concurrency: 3 };
    from.durationBuckets[2] = 3;
    addMinute(into, from);
    expect(into).toMatchObject({ minute: 120_000, invocations: 5, errors: 1, throttles: 2, concurrency: 4 });
    expect(into.durationBuckets[2]).toBe(3);
  });

  it("decodes what it encodes and skips malformed records", () => {
    const good = { ...emptyMinute("f", 60_000), invocations: 1 };
    expect(decodeMinutes(encodeMinutes([good]))).toEqual([good]);
    const text = JSON.stringify([{ ...good, invocations: -1 }, { ...good, durationBuckets: [1] }, "x", good]);
    expect(decodeMinutes(new TextEncoder().encode(text))).toEqual([good]);
    expect(decodeMinutes(new TextEncoder().encode("not json"))).toEqual([]);
  });
});

// The account's concurrency rules as pure functions, and the settings document's compare-and-set store
// over a real nats-server.
import { describe, expect, it } from "vitest";
import { useFunctionsBucket } from "./testing/functions-bucket.js";
import {
  CONCURRENCY_SETTINGS_KEY,
  ConcurrencyStore,
  decodeConcurrencySettings,
  emptyConcurrencySettings,
  provisionedKey,
  unreservedConcurrency,
  unreservedProvisioned,
  withProvisioned,
  withReservation,
  withoutFunction,
  type ConcurrencySettings,
} from "./concurrency-settings.js";
import { ObservedWrites } from "./observed-writes.js";

const limits = { accountLimit: 20, unreservedMinimum: 5 };
const invalid = (run: () => unknown, message?: RegExp) =>
  expect(run).toThrow(expect.objectContaining({ name: "InvalidParameterValueException", ...(message ? { message: expect.stringMatching(message) } : {}) }));

const provisioned = (functionName: string, qualifier: string, requested: number) => ({
  functionName,
  qualifier,
  requested,
  lastModified: "2024-01-02T03:04:05.678+0000",
});

describe("withReservation", () => {
  it("sets and removes a reservation, which the unreserved pool loses and regains", () => {
    const reserved = withReservation(emptyConcurrencySettings(), limits, "a", 10);
    expect(reserved.reserved).toEqual({ a: 10 });
    expect(unreservedConcurrency(reserved, limits)).toBe(10);
    const removed = withReservation(reserved, limits, "a", undefined);
    expect(removed.reserved).toEqual({});
    expect(unreservedConcurrency(removed, limits)).toBe(20);
  });

  it("allows 0 (every call throttled) and leaving exactly the minimum", () => {
    expect(withReservation(emptyConcurrencySettings(), limits, "a", 0).reserved).toEqual({ a: 0 });
    expect(unreservedConcurrency(withReservation(emptyConcurrencySettings(), limits, "a", 15), limits)).toBe(5);
  });

  it("refuses a reservation that leaves less than the unreserved minimum, counting the others", () => {
    invalid(() => withReservation(emptyConcurrencySettings(), limits, "a", 16), /minimum value of \[5\]/);
    const one = withReservation(emptyConcurrencySettings(), limits, "a", 10);
    invalid(() => withReservation(one, limits, "b", 6), /minimum value of \[5\]/);
    // Replacing a function's own reservation does not count the old one.
    expect(withReservation(one, limits, "a", 15).reserved).toEqual({ a: 15 });
  });

  it("refuses a reservation below the function's provisioned concurrency", () => {
    const settings = withProvisioned(emptyConcurrencySettings(), limits, provisioned("a", "1", 3));
    invalid(() => withReservation(settings, limits, "a", 2), /lower than function's total provisioned concurrency \[3\]/);
    expect(withReservation(settings, limits, "a", 3).reserved).toEqual({ a: 3 });
  });

  it("does not change the settings it was given", () => {
    const before = emptyConcurrencySettings();
    withReservation(before, limits, "a", 3);
    expect(before).toEqual(emptyConcurrencySettings());
  });
});

describe("withProvisioned", () => {
  it("adds, replaces and removes a config", () => {
    const added = withProvisioned(emptyConcurrencySettings(), limits, provisioned("a", "1", 2));
    expect(added.provisioned[provisionedKey("a", "1")]).toMatchObject({ requested: 2 });
    const replaced = withProvisioned(added, limits, provisioned("a", "1", 4));
    expect(Object.values(replaced.provisioned).map((config) => config.requested)).toEqual([4]);
    const removed = withProvisioned(replaced, limits, { functionName: "a", qualifier: "1", requested: undefined });
    expect(removed.provisioned).toEqual({});
  });

  it("keeps a reserved function's provisioned total within its reservation", () => {
    const settings = withReservation(emptyConcurrencySettings(), limits, "a", 5);
    const first = withProvisioned(settings, limits, provisioned("a", "1", 3));
    invalid(() => withProvisioned(first, limits, provisioned("a", "prod", 3)), /reservedConcurrentExecution for function \[5\]/);
    expect(unreservedProvisioned(withProvisioned(first, limits, provisioned("a", "prod", 2)))).toBe(0);
  });

  it("takes unreserved functions' provisioned concurrency from the pool above its minimum", () => {
    const first = withProvisioned(emptyConcurrencySettings(), limits, provisioned("a", "1", 10));
    invalid(() => withProvisioned(first, limits, provisioned("b", "1", 6)), /at most 5 can be requested/);
    const second = withProvisioned(first, limits, provisioned("b", "1", 5));
    expect(unreservedProvisioned(second)).toBe(15);
  });
});

describe("withoutFunction", () => {
  const settings: ConcurrencySettings = {
    reserved: { a: 5, b: 2 },
    provisioned: {
      [provisionedKey("a", "1")]: provisioned("a", "1", 1),
      [provisionedKey("a", "prod")]: provisioned("a", "prod", 2),
      [provisionedKey("b", "1")]: provisioned("b", "1", 1),
    },
  };

  it("drops a function's reservation and every provisioned config", () => {
    const next = withoutFunction(settings, "a");
    expect(next.reserved).toEqual({ b: 2 });
    expect(Object.keys(next.provisioned)).toEqual([provisionedKey("b", "1")]);
  });

  it("with a qualifier drops only that version's or alias's config", () => {
    const next = withoutFunction(settings, "a", "prod");
    expect(next.reserved).toEqual({ a: 5, b: 2 });
    expect(Object.keys(next.provisioned).sort()).toEqual([provisionedKey("a", "1"), provisionedKey("b", "1")]);
  });

  it("answers the same settings when there is nothing to drop", () => {
    expect(withoutFunction(settings, "c")).toBe(settings);
    expect(withoutFunction(settings, "b", "prod")).toBe(settings);
  });
});

describe("decodeConcurrencySettings", () => {
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

  it("keeps well-formed entries, keyed as provisionedKey spells them, and leaves out the rest", () => {
    const decoded = decodeConcurrencySettings(
      encode({
        reserved: { a: 3, b: -1, c: 1.5, d: "2" },
        provisioned: {
          odd: provisioned("a", "1", 2),
          zero: provisioned("a", "2", 0),
          partial: { functionName: "a", qualifier: "3" },
        },
      }),
    );
    expect(decoded).toEqual({ reserved: { a: 3 }, provisioned: { [provisionedKey("a", "1")]: provisioned("a", "1", 2) } });
  });

  it("reads garbage as empty settings", () => {
    expect(decodeConcurrencySettings(new TextEncoder().encode("not json"))).toEqual(emptyConcurrencySettings());
    expect(decodeConcurrencySettings(encode([1, 2]))).toEqual(emptyConcurrencySettings());
  });
});

describe("ConcurrencyStore", () => {
  const bucket = useFunctionsBucket("concurrency-settings-test");
  const store = () => new ConcurrencyStore(bucket.kv, new ObservedWrites(bucket.kv, undefined));


  it("reads empty settings before the first write, then what was written", async () => {
    expect(await store().read()).toEqual(emptyConcurrencySettings());
    await store().update((current) => withReservation(current, limits, "a", 4));
    expect((await store().read()).reserved).toEqual({ a: 4 });
  });

  it("applies concurrent changes from several writers, each exactly once", async () => {
    await Promise.all(["b", "c", "d", "e"].map((name) => store().update((current) => withReservation(current, limits, name, 1))));
    expect((await store().read()).reserved).toEqual({ a: 4, b: 1, c: 1, d: 1, e: 1 });
  });

  it("checks the rules against the newest document, so racing writers cannot break them together", async () => {
    // Unreserved is 12 with a minimum of 5: each reservation of 7 fits alone, but only one of them can win.
    const results = await Promise.allSettled(["f", "g"].map((name) => store().update((current) => withReservation(current, limits, name, 7))));
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(unreservedConcurrency(await store().read(), limits)).toBe(5);
  });

  it("writes nothing when the change answers the current settings", async () => {
    const before = (await bucket.kv.get(CONCURRENCY_SETTINGS_KEY))!.revision;
    await store().update((current) => withoutFunction(current, "nobody"));
    expect((await bucket.kv.get(CONCURRENCY_SETTINGS_KEY))!.revision).toBe(before);
  });

  it("starts again from empty settings after the document was deleted", async () => {
    await bucket.kv.delete(CONCURRENCY_SETTINGS_KEY);
    expect(await store().read()).toEqual(emptyConcurrencySettings());
    await store().update((current) => withReservation(current, limits, "h", 2));
    expect((await store().read()).reserved).toEqual({ h: 2 });
  });
});

// eventually: what it resolves with, when it asks again, and how it fails. The deadlines that must pass
// are short; those that must not are long, so no assertion depends on the machine's speed.
import { describe, expect, it } from "vitest";
import { eventually } from "./eventually.js";

const PATIENT = { deadline: 30_000, message: "never held", interval: 1 };

/** A check that fails with each of `failures` in turn, then returns `value`. */
function failingThen<T>(failures: (() => unknown)[], value: T): { check: () => unknown; calls: () => number } {
  let calls = 0;
  return {
    check: () => {
      const failure = failures[calls++];
      return failure ? failure() : value;
    },
    calls: () => calls,
  };
}

describe("eventually", () => {
  it("resolves with the first truthy value, asking again while the check returns something falsy", async () => {
    const { check, calls } = failingThen([() => undefined, () => 0, () => "", () => false, () => null], { found: 1 });
    await expect(eventually(check, PATIENT)).resolves.toEqual({ found: 1 });
    expect(calls()).toBe(6);
  });

  it("asks again while the check throws or rejects, and awaits an async check", async () => {
    const { check, calls } = failingThen(
      [
        () => {
          throw new Error("not yet");
        },
        () => Promise.reject(new Error("still not")),
      ],
      Promise.resolve("ready"),
    );
    await expect(eventually(check, PATIENT)).resolves.toBe("ready");
    expect(calls()).toBe(3);
  });

  it("checks once when the condition already holds", async () => {
    const { check, calls } = failingThen([], true);
    await expect(eventually(check, PATIENT)).resolves.toBe(true);
    expect(calls()).toBe(1);
  });

  it("waits the interval between checks", async () => {
    const { check } = failingThen([() => false], "second");
    const started = performance.now();
    await expect(eventually(check, { ...PATIENT, interval: 200 })).resolves.toBe("second");
    // Timers never fire early; a slow machine only waits longer.
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
  });

  it("rejects with the message and the last error once the deadline passes", async () => {
    let calls = 0;
    const cause = new TypeError("the queue still holds 3");
    const failure = await eventually(
      () => {
        calls += 1;
        throw cause;
      },
      { deadline: 30, message: "the queue never drained", interval: 1 },
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/^the queue never drained \(gave up after 30 ms; last check threw TypeError: the queue still holds 3\)$/);
    expect((failure as Error).cause).toBe(cause);
    expect(calls).toBeGreaterThanOrEqual(1);
  });

  it("names the last falsy value when the check never held", async () => {
    await expect(eventually(() => 0, { deadline: 20, message: "nothing arrived" })).rejects.toThrow("nothing arrived (gave up after 20 ms; last check returned 0)");
    await expect(eventually(() => "", { deadline: 20, message: "no text" })).rejects.toThrow('last check returned "")');
  });

  it("does not wait past the deadline for a check that never settles", async () => {
    await expect(eventually(() => new Promise(() => undefined), { deadline: 20, message: "the answer never came" })).rejects.toThrow(
      "the answer never came (gave up after 20 ms; last check had not settled by the deadline)",
    );
  });

  it("refuses a deadline that is not positive and a negative interval", async () => {
    await expect(eventually(() => true, { deadline: 0, message: "x" })).rejects.toThrow(RangeError);
    await expect(eventually(() => true, { deadline: Number.NaN, message: "x" })).rejects.toThrow(RangeError);
    await expect(eventually(() => true, { deadline: 100, message: "x", interval: -1 })).rejects.toThrow(RangeError);
  });
});

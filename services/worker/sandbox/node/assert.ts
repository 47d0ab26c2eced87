// `assert` and `assert/strict`: the assertions Node code and tests use, throwing AssertionError with
// Node's code and fields.
import { inspect } from "../inspect.js";
import { isDeepEqual } from "./deep-equal.js";

export class AssertionError extends Error {
  readonly code = "ERR_ASSERTION";
  readonly generatedMessage: boolean;
  readonly actual: unknown;
  readonly expected: unknown;
  readonly operator: string;
  constructor(options: { message?: string | Error; actual?: unknown; expected?: unknown; operator?: string }) {
    const generated = options.message === undefined;
    super(generated ? `${inspect(options.actual)} ${options.operator ?? "=="} ${inspect(options.expected)}` : String(options.message));
    this.name = "AssertionError";
    this.generatedMessage = generated;
    this.actual = options.actual;
    this.expected = options.expected;
    this.operator = options.operator ?? "==";
  }
}

function fail(actual: unknown, expected: unknown, message: string | Error | undefined, operator: string, defaultMessage?: string): never {
  if (message instanceof Error) throw message;
  throw new AssertionError({ message: message ?? defaultMessage, actual, expected, operator });
}

function matchesError(error: unknown, expected: unknown): boolean {
  if (expected === undefined) return true;
  if (expected instanceof RegExp) return expected.test(String(error instanceof Error ? error.message : error)) || expected.test(String(error));
  if (typeof expected === "function") {
    if ((expected as { prototype?: unknown }).prototype !== undefined && error instanceof (expected as new () => unknown)) return true;
    if (Object.prototype.isPrototypeOf.call(Error, expected) || expected === Error) return false;
    return (expected as (error: unknown) => unknown)(error) === true;
  }
  if (typeof expected === "object" && expected !== null) {
    return Object.keys(expected).every((key) => {
      const want = (expected as Record<string, unknown>)[key];
      const got = (error as Record<string, unknown>)?.[key];
      return want instanceof RegExp && typeof got === "string" ? want.test(got) : isDeepEqual(got, want, true);
    });
  }
  return true;
}

export function createAssert(strict: boolean): Record<string, unknown> {
  const ok = (value: unknown, message?: string | Error): void => {
    if (!value) fail(value, true, message, "==", value === undefined ? "No value argument passed to `assert.ok()`" : "The expression evaluated to a falsy value");
  };
  const strictEqual = (actual: unknown, expected: unknown, message?: string | Error): void => {
    if (!Object.is(actual, expected)) fail(actual, expected, message, "strictEqual", `Expected values to be strictly equal:\n\n${inspect(actual)} !== ${inspect(expected)}`);
  };
  const notStrictEqual = (actual: unknown, expected: unknown, message?: string | Error): void => {
    if (Object.is(actual, expected)) fail(actual, expected, message, "notStrictEqual", `Expected "actual" to be strictly unequal to: ${inspect(expected)}`);
  };
  const deepStrictEqual = (actual: unknown, expected: unknown, message?: string | Error): void => {
    if (!isDeepEqual(actual, expected, true)) fail(actual, expected, message, "deepStrictEqual", `Expected values to be strictly deep-equal:\n${inspect(actual)}\n\nshould equal\n\n${inspect(expected)}`);
  };
  const notDeepStrictEqual = (actual: unknown, expected: unknown, message?: string | Error): void => {
    if (isDeepEqual(actual, expected, true)) fail(actual, expected, message, "notDeepStrictEqual", `Expected "actual" not to be strictly deep-equal to: ${inspect(expected)}`);
  };
  const equal = (actual: unknown, expected: unknown, message?: string | Error): void => {
    if (!(actual == expected || (Number.isNaN(actual) && Number.isNaN(expected)))) fail(actual, expected, message, "==");
  };
  const notEqual = (actual: unknown, expected: unknown, message?: string | Error): void => {
    if (actual == expected) fail(actual, expected, message, "!=");
  };
  const deepEqual = (actual: unknown, expected: unknown, message?: string | Error): void => {
    if (!isDeepEqual(actual, expected, false)) fail(actual, expected, message, "deepEqual");
  };
  const notDeepEqual = (actual: unknown, expected: unknown, message?: string | Error): void => {
    if (isDeepEqual(actual, expected, false)) fail(actual, expected, message, "notDeepEqual");
  };
  const throws = (fn: () => unknown, expected?: unknown, message?: string | Error): void => {
    if (typeof expected === "string") [message, expected] = [expected, undefined];
    try {
      fn();
    } catch (error) {
      if (!matchesError(error, expected)) throw error;
      return;
    }
    fail(undefined, expected, message, "throws", "Missing expected exception.");
  };
  const doesNotThrow = (fn: () => unknown, message?: string | Error): void => {
    try {
      fn();
    } catch (error) {
      fail(error, undefined, typeof message === "string" || message instanceof Error ? message : undefined, "doesNotThrow", `Got unwanted exception.\nActual message: "${error instanceof Error ? error.message : String(error)}"`);
    }
  };
  const rejects = async (promiseOrFn: unknown, expected?: unknown, message?: string | Error): Promise<void> => {
    if (typeof expected === "string") [message, expected] = [expected, undefined];
    try {
      await (typeof promiseOrFn === "function" ? (promiseOrFn as () => Promise<unknown>)() : promiseOrFn);
    } catch (error) {
      if (!matchesError(error, expected)) throw error;
      return;
    }
    fail(undefined, expected, message, "rejects", "Missing expected rejection.");
  };
  const doesNotReject = async (promiseOrFn: unknown, message?: string | Error): Promise<void> => {
    try {
      await (typeof promiseOrFn === "function" ? (promiseOrFn as () => Promise<unknown>)() : promiseOrFn);
    } catch (error) {
      fail(error, undefined, message, "doesNotReject", "Got unwanted rejection.");
    }
  };
  const match = (text: string, pattern: RegExp, message?: string | Error): void => {
    if (!pattern.test(text)) fail(text, pattern, message, "match", `The input did not match the regular expression ${String(pattern)}. Input:\n\n${inspect(text)}\n`);
  };
  const doesNotMatch = (text: string, pattern: RegExp, message?: string | Error): void => {
    if (pattern.test(text)) fail(text, pattern, message, "doesNotMatch");
  };
  const ifError = (value: unknown): void => {
    if (value !== null && value !== undefined) throw value instanceof Error ? value : new AssertionError({ message: `ifError got unwanted exception: ${inspect(value)}`, actual: value, expected: null, operator: "ifError" });
  };
  const assert = Object.assign((value: unknown, message?: string | Error) => ok(value, message), {
    ok,
    fail: (message?: string | Error) => fail(undefined, undefined, message, "fail", "Failed"),
    equal: strict ? strictEqual : equal,
    notEqual: strict ? notStrictEqual : notEqual,
    deepEqual: strict ? deepStrictEqual : deepEqual,
    notDeepEqual: strict ? notDeepStrictEqual : notDeepEqual,
    strictEqual,
    notStrictEqual,
    deepStrictEqual,
    notDeepStrictEqual,
    throws,
    doesNotThrow,
    rejects,
    doesNotReject,
    match,
    doesNotMatch,
    ifError,
    AssertionError,
  }) as unknown as Record<string, unknown>;
  return assert;
}

/** `assert` with `assert.strict` (and `assert/strict`) beside it, as Node exports them. */
export function createAssertModule(): { assert: Record<string, unknown>; strict: Record<string, unknown> } {
  const loose = createAssert(false);
  const strict = createAssert(true);
  loose["strict"] = strict;
  strict["strict"] = strict;
  return { assert: loose, strict };
}

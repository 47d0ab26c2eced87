import { describe, expect, it } from "vitest";
import { evaluateIntrinsic, parseIntrinsic } from "./intrinsics.js";
import type { Json } from "./json.js";
import { StatesError } from "./states-error.js";

const run = (text: string, input: Json = {}, context: Json = {}): Json => evaluateIntrinsic(parseIntrinsic(text), input, context);

// The examples of the developer guide's intrinsic functions page.
describe("intrinsic functions", () => {
  it("formats strings, with escapes", () => {
    expect(run("States.Format('Hello, my name is {}.', $.name)", { name: "Arnav" })).toBe("Hello, my name is Arnav.");
    expect(run("States.Format('Welcome to {} {}\\'s playlist.', $.firstName, $.lastName)", { firstName: "John", lastName: "Doe" })).toBe("Welcome to John Doe's playlist.");
    expect(run("States.Format('braces \\{\\} and {}', 1)")).toBe("braces {} and 1");
  });

  it("converts JSON to and from strings", () => {
    expect(run("States.StringToJson($.escapedJsonString)", { escapedJsonString: '{"foo": "bar"}' })).toEqual({ foo: "bar" });
    expect(run("States.JsonToString($.unescapedJson)", { unescapedJson: { foo: "bar" } })).toBe('{"foo":"bar"}');
  });

  it("builds and reads arrays", () => {
    expect(run("States.Array('Foo', 2020, $.someJson, null)", { someJson: { random: "abcdefg" } })).toEqual(["Foo", 2020, { random: "abcdefg" }, null]);
    expect(run("States.ArrayPartition($.inputArray, 4)", { inputArray: [1, 2, 3, 4, 5, 6, 7, 8, 9] })).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [9]]);
    expect(run("States.ArrayContains($.inputArray, $.lookingFor)", { inputArray: [1, 2, 3, 4, 5, 6, 7, 8, 9], lookingFor: 5 })).toBe(true);
    expect(run("States.ArrayRange(1, 9, 2)")).toEqual([1, 3, 5, 7, 9]);
    expect(run("States.ArrayGetItem($.inputArray, $.index)", { inputArray: [1, 2, 3, 4, 5, 6, 7, 8, 9], index: 5 })).toBe(6);
    expect(run("States.ArrayLength($.inputArray)", { inputArray: [1, 2, 3, 4, 5, 6, 7, 8, 9] })).toBe(9);
    expect(run("States.ArrayUnique($.inputArray)", { inputArray: [1, 2, 3, 3, 3, 3, 3, 3, 4] })).toEqual([1, 2, 3, 4]);
  });

  it("encodes, decodes and hashes", () => {
    expect(run("States.Base64Encode($.input)", { input: "Data to encode" })).toBe("RGF0YSB0byBlbmNvZGU=");
    expect(run("States.Base64Decode($.base64)", { base64: "RGF0YSB0byBlbmNvZGU=" })).toBe("Data to encode");
    expect(run("States.Hash($.Data, $.Algorithm)", { Data: "input data", Algorithm: "SHA-1" })).toBe("aaff4a450a104cd177d28d18d74485e8cae074b7");
  });

  it("merges objects shallowly", () => {
    const input = { json1: { a: { a1: 1, a2: 2 }, b: 2 }, json2: { a: { a3: 1, a4: 2 }, c: 3 } };
    expect(run("States.JsonMerge($.json1, $.json2, false)", input)).toEqual({ a: { a3: 1, a4: 2 }, b: 2, c: 3 });
    expect(() => run("States.JsonMerge($.json1, $.json2, true)", input)).toThrow(StatesError);
  });

  it("does arithmetic, random numbers and UUIDs", () => {
    expect(run("States.MathAdd($.value1, $.step)", { value1: 111, step: -1 })).toBe(110);
    const random = run("States.MathRandom($.start, $.end)", { start: 1, end: 999 }) as number;
    expect(random).toBeGreaterThanOrEqual(1);
    expect(random).toBeLessThan(999);
    expect(run("States.UUID()")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("splits strings", () => {
    expect(run("States.StringSplit($.inputString, $.splitter)", { inputString: "1,2,3,4,5", splitter: "," })).toEqual(["1", "2", "3", "4", "5"]);
    expect(run("States.StringSplit($.inputString, $.splitter)", { inputString: "This.is+a,test=string", splitter: ".+,=" })).toEqual(["This", "is", "a", "test", "string"]);
  });

  it("nests calls and reads the context object", () => {
    expect(run("States.ArrayLength(States.StringSplit($$.Execution.Name, '-'))", {}, { Execution: { Name: "a-b-c" } })).toBe(3);
  });

  it("refuses unknown functions and wrong arities when parsed", () => {
    expect(() => parseIntrinsic("States.Nope(1)")).toThrow(/not an intrinsic function/);
    expect(() => parseIntrinsic("States.ArrayLength(1, 2)")).toThrow(/takes 1 arguments/);
    expect(() => parseIntrinsic("States.Format('x'")).toThrow();
  });

  it("fails with States.IntrinsicFailure on bad arguments", () => {
    expect(() => run("States.ArrayGetItem($.a, 3)", { a: [1] })).toThrow(expect.objectContaining({ error: "States.IntrinsicFailure" }));
    expect(() => run("States.StringToJson('{')")).toThrow(expect.objectContaining({ error: "States.IntrinsicFailure" }));
  });
});

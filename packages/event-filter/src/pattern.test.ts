import { describe, expect, it } from "vitest";
import { FilterPatternError, compilePattern, matchesAny, matchesPattern } from "./pattern.js";
import { queueRecordView, streamRecordView } from "./record-views.js";

const matches = (pattern: unknown, record: unknown) => matchesPattern(compilePattern(JSON.stringify(pattern)), record);

describe("filter patterns", () => {
  it("match exact values, any of several (OR), and every field named (AND)", () => {
    expect(matches({ body: { kind: ["order"] } }, { body: { kind: "order" } })).toBe(true);
    expect(matches({ body: { kind: ["order"] } }, { body: { kind: "refund" } })).toBe(false);
    expect(matches({ body: { kind: ["order", "refund"] } }, { body: { kind: "refund" } })).toBe(true);
    expect(matches({ body: { kind: ["order"], region: ["eu"] } }, { body: { kind: "order", region: "us" } })).toBe(false);
    expect(matches({ count: [5] }, { count: 5 })).toBe(true);
    expect(matches({ count: [5] }, { count: "5" })).toBe(false);
    expect(matches({ flag: [true], gone: [null], empty: [""] }, { flag: true, gone: null, empty: "" })).toBe(true);
  });

  it("match prefixes, suffixes and values ignoring case", () => {
    expect(matches({ id: [{ prefix: "us-" }] }, { id: "us-1" })).toBe(true);
    expect(matches({ id: [{ prefix: "us-" }] }, { id: "eu-1" })).toBe(false);
    expect(matches({ file: [{ suffix: ".png" }] }, { file: "a.png" })).toBe(true);
    expect(matches({ file: [{ suffix: { "equals-ignore-case": ".PNG" } }] }, { file: "a.png" })).toBe(true);
    expect(matches({ name: [{ "equals-ignore-case": "ADA" }] }, { name: "ada" })).toBe(true);
  });

  it("match numeric comparisons and ranges", () => {
    const range = { n: [{ numeric: [">=", 100, "<", 200] }] };
    expect([99, 100, 199, 200].map((n) => matches(range, { n }))).toEqual([false, true, true, false]);
    expect(matches({ n: [{ numeric: ["=", 3] }] }, { n: 3 })).toBe(true);
    expect(matches({ n: [{ numeric: [">", 0] }] }, { n: "1" })).toBe(false);
  });

  it("match anything but values, prefixes or suffixes; a missing field is not anything", () => {
    const pattern = { state: [{ "anything-but": ["done", "lost"] }] };
    expect(matches(pattern, { state: "open" })).toBe(true);
    expect(matches(pattern, { state: "done" })).toBe(false);
    expect(matches(pattern, {})).toBe(false);
    expect(matches({ id: [{ "anything-but": { prefix: "test-" } }] }, { id: "prod-1" })).toBe(true);
    expect(matches({ id: [{ "anything-but": { prefix: "test-" } }] }, { id: "test-1" })).toBe(false);
    expect(matches({ n: [{ "anything-but": 3 }] }, { n: 4 })).toBe(true);
  });

  it("match on whether a field exists", () => {
    expect(matches({ body: { trace: [{ exists: true }] } }, { body: { trace: "x" } })).toBe(true);
    expect(matches({ body: { trace: [{ exists: true }] } }, { body: {} })).toBe(false);
    expect(matches({ body: { trace: [{ exists: false }] } }, { body: {} })).toBe(true);
    expect(matches({ body: { trace: [{ exists: false }] } }, { body: "plain" })).toBe(true);
  });

  it("match a list field by any of its items, and $or alternatives", () => {
    expect(matches({ tags: ["red"] }, { tags: ["blue", "red"] })).toBe(true);
    const either = { $or: [{ kind: ["a"] }, { size: [{ numeric: [">", 10] }] }] };
    expect(matches(either, { kind: "b", size: 11 })).toBe(true);
    expect(matches(either, { kind: "b", size: 1 })).toBe(false);
  });

  it("let a record through when any of a mapping's filters matches, or when there are none", () => {
    const filters = [compilePattern('{"a":["1"]}'), compilePattern('{"b":["2"]}')];
    expect(matchesAny(filters, { b: "2" })).toBe(true);
    expect(matchesAny(filters, { c: "3" })).toBe(false);
    expect(matchesAny([], { c: "3" })).toBe(true);
  });

  it.each([
    "not json",
    "[]",
    '{"a": "x"}',
    '{"a": []}',
    '{"a": {}}',
    '{"a": [{"unknown": 1}]}',
    '{"a": [{"prefix": 1}]}',
    '{"a": [{"numeric": [">", "1"]}]}',
    '{"a": [{"numeric": ["<", 5, ">", 1]}]}',
    '{"a": [{"exists": "yes"}]}',
    '{"a": [{"prefix": "x", "suffix": "y"}]}',
    '{"$or": [{"a": ["1"]}]}',
  ])("refuse %s in Lambda's words", (pattern) => {
    expect(() => compilePattern(pattern)).toThrow(FilterPatternError);
    expect(() => compilePattern(pattern)).toThrow("Invalid filter pattern definition.");
  });
});

describe("record views", () => {
  it("read a queue record's body and a stream record's data as JSON when they are JSON", () => {
    expect(queueRecordView({ messageId: "m", body: '{"kind":"order"}' })).toEqual({ messageId: "m", body: { kind: "order" } });
    expect(queueRecordView({ body: "plain" })).toEqual({ body: "plain" });
    expect(streamRecordView(new TextEncoder().encode('{"t":21}'))).toEqual({ data: { t: 21 } });
    expect(matches({ body: ["plain"] }, queueRecordView({ body: "plain" }))).toBe(true);
    expect(matches({ body: { kind: ["order"] } }, queueRecordView({ body: "plain" }))).toBe(false);
  });
});

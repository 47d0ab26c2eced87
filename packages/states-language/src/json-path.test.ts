import { describe, expect, it } from "vitest";
import { parseJsonPath, parseReferencePath, readPath, writeReferencePath } from "./json-path.js";
import type { Json } from "./json.js";

const read = (path: string, input: Json, context: Json = {}) => readPath(parseJsonPath(path), input, context);
const store: Json = { store: { book: [{ category: "reference", author: "Nigel Rees", price: 8.95 }, { category: "fiction", author: "Evelyn Waugh", price: 12.99 }, { category: "fiction", author: "J. R. R. Tolkien", price: 22.99, isbn: "0-395" }], bicycle: { color: "red", price: 19.95 } } };

describe("JSONPath", () => {
  it("reads definite paths: names, quoted names, indexes from either end", () => {
    expect(read("$", 1)).toEqual({ found: true, value: 1 });
    expect(read("$.store.bicycle.color", store)).toEqual({ found: true, value: "red" });
    expect(read("$['store']['bicycle']['color']", store)).toEqual({ found: true, value: "red" });
    expect(read("$.store.book[1].author", store)).toEqual({ found: true, value: "Evelyn Waugh" });
    expect(read("$.store.book[-1].price", store)).toEqual({ found: true, value: 22.99 });
    expect(read("$.store.missing", store)).toEqual({ found: false });
    expect(read("$$.Execution.Id", {}, { Execution: { Id: "x" } })).toEqual({ found: true, value: "x" });
  });

  it("reads indefinite paths as lists: wildcards, slices, unions, deep scan, filters", () => {
    expect(read("$.store.book[*].author", store)).toEqual({ found: true, value: ["Nigel Rees", "Evelyn Waugh", "J. R. R. Tolkien"] });
    expect(read("$.store.book[0:2].price", store)).toEqual({ found: true, value: [8.95, 12.99] });
    expect(read("$.store.book[0,2].price", store)).toEqual({ found: true, value: [8.95, 22.99] });
    expect(read("$..price", store)).toEqual({ found: true, value: [8.95, 12.99, 22.99, 19.95] });
    expect(read("$.store.book[?(@.price < 10)].author", store)).toEqual({ found: true, value: ["Nigel Rees"] });
    expect(read("$.store.book[?(@.isbn)].author", store)).toEqual({ found: true, value: ["J. R. R. Tolkien"] });
    expect(read("$.store.book[?(@.category == 'fiction' && @.price > 20)].author", store)).toEqual({ found: true, value: ["J. R. R. Tolkien"] });
    expect(read("$.store.*.color", store)).toEqual({ found: true, value: ["red"] });
  });

  it("refuses what is not a path", () => {
    expect(() => parseJsonPath("store")).toThrow();
    expect(() => parseJsonPath("$.a[")).toThrow();
    expect(() => parseReferencePath("$.a[*]")).toThrow();
    expect(() => parseReferencePath("$$.Execution")).toThrow();
  });

  it("writes at reference paths, making missing objects, without changing the input", () => {
    const input = { comment: "c", details: "d" };
    expect(writeReferencePath(parseReferencePath("$.taskresult"), input, "Hello")).toEqual({ comment: "c", details: "d", taskresult: "Hello" });
    expect(writeReferencePath(parseReferencePath("$.a.b"), input, 1)).toEqual({ comment: "c", details: "d", a: { b: 1 } });
    expect(writeReferencePath(parseReferencePath("$"), input, 1)).toBe(1);
    expect(input).toEqual({ comment: "c", details: "d" });
    expect(() => writeReferencePath(parseReferencePath("$.comment.x"), input, 1)).toThrow();
  });
});

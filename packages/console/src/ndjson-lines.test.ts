// NDJSON in pieces: a line split across chunks is kept until its newline comes.
import { describe, expect, it } from "vitest";
import { splitLines } from "./ndjson-lines.js";

describe("splitLines", () => {
  it("gives whole lines and keeps the unfinished rest", () => {
    const first = splitLines("", '{"a":1}\n{"b":');
    expect(first).toEqual({ lines: ['{"a":1}'], rest: '{"b":' });
    const second = splitLines(first.rest, '2}\n\n{"c":3}\n');
    expect(second).toEqual({ lines: ['{"b":2}', '{"c":3}'], rest: "" });
    expect(splitLines("", "no newline yet")).toEqual({ lines: [], rest: "no newline yet" });
  });
});

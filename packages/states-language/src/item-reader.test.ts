import { describe, expect, it } from "vitest";
import { parseItems } from "./item-reader.js";
import { StatesError } from "./states-error.js";

const failure = (run: () => unknown): StatesError => {
  try {
    run();
  } catch (error) {
    if (error instanceof StatesError) return error;
    throw error;
  }
  throw new Error("expected a StatesError");
};

describe("parseItems", () => {
  it("reads a JSON array, cut to MaxItems", () => {
    expect(parseItems("[1, 2, 3]", "JSON", 0)).toEqual([1, 2, 3]);
    expect(parseItems("[1, 2, 3]", "JSON", 2)).toEqual([1, 2]);
  });

  it("reads JSON Lines, skipping blank lines", () => {
    expect(parseItems('{"a":1}\r\n\n[2]\n"three"\n', "JSONL", 0)).toEqual([{ a: 1 }, [2], "three"]);
  });

  it("reads CSV with quoted fields, doubled quotes and line breaks inside quotes", () => {
    const text = 'id,note\n1,"a, b"\n2,"say ""hi"""\n3,"two\nlines"\n\n4,\n';
    expect(parseItems(text, "CSV", 0)).toEqual([
      { id: "1", note: "a, b" },
      { id: "2", note: 'say "hi"' },
      { id: "3", note: "two\nlines" },
      { id: "4", note: "" },
    ]);
  });

  it("names CSV fields from the definition's headers when it gives them", () => {
    expect(parseItems("1,x\n2,y", "CSV", 0, ["n", "letter"])).toEqual([
      { n: "1", letter: "x" },
      { n: "2", letter: "y" },
    ]);
  });

  it("fails with States.ItemReaderFailed on what it cannot read", () => {
    for (const [text, type] of [
      ["{}", "JSON"],
      ["[1,", "JSON"],
      ["{}\nnot json", "JSONL"],
      ['a\n"open', "CSV"],
      ["a\n1,2", "CSV"],
      ["x", "PARQUET"],
    ] as const) {
      expect(failure(() => parseItems(text, type, 0)).error, `${type}: ${text}`).toBe("States.ItemReaderFailed");
    }
  });
});

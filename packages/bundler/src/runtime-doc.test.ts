// docs/runtime.md's table of Node.js built-ins and the list the bundler allows must agree.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ISOLATE_BUILTINS } from "./isolate-builtins.js";

const rows = readFileSync(new URL("../../../docs/runtime.md", import.meta.url), "utf8")
  .split("## Node.js built-in modules")[1]!
  .split("\n## ")[0]!
  .split("\n")
  .map((line) => /^\| ((?:`[a-z_/0-9]+`(?:, )?)+) \| (yes|no) \|/.exec(line))
  .filter((match): match is RegExpExecArray => match !== null)
  .flatMap((match) => [...match[1]!.matchAll(/`([^`]+)`/g)].map((name) => ({ name: name[1]!, offered: match[2] === "yes" })));

describe("docs/runtime.md built-in modules", () => {
  it("has a table", () => {
    expect(rows.length).toBeGreaterThan(10);
  });

  it("marks exactly the isolate's built-ins as offered", () => {
    expect(rows.filter((row) => row.offered).map((row) => row.name).sort()).toEqual([...ISOLATE_BUILTINS].sort());
  });

  it("lists each module once", () => {
    expect(new Set(rows.map((row) => row.name)).size).toBe(rows.length);
  });
});

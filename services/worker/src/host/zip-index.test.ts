import { strToU8, unzipSync, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { packageTree } from "./package-files.js";
import { readZipIndex } from "./zip-index.js";

const text = (data: Uint8Array | undefined): string => new TextDecoder().decode(data);

describe("readZipIndex", () => {
  it("lists every entry and inflates each to what fflate unzips, stored or deflated", () => {
    const zip = zipSync({
      "index.mjs": [strToU8("export const handler = () => 1;".repeat(50)), { level: 9 }],
      "data/raw.bin": [new Uint8Array([0, 1, 2, 255]), { level: 0 }],
      "data/ünïcode.txt": strToU8("names in UTF-8"),
      "empty.txt": new Uint8Array(0),
    });
    const entries = readZipIndex(zip)!;
    const expected = unzipSync(zip);
    expect(entries.map((entry) => entry.name).sort()).toEqual(Object.keys(expected).sort());
    for (const entry of entries) {
      expect(entry.read(), entry.name).toEqual(expected[entry.name]);
      expect(entry.size).toBe(expected[entry.name]!.length);
    }
  });

  it("answers undefined for bytes that are not a zip and for a truncated one", () => {
    expect(readZipIndex(strToU8("not a zip at all, just some text"))).toBeUndefined();
    const zip = zipSync({ "a.txt": strToU8("a".repeat(1000)) });
    expect(readZipIndex(zip.subarray(20))).toBeUndefined();
  });
});

describe("packageTree", () => {
  it("inflates a file when it is first read and gives the same bytes on the next read", () => {
    const tree = packageTree(zipSync({ "lib/a.js": strToU8("module.exports = 1"), "b.txt": strToU8("bee") }));
    expect(tree.files.has("lib/a.js")).toBe(true);
    expect(tree.files.has("lib")).toBe(false);
    expect([...tree.directories.get("")!]).toEqual(["b.txt", "lib"]);
    const first = tree.files.get("b.txt");
    expect(text(first)).toBe("bee");
    expect(tree.files.get("b.txt")).toBe(first);
    expect(tree.files.get("missing.txt")).toBeUndefined();
  });
});

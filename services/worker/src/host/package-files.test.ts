import { describe, expect, it } from "vitest";
import { strToU8, zipSync } from "fflate";
import { mergeTrees, packageTree } from "./package-files.js";

describe("packageTree", () => {
  it("lists every directory of a deep file in its parent, though the zip names no directories", () => {
    const tree = packageTree(zipSync({ "nodejs/node_modules/greeter/lib/index.js": strToU8("x"), "data/a.json": strToU8("{}") }));
    expect([...tree.directories.get("")!]).toEqual(["data", "nodejs"]);
    expect([...tree.directories.get("nodejs")!]).toEqual(["node_modules"]);
    expect([...tree.directories.get("nodejs/node_modules")!]).toEqual(["greeter"]);
    expect([...tree.directories.get("nodejs/node_modules/greeter/lib")!]).toEqual(["index.js"]);
  });
});

describe("mergeTrees", () => {
  it("lays later layers over earlier ones: a file of the same path is the later one's, directories are joined", () => {
    const first = packageTree(zipSync({ "nodejs/a.js": strToU8("first"), "shared.txt": strToU8("first") }));
    const second = packageTree(zipSync({ "nodejs/b.js": strToU8("second"), "shared.txt": strToU8("second") }));
    const merged = mergeTrees([first, second]);
    expect(new TextDecoder().decode(merged.files.get("shared.txt"))).toBe("second");
    expect([...merged.directories.get("nodejs")!]).toEqual(["a.js", "b.js"]);
    expect(merged.bytes).toBe("first".length + "second".length * 2);
  });
});

// The code tab's packages: a single source file is editable, anything else is listed; a saved file zips alone.
import { describe, expect, it } from "vitest";
import { strToU8, unzipSync, zipSync } from "fflate";
import { languageOf, packageContents, zipOneFile } from "./code-package.js";

describe("a function's package", () => {
  it("is single-file when it holds one source file and nothing else", () => {
    expect(packageContents(zipSync({ "index.js": strToU8("exports.handler = 1;") }))).toEqual({ kind: "single-file", fileName: "index.js", text: "exports.handler = 1;" });
    expect(packageContents(zipSync({ "src/app.py": strToU8("def handler(e, c): pass") }))).toMatchObject({ kind: "single-file", fileName: "src/app.py" });
    expect(packageContents(zipSync({ "index.js": strToU8(""), "data.json": strToU8("{}") }))).toEqual({ kind: "other", fileNames: ["data.json", "index.js"] });
    expect(packageContents(zipSync({ "README.md": strToU8("hi") }))).toEqual({ kind: "other", fileNames: ["README.md"] });
  });

  it("zips an edited file alone, under its own name", () => {
    const zip = Uint8Array.from(atob(zipOneFile("index.mjs", "export const handler = () => 'é';")), (char) => char.charCodeAt(0));
    const files = unzipSync(zip);
    expect(Object.keys(files)).toEqual(["index.mjs"]);
    expect(new TextDecoder().decode(files["index.mjs"])).toBe("export const handler = () => 'é';");
    expect(languageOf("index.mjs")).toBe("javascript");
    expect(languageOf("lambda_function.py")).toBe("python");
  });
});

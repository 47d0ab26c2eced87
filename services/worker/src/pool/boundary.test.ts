// What crosses from the host into the isolate names none of the worker's files.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { hostErrorData, withoutHostPaths } from "./boundary.js";

const here = fileURLToPath(import.meta.url);

describe("withoutHostPaths", () => {
  it("takes the worker's files and Node's internals out of a message, plain or as URLs", () => {
    expect(withoutHostPaths(`ENOENT: no such file or directory, open '${here}'`)).toBe("ENOENT: no such file or directory, open '<worker file>'");
    expect(withoutHostPaths(`at run (file://${here}:3:4) at node:internal/fs/utils:12:1`)).toBe("at run (<worker file>:3:4) at <worker file>:12:1");
  });

  it("leaves the function's own paths alone", () => {
    const text = "ENOENT: no such file or directory, open '/var/task/node_modules/x/index.js' or '/tmp/a' at file:///var/runtime/index.js:1:2";
    expect(withoutHostPaths(text)).toBe(text);
  });

  it("is applied to every host error sent into the isolate as data", () => {
    expect(hostErrorData(Object.assign(new Error(`cannot read ${here}`), { code: "EIO" }))).toEqual({ name: "Error", message: "cannot read <worker file>", code: "EIO" });
  });
});

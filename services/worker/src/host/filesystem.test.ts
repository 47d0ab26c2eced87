import { describe, expect, it } from "vitest";
import { zipSync } from "fflate";
import { EnvironmentFiles, type FsResult } from "./filesystem.js";
import { packageTree } from "./package-files.js";

const text = (value: string) => new TextEncoder().encode(value);
const pkg = packageTree(zipSync({ "index.js": text("x"), "lib/util.js": text("y"), "lib/deep/a.txt": text("z") }));

function files(limitBytes = 1024): EnvironmentFiles & { ok(op: string, ...args: unknown[]): unknown; code(op: string, ...args: unknown[]): string } {
  const fs = new EnvironmentFiles(pkg, limitBytes);
  return Object.assign(fs, {
    ok(op: string, ...args: unknown[]): unknown {
      const result: FsResult = fs.call(op, args);
      if (!result.ok) throw new Error(`${op} failed with ${result.error.code}`);
      return result.value;
    },
    code(op: string, ...args: unknown[]): string {
      const result = fs.call(op, args);
      return result.ok ? "ok" : result.error.code;
    },
  });
}

describe("EnvironmentFiles", () => {
  it("serves the package's tree read-only, relative paths against /var/task", () => {
    const fs = files();
    expect(new TextDecoder().decode(fs.ok("readFile", "lib/util.js") as Uint8Array)).toBe("y");
    expect(fs.ok("readdir", "/var/task")).toEqual(["index.js", "lib"]);
    expect(fs.ok("readdir", "/var/task/lib")).toEqual(["deep", "util.js"]);
    expect(fs.ok("stat", "/var/task/lib")).toMatchObject({ type: "directory", writable: false });
    expect(fs.code("writeFile", "/var/task/new.txt", text("n"), false)).toBe("EROFS");
    expect(fs.code("unlink", "/var/task/index.js")).toBe("EROFS");
    expect(fs.code("readFile", "../../etc/passwd")).toBe("ENOENT");
    expect(fs.code("writeFile", "/home/x", text("n"), false)).toBe("EACCES");
  });

  it("keeps /tmp within its limit and gives space back on delete", () => {
    const fs = files(10);
    fs.ok("writeFile", "/tmp/a", text("12345"), false);
    fs.ok("writeFile", "/tmp/a", text("678"), true);
    expect(fs.tmpBytes).toBe(8);
    expect(fs.code("writeFile", "/tmp/b", text("123"), false)).toBe("ENOSPC");
    fs.ok("unlink", "/tmp/a");
    expect(fs.tmpBytes).toBe(0);
    fs.ok("writeFile", "/tmp/b", text("123"), false);
  });

  it("handles directories like Node: ENOENT parents, ENOTEMPTY, recursive rm, rename", () => {
    const fs = files();
    expect(fs.code("writeFile", "/tmp/d/x", text("1"), false)).toBe("ENOENT");
    expect(fs.ok("mkdir", "/tmp/d/e", true)).toBe("/tmp/d");
    fs.ok("writeFile", "/tmp/d/e/x", text("1"), false);
    expect(fs.code("mkdir", "/tmp/d", false)).toBe("EEXIST");
    expect(fs.code("rmdir", "/tmp/d", false)).toBe("ENOTEMPTY");
    fs.ok("rename", "/tmp/d/e/x", "/tmp/y");
    expect(fs.ok("readdir", "/tmp")).toEqual(["d", "y"]);
    fs.ok("rm", "/tmp/d", true, false);
    expect(fs.code("stat", "/tmp/d/e")).toBe("ENOENT");
    expect(fs.code("rm", "/tmp/missing", false, true)).toBe("ok");
  });
});

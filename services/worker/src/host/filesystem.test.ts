import { describe, expect, it } from "vitest";
import { zipSync } from "fflate";
import { MAX_HOST_CALL_BYTES, MAX_TMP_ENTRIES, READDIR_PAGE_ENTRIES, TMP_CHUNK_OVERHEAD_BYTES, TMP_ENTRY_OVERHEAD_BYTES } from "../limits.js";
import { EnvironmentFiles, type FsListing, type FsRead, type FsResult, type StorageMeter } from "./filesystem.js";
import { packageTree } from "./package-files.js";

const text = (value: string) => new TextEncoder().encode(value);
const pkg = packageTree(zipSync({ "index.js": text("x"), "lib/util.js": text("y"), "lib/deep/a.txt": text("z") }));
const MB = 1024 * 1024;

/** What an entry at `path` (below /tmp) holding `data` bytes in `pieces` pieces costs /tmp. */
const cost = (path: string, data = 0, pieces = data > 0 ? 1 : 0) => Buffer.byteLength(path) + TMP_ENTRY_OVERHEAD_BYTES + data + pieces * TMP_CHUNK_OVERHEAD_BYTES;

function files(limitBytes = 64 * 1024, meter?: StorageMeter): EnvironmentFiles & { ok(op: string, ...args: unknown[]): unknown; code(op: string, ...args: unknown[]): string } {
  const fs = new EnvironmentFiles(pkg, limitBytes, meter);
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

const names = (listing: unknown) => (listing as FsListing).names;

describe("EnvironmentFiles", () => {
  it("serves the package's tree read-only, relative paths against /var/task", () => {
    const fs = files();
    expect(new TextDecoder().decode((fs.ok("read", "lib/util.js", 0, 100) as FsRead).data)).toBe("y");
    expect(fs.ok("readdir", "/var/task", 0)).toEqual({ names: ["index.js", "lib"], directories: new Uint8Array([0, 1]), more: false });
    expect(names(fs.ok("readdir", "/var/task/lib", 0))).toEqual(["deep", "util.js"]);
    expect(fs.ok("stat", "/var/task/lib")).toMatchObject({ type: "directory", writable: false });
    expect(fs.code("writeFile", "/var/task/new.txt", text("n"), false)).toBe("EROFS");
    expect(fs.code("copyFile", "/tmp/x", "/var/task/x", false)).toBe("ENOENT");
    expect(fs.code("unlink", "/var/task/index.js")).toBe("EROFS");
    expect(fs.code("read", "../../etc/passwd", 0, 10)).toBe("ENOENT");
    expect(fs.code("writeFile", "/home/x", text("n"), false)).toBe("EACCES");
  });

  it("counts a file's data, its path and its entry against /tmp, and gives all of it back on delete", () => {
    const fs = files(cost("a", 8) + 100);
    fs.ok("writeFile", "/tmp/a", text("12345"), false);
    fs.ok("writeFile", "/tmp/a", text("678"), true);
    // Small appends merge into the file's last piece.
    expect(fs.tmpBytes).toBe(cost("a", 8));
    expect(fs.code("writeFile", "/tmp/b", text("1"), false)).toBe("ENOSPC");
    fs.ok("unlink", "/tmp/a");
    expect(fs.tmpBytes).toBe(0);
    fs.ok("writeFile", "/tmp/b", text("123"), false);
  });

  it("counts names and directories: empty files and long names run out of room like data", () => {
    const fs = files(100 * cost("f-00"));
    let made = 0;
    while (fs.code("writeFile", `/tmp/f-${String(made).padStart(2, "0")}`, new Uint8Array(0), false) === "ok") made++;
    expect(made).toBe(100);
    expect(fs.tmpBytes).toBe(100 * cost("f-00"));
    fs.ok("rm", "/tmp/f-00", false, false);
    expect(fs.code("mkdir", `/tmp/${"d".repeat(200)}`, false)).toBe("ENOSPC");
    expect(fs.ok("mkdir", "/tmp/dd", false)).toBeUndefined();
    expect(fs.tmpBytes).toBe(99 * cost("f-00") + cost("dd"));
  });

  it("holds at most MAX_TMP_ENTRIES files and directories, and refuses names longer than Linux allows", () => {
    const fs = files(1024 * MB);
    fs.ok("mkdir", "/tmp/d", false);
    for (let i = 1; i < MAX_TMP_ENTRIES; i++) fs.ok("writeFile", `/tmp/d/${i}`, new Uint8Array(0), false);
    expect(fs.code("writeFile", "/tmp/one-more", new Uint8Array(0), false)).toBe("ENOSPC");
    expect(fs.code("mkdir", "/tmp/one-more", false)).toBe("ENOSPC");
    fs.ok("rm", "/tmp/d", true, false);
    expect(fs.tmpBytes).toBe(0);
    expect(fs.code("writeFile", `/tmp/${"n".repeat(256)}`, text("x"), false)).toBe("ENAMETOOLONG");
    expect(fs.code("mkdir", `/tmp/${"a/".repeat(2100)}`, true)).toBe("ENAMETOOLONG");
    expect(fs.ok("writeFile", `/tmp/${"n".repeat(255)}`, text("x"), false)).toBeUndefined();
  });

  it("lists a large directory a page at a time, each page bounded", () => {
    const fs = files(1024 * MB);
    const count = READDIR_PAGE_ENTRIES * 2 + 5;
    fs.ok("mkdir", "/tmp/many", false);
    fs.ok("mkdir", "/tmp/many/sub", false);
    for (let i = 1; i < count; i++) fs.ok("writeFile", `/tmp/many/${i}`, new Uint8Array(0), false);
    const pages: FsListing[] = [];
    for (let offset = 0; ; ) {
      const page = fs.ok("readdir", "/tmp/many", offset) as FsListing;
      pages.push(page);
      offset += page.names.length;
      if (!page.more) break;
    }
    expect(pages.map((page) => page.names.length)).toEqual([READDIR_PAGE_ENTRIES, READDIR_PAGE_ENTRIES, 5]);
    expect(pages[0]?.names[0]).toBe("sub");
    expect(pages[0]?.directories[0]).toBe(1);
    expect(pages[0]?.directories[1]).toBe(0);
    expect(new Set(pages.flatMap((page) => page.names)).size).toBe(count);
  });

  it("keeps a page of long names within one host call's bytes", () => {
    const fs = files(1024 * MB);
    const name = (i: number) => String(i).padStart(250, "n");
    for (let i = 0; i < 5000; i++) fs.ok("writeFile", `/tmp/${name(i)}`, new Uint8Array(0), false);
    const seen: string[] = [];
    for (let offset = 0; ; ) {
      const page = fs.ok("readdir", "/tmp", offset) as FsListing;
      expect(page.names.reduce((sum, n) => sum + Buffer.byteLength(n), 0)).toBeLessThanOrEqual(MAX_HOST_CALL_BYTES);
      seen.push(...page.names);
      offset += page.names.length;
      if (!page.more) break;
    }
    expect(seen.length).toBe(5000);
    expect(new Set(seen).size).toBe(5000);
  });

  it("moves data at most MAX_HOST_CALL_BYTES a call: large files are written and read in pieces", () => {
    const fs = files(64 * MB);
    const piece = new Uint8Array(MAX_HOST_CALL_BYTES).fill(7);
    expect(() => fs.call("writeFile", ["/tmp/big", new Uint8Array(MAX_HOST_CALL_BYTES + 1), false])).toThrow(RangeError);
    fs.ok("writeFile", "/tmp/big", piece, false);
    fs.ok("writeFile", "/tmp/big", piece, true);
    fs.ok("writeFile", "/tmp/big", text("end"), true);
    const first = fs.ok("read", "/tmp/big", 0, MAX_HOST_CALL_BYTES * 4) as FsRead;
    expect([first.data.length, first.size]).toEqual([MAX_HOST_CALL_BYTES, 2 * MAX_HOST_CALL_BYTES + 3]);
    const tail = fs.ok("read", "/tmp/big", 2 * MAX_HOST_CALL_BYTES - 1, 10) as FsRead;
    expect(Array.from(tail.data)).toEqual([7, ...text("end")]);
    expect(fs.tmpBytes).toBe(cost("big", 2 * MAX_HOST_CALL_BYTES + 3, 3));
  });

  it("keeps a stream of tiny appends in few pieces, and reads them back whole", () => {
    const fs = files(1024 * 1024);
    for (let i = 0; i < 10_000; i++) fs.ok("writeFile", "/tmp/log", text(`${i % 10}`), true);
    const whole = fs.ok("read", "/tmp/log", 0, MB) as FsRead;
    expect(whole.size).toBe(10_000);
    expect(new TextDecoder().decode(whole.data.subarray(0, 12))).toBe("012345678901");
    expect(fs.tmpBytes).toBe(cost("log", 10_000, 3));
  });

  it("copies files on the host, charging the copy, from /tmp or the package", () => {
    const fs = files();
    fs.ok("writeFile", "/tmp/a", text("hello"), false);
    fs.ok("copyFile", "/tmp/a", "/tmp/b", false);
    fs.ok("copyFile", "/var/task/lib/util.js", "/tmp/u", false);
    fs.ok("writeFile", "/tmp/a", text(" world"), true);
    expect(new TextDecoder().decode((fs.ok("read", "/tmp/b", 0, 100) as FsRead).data)).toBe("hello");
    expect(new TextDecoder().decode((fs.ok("read", "/tmp/u", 0, 100) as FsRead).data)).toBe("y");
    expect(fs.code("copyFile", "/tmp/a", "/tmp/b", true)).toBe("EEXIST");
    expect(fs.code("copyFile", "/tmp/missing", "/tmp/c", false)).toBe("ENOENT");
    expect(fs.tmpBytes).toBe(cost("a", 11) + cost("b", 5) + cost("u", 1));
  });

  it("handles directories like Node: ENOENT parents, ENOTEMPTY, recursive rm, rename", () => {
    const fs = files();
    expect(fs.code("writeFile", "/tmp/d/x", text("1"), false)).toBe("ENOENT");
    expect(fs.ok("mkdir", "/tmp/d/e", true)).toBe("/tmp/d");
    fs.ok("writeFile", "/tmp/d/e/x", text("1"), false);
    expect(fs.code("mkdir", "/tmp/d", false)).toBe("EEXIST");
    expect(fs.code("rmdir", "/tmp/d", false)).toBe("ENOTEMPTY");
    fs.ok("rename", "/tmp/d/e/x", "/tmp/y");
    expect(names(fs.ok("readdir", "/tmp", 0))).toEqual(["d", "y"]);
    expect(names(fs.ok("readdir", "/tmp/d/e", 0))).toEqual([]);
    expect(fs.tmpBytes).toBe(cost("d") + cost("d/e") + cost("y", 1));
    fs.ok("rm", "/tmp/d", true, false);
    expect(fs.code("stat", "/tmp/d/e")).toBe("ENOENT");
    expect(fs.code("rm", "/tmp/missing", false, true)).toBe("ok");
    expect(fs.tmpBytes).toBe(cost("y", 1));
  });

  it("tells the meter of every change, and gives everything back when the environment goes", () => {
    let metered = 0;
    const fs = files(64 * 1024, { add: (bytes) => (metered += bytes) });
    fs.ok("mkdir", "/tmp/a/b", true);
    fs.ok("writeFile", "/tmp/a/b/c", text("data"), false);
    fs.ok("rename", "/tmp/a/b/c", "/tmp/a/longer-name");
    expect(metered).toBe(fs.tmpBytes);
    fs.release();
    expect(metered).toBe(0);
  });
});

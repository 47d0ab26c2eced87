// One environment's file system as its function sees it: the deployment package read-only under
// /var/task, and a writable /tmp held in memory, capped at the function's ephemeral storage, kept while
// the environment is warm and gone with it. Anything else does not exist (reads) or is not writable.
// Failures are returned as Node-style codes (ENOENT, EROFS, …); the sandbox turns them into Node's errors.
import { posix } from "node:path";
import type { PackageTree } from "./package-files.js";

export const TASK_ROOT = "/var/task";
export const TMP_ROOT = "/tmp";

export interface FsErrorShape {
  code: string;
  syscall: string;
  path: string;
  dest?: string;
}

export interface FsStat {
  type: "file" | "directory";
  size: number;
  mtimeMs: number;
  /** Writable (under /tmp) or read-only (the package). */
  writable: boolean;
}

/** Hears how the bytes held in /tmp change, across every environment of the process (the memory wall). */
export interface StorageMeter {
  add(bytes: number): void;
}

export type FsResult = { ok: true; value: unknown } | { ok: false; error: FsErrorShape };

class FsError extends Error {
  constructor(readonly shape: FsErrorShape) {
    super(shape.code);
  }
}

interface TmpFile {
  data: Uint8Array;
  mtimeMs: number;
}

function fail(code: string, syscall: string, path: string, dest?: string): never {
  throw new FsError(dest === undefined ? { code, syscall, path } : { code, syscall, path, dest });
}

function within(path: string, root: string): string | undefined {
  if (path === root) return "";
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : undefined;
}

export class EnvironmentFiles {
  private readonly tmpFiles = new Map<string, TmpFile>();
  private readonly tmpDirectories = new Map<string, number>([["", Date.now()]]);
  private usedBytes = 0;
  private readonly createdMs = Date.now();

  constructor(
    private readonly pkg: PackageTree | undefined,
    private readonly tmpLimitBytes: number,
    private readonly meter?: StorageMeter,
  ) {}

  /** The environment is gone: so is its /tmp. */
  release(): void {
    this.charge(-this.usedBytes);
    this.tmpFiles.clear();
    this.tmpDirectories.clear();
  }

  private charge(bytes: number): void {
    this.usedBytes += bytes;
    this.meter?.add(bytes);
  }

  /** Bytes /tmp holds now. */
  get tmpBytes(): number {
    return this.usedBytes;
  }

  /** Runs one operation from the sandbox; never throws. */
  call(op: string, args: unknown[]): FsResult {
    try {
      return { ok: true, value: this.run(op, args) };
    } catch (error) {
      if (error instanceof FsError) return { ok: false, error: error.shape };
      throw error;
    }
  }

  private run(op: string, args: unknown[]): unknown {
    const path = posix.resolve(TASK_ROOT, String(args[0]));
    switch (op) {
      case "readFile":
        return this.readFile(path);
      case "stat":
        return this.stat(path, "stat");
      case "readdir":
        return this.readdir(path);
      case "writeFile":
        // The sandbox always sends bytes; anything else would break the /tmp accounting.
        if (!(args[1] instanceof Uint8Array)) throw new TypeError("file data must be bytes");
        return this.writeFile(path, args[1], args[2] === true);
      case "mkdir":
        return this.mkdir(path, args[1] === true);
      case "unlink":
        return this.remove(path, "unlink", false);
      case "rmdir":
        return this.remove(path, "rmdir", args[1] === true);
      case "rm":
        return this.remove(path, "rm", args[1] === true, args[2] === true);
      case "rename":
        return this.rename(path, posix.resolve(TASK_ROOT, String(args[1])));
      default:
        throw new Error(`unknown file operation ${op}`);
    }
  }

  private readFile(path: string): Uint8Array {
    const tmp = within(path, TMP_ROOT);
    if (tmp !== undefined) {
      const file = this.tmpFiles.get(tmp);
      if (file) return file.data;
      return fail(this.tmpDirectories.has(tmp) ? "EISDIR" : "ENOENT", this.tmpDirectories.has(tmp) ? "read" : "open", path);
    }
    const task = within(path, TASK_ROOT);
    const data = task === undefined ? undefined : this.pkg?.files.get(task);
    if (data) return data;
    if (task !== undefined && this.pkg?.directories.has(task)) return fail("EISDIR", "read", path);
    return fail("ENOENT", "open", path);
  }

  private stat(path: string, syscall: string): FsStat {
    const tmp = within(path, TMP_ROOT);
    if (tmp !== undefined) {
      const file = this.tmpFiles.get(tmp);
      if (file) return { type: "file", size: file.data.length, mtimeMs: file.mtimeMs, writable: true };
      const directory = this.tmpDirectories.get(tmp);
      if (directory !== undefined) return { type: "directory", size: 4096, mtimeMs: directory, writable: true };
      return fail("ENOENT", syscall, path);
    }
    const task = within(path, TASK_ROOT);
    if (task !== undefined && this.pkg) {
      const data = this.pkg.files.get(task);
      if (data) return { type: "file", size: data.length, mtimeMs: this.createdMs, writable: false };
      if (this.pkg.directories.has(task)) return { type: "directory", size: 4096, mtimeMs: this.createdMs, writable: false };
    }
    if (task === "" || path === "/" || path === "/var") return { type: "directory", size: 4096, mtimeMs: this.createdMs, writable: false };
    return fail("ENOENT", syscall, path);
  }

  private readdir(path: string): string[] {
    const tmp = within(path, TMP_ROOT);
    if (tmp !== undefined) {
      if (this.tmpFiles.has(tmp)) return fail("ENOTDIR", "scandir", path);
      if (!this.tmpDirectories.has(tmp)) return fail("ENOENT", "scandir", path);
      const prefix = tmp === "" ? "" : `${tmp}/`;
      const names = new Set<string>();
      for (const key of [...this.tmpFiles.keys(), ...this.tmpDirectories.keys()]) {
        if (key === tmp || !key.startsWith(prefix)) continue;
        const rest = key.slice(prefix.length);
        if (!rest.includes("/")) names.add(rest);
      }
      return [...names].sort();
    }
    const task = within(path, TASK_ROOT);
    if (task !== undefined && this.pkg) {
      const entries = this.pkg.directories.get(task);
      if (entries) return [...entries].sort();
      if (this.pkg.files.has(task)) return fail("ENOTDIR", "scandir", path);
    }
    return fail("ENOENT", "scandir", path);
  }

  /** Where a write may go: /tmp, else EROFS for the package and EACCES anywhere else. */
  private writable(path: string, syscall: string): string {
    const tmp = within(path, TMP_ROOT);
    if (tmp !== undefined) return tmp;
    if (within(path, TASK_ROOT) !== undefined) return fail("EROFS", syscall, path);
    return fail("EACCES", syscall, path);
  }

  private parentOf(tmp: string, syscall: string, path: string): void {
    const parent = posix.dirname(tmp) === "." ? "" : posix.dirname(tmp);
    if (this.tmpFiles.has(parent)) fail("ENOTDIR", syscall, path);
    if (!this.tmpDirectories.has(parent)) fail("ENOENT", syscall, path);
  }

  private writeFile(path: string, data: Uint8Array, append: boolean): void {
    const tmp = this.writable(path, "open");
    if (tmp === "" || this.tmpDirectories.has(tmp)) return fail("EISDIR", "open", path);
    this.parentOf(tmp, "open", path);
    const existing = this.tmpFiles.get(tmp);
    const next = append && existing ? concat(existing.data, data) : data;
    const growth = next.length - (existing?.data.length ?? 0);
    if (this.usedBytes + growth > this.tmpLimitBytes) return fail("ENOSPC", "write", path);
    this.charge(growth);
    this.tmpFiles.set(tmp, { data: next, mtimeMs: Date.now() });
  }

  private mkdir(path: string, recursive: boolean): string | undefined {
    const tmp = this.writable(path, "mkdir");
    if (this.tmpDirectories.has(tmp) || this.tmpFiles.has(tmp)) {
      if (recursive && this.tmpDirectories.has(tmp)) return undefined;
      return fail("EEXIST", "mkdir", path);
    }
    if (!recursive) {
      this.parentOf(tmp, "mkdir", path);
      this.tmpDirectories.set(tmp, Date.now());
      return undefined;
    }
    const parts = tmp.split("/");
    let first: string | undefined;
    for (let i = 1; i <= parts.length; i++) {
      const directory = parts.slice(0, i).join("/");
      if (this.tmpFiles.has(directory)) return fail("ENOTDIR", "mkdir", path);
      if (!this.tmpDirectories.has(directory)) {
        this.tmpDirectories.set(directory, Date.now());
        first ??= posix.join(TMP_ROOT, directory);
      }
    }
    return first;
  }

  private remove(path: string, syscall: string, recursive: boolean, force = false): void {
    const tmp = this.writable(path, syscall);
    const file = this.tmpFiles.get(tmp);
    if (file) {
      if (syscall === "rmdir") return fail("ENOTDIR", syscall, path);
      this.tmpFiles.delete(tmp);
      this.charge(-file.data.length);
      return;
    }
    if (!this.tmpDirectories.has(tmp)) {
      if (force) return;
      return fail("ENOENT", syscall, path);
    }
    if (syscall === "unlink") return fail("EISDIR", syscall, path);
    if (syscall === "rm" && !recursive) return fail("ERR_FS_EISDIR", syscall, path);
    if (tmp === "") return fail("EBUSY", syscall, path);
    const prefix = `${tmp}/`;
    const children = [...this.tmpFiles.keys(), ...this.tmpDirectories.keys()].filter((key) => key.startsWith(prefix));
    if (children.length > 0 && !recursive) return fail("ENOTEMPTY", syscall, path);
    for (const child of children) {
      const childFile = this.tmpFiles.get(child);
      if (childFile) this.charge(-childFile.data.length);
      this.tmpFiles.delete(child);
      this.tmpDirectories.delete(child);
    }
    this.tmpDirectories.delete(tmp);
  }

  private rename(from: string, to: string): void {
    const source = this.writable(from, "rename");
    const target = this.writable(to, "rename");
    const file = this.tmpFiles.get(source);
    if (!file) {
      if (this.tmpDirectories.has(source)) return fail("EISDIR", "rename", from, to);
      return fail("ENOENT", "rename", from, to);
    }
    if (this.tmpDirectories.has(target)) return fail("EISDIR", "rename", from, to);
    this.parentOf(target, "rename", to);
    const replaced = this.tmpFiles.get(target);
    if (replaced && target !== source) this.charge(-replaced.data.length);
    this.tmpFiles.delete(source);
    this.tmpFiles.set(target, file);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

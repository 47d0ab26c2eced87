// One environment's file system as its function sees it: the deployment package read-only under
// /var/task, its layers read-only under /opt, and a writable /tmp held in memory, capped at the function's ephemeral storage, kept while
// the environment is warm and gone with it. Anything else does not exist (reads) or is not writable.
// Failures are returned as Node-style codes (ENOENT, EROFS, …); the sandbox turns them into Node's errors.
// Every operation is one synchronous host call on the sandbox process's main thread, so each is bounded
// (src/limits.ts): /tmp counts names, directories and a file's pieces against its size, not only data;
// data crosses at most MAX_HOST_CALL_BYTES at a time (files are read and written in pieces); a listing
// returns READDIR_PAGE_ENTRIES names at a time; each directory knows its children, so no operation walks
// all of /tmp.
import { posix } from "node:path";
import {
  MAX_HOST_CALL_BYTES,
  MAX_NAME_BYTES,
  MAX_PATH_BYTES,
  MAX_TMP_ENTRIES,
  READDIR_PAGE_ENTRIES,
  TMP_CHUNK_OVERHEAD_BYTES,
  TMP_ENTRY_OVERHEAD_BYTES,
} from "../limits.js";
import type { PackageTree } from "./package-files.js";

export const TASK_ROOT = "/var/task";
export const TMP_ROOT = "/tmp";
/** Where Lambda unpacks a function's layers. */
export const OPT_ROOT = "/opt";

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

/** A piece of a file: `data` from `offset`, and the file's whole size. */
export interface FsRead {
  data: Uint8Array;
  size: number;
}

/** A page of a directory's names from `offset`; `directories[i]` is 1 when `names[i]` is a directory. */
export interface FsListing {
  names: string[];
  directories: Uint8Array;
  more: boolean;
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

function fail(code: string, syscall: string, path: string, dest?: string): never {
  throw new FsError(dest === undefined ? { code, syscall, path } : { code, syscall, path, dest });
}

function within(path: string, root: string): string | undefined {
  if (path === root) return "";
  return path.startsWith(`${root}/`) ? path.slice(root.length + 1) : undefined;
}

function parentOf(key: string): string {
  const slash = key.lastIndexOf("/");
  return slash < 0 ? "" : key.slice(0, slash);
}

function nameOf(key: string): string {
  return key.slice(key.lastIndexOf("/") + 1);
}

/** Pieces at most this small are merged as they are appended, so a stream of tiny writes makes few pieces. */
const MERGE_BYTES = 4096;

/**
 * A /tmp file's bytes, kept in pieces so an append copies only what it adds. A piece is never changed
 * (merging a small append makes a new last piece), so copies of a file share them.
 */
class FileData {
  private readonly chunks: Uint8Array[] = [];
  /** Where each piece starts in the file. */
  private readonly starts: number[] = [];
  size = 0;

  static of(data: Uint8Array): FileData {
    const file = new FileData();
    file.append(data);
    return file;
  }

  /** What the file costs /tmp: its bytes and its pieces. */
  get heldBytes(): number {
    return this.size + this.chunks.length * TMP_CHUNK_OVERHEAD_BYTES;
  }

  /** What appending `length` bytes would add to heldBytes. */
  appendCost(length: number): number {
    if (length === 0) return 0;
    return this.mergesInto(length) ? length : length + TMP_CHUNK_OVERHEAD_BYTES;
  }

  append(data: Uint8Array): void {
    if (data.length === 0) return;
    const last = this.chunks.length - 1;
    if (this.mergesInto(data.length)) {
      const previous = this.chunks[last] as Uint8Array;
      const merged = new Uint8Array(previous.length + data.length);
      merged.set(previous, 0);
      merged.set(data, previous.length);
      this.chunks[last] = merged;
    } else {
      this.chunks.push(data);
      this.starts.push(this.size);
    }
    this.size += data.length;
  }

  private mergesInto(length: number): boolean {
    const last = this.chunks[this.chunks.length - 1];
    return last !== undefined && last.length + length <= MERGE_BYTES;
  }

  /** A copy of up to `length` bytes from `offset`. */
  read(offset: number, length: number): Uint8Array {
    const start = Math.min(offset, this.size);
    const out = new Uint8Array(Math.min(length, this.size - start));
    let index = this.chunkAt(start);
    let written = 0;
    while (written < out.length) {
      const chunk = this.chunks[index] as Uint8Array;
      const from = start + written - (this.starts[index] as number);
      const piece = chunk.subarray(from, from + out.length - written);
      out.set(piece, written);
      written += piece.length;
      index++;
    }
    return out;
  }

  /** A file with the same bytes, sharing the pieces that no longer change. */
  clone(): FileData {
    const copy = new FileData();
    for (const chunk of this.chunks) {
      copy.chunks.push(chunk);
      copy.starts.push(copy.size);
      copy.size += chunk.length;
    }
    return copy;
  }

  get pieces(): number {
    return this.chunks.length;
  }

  private chunkAt(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.starts[middle] as number) <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }
}

interface TmpFile {
  kind: "file";
  data: FileData;
  mtimeMs: number;
}

interface TmpDirectory {
  kind: "directory";
  /** Names of the entries in it, in the order they were made. */
  children: Set<string>;
  mtimeMs: number;
}

type TmpEntry = TmpFile | TmpDirectory;

export class EnvironmentFiles {
  /** Every /tmp entry by its path below /tmp ("" is /tmp itself). */
  private readonly tmp = new Map<string, TmpEntry>([["", { kind: "directory", children: new Set(), mtimeMs: Date.now() }]]);
  private usedBytes = 0;
  private entries = 0;
  private readonly createdMs = Date.now();

  constructor(
    private readonly pkg: PackageTree | undefined,
    private readonly tmpLimitBytes: number,
    private readonly meter?: StorageMeter,
    /** The function's layers merged, a later layer's files over an earlier one's. */
    private readonly opt?: PackageTree,
  ) {}

  /** The read-only tree a path lies in (the package under /var/task, the layers under /opt) and its path there. */
  private readOnly(path: string): { tree: PackageTree | undefined; inner: string } | undefined {
    const task = within(path, TASK_ROOT);
    if (task !== undefined) return { tree: this.pkg, inner: task };
    const opt = within(path, OPT_ROOT);
    if (opt !== undefined) return { tree: this.opt, inner: opt };
    return undefined;
  }

  /** Bytes /tmp holds now, names, directories and pieces included. */
  get tmpBytes(): number {
    return this.usedBytes;
  }

  /** The environment is gone: so is its /tmp. */
  release(): void {
    this.charge(-this.usedBytes);
    this.tmp.clear();
    this.entries = 0;
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
    const path = checkedPath(args[0], op);
    switch (op) {
      case "read":
        return this.read(path, wholeNumber(args[1], "offset"), Math.min(wholeNumber(args[2], "length"), MAX_HOST_CALL_BYTES));
      case "stat":
        return this.stat(path, "stat");
      case "readdir":
        return this.readdir(path, wholeNumber(args[1], "offset"));
      case "writeFile":
        return this.writeFile(path, bytesArgument(args[1]), args[2] === true);
      case "copyFile":
        return this.copyFile(path, checkedPath(args[1], op), args[2] === true);
      case "mkdir":
        return this.mkdir(path, args[1] === true);
      case "unlink":
        return this.remove(path, "unlink", false);
      case "rmdir":
        return this.remove(path, "rmdir", args[1] === true);
      case "rm":
        return this.remove(path, "rm", args[1] === true, args[2] === true);
      case "rename":
        return this.rename(path, checkedPath(args[1], op));
      default:
        throw new Error(`unknown file operation ${op}`);
    }
  }

  private charge(bytes: number): void {
    this.usedBytes += bytes;
    this.meter?.add(bytes);
  }

  /** Fails with ENOSPC unless /tmp has room for `bytes` more (and `entries` more entries). */
  private reserve(bytes: number, entries: number, syscall: string, path: string): void {
    if (this.entries + entries > MAX_TMP_ENTRIES || this.usedBytes + bytes > this.tmpLimitBytes) fail("ENOSPC", syscall, path);
  }

  private read(path: string, offset: number, length: number): FsRead {
    const tmp = within(path, TMP_ROOT);
    if (tmp !== undefined) {
      const entry = this.tmp.get(tmp);
      if (entry?.kind === "file") return { data: entry.data.read(offset, length), size: entry.data.size };
      return fail(entry ? "EISDIR" : "ENOENT", entry ? "read" : "open", path);
    }
    const mount = this.readOnly(path);
    const data = mount?.tree?.files.get(mount.inner);
    if (data) return { data: data.slice(offset, offset + length), size: data.length };
    if (mount?.tree?.directories.has(mount.inner)) return fail("EISDIR", "read", path);
    return fail("ENOENT", "open", path);
  }

  private stat(path: string, syscall: string): FsStat {
    const tmp = within(path, TMP_ROOT);
    if (tmp !== undefined) {
      const entry = this.tmp.get(tmp);
      if (entry?.kind === "file") return { type: "file", size: entry.data.size, mtimeMs: entry.mtimeMs, writable: true };
      if (entry) return { type: "directory", size: 4096, mtimeMs: entry.mtimeMs, writable: true };
      return fail("ENOENT", syscall, path);
    }
    const mount = this.readOnly(path);
    if (mount?.tree) {
      const data = mount.tree.files.get(mount.inner);
      if (data) return { type: "file", size: data.length, mtimeMs: this.createdMs, writable: false };
      if (mount.tree.directories.has(mount.inner)) return { type: "directory", size: 4096, mtimeMs: this.createdMs, writable: false };
    }
    if (mount?.inner === "" || path === "/" || path === "/var") return { type: "directory", size: 4096, mtimeMs: this.createdMs, writable: false };
    return fail("ENOENT", syscall, path);
  }

  /** A page of a directory's names: /tmp's in the order they were made, the package's in name order. */
  private readdir(path: string, offset: number): FsListing {
    const tmp = within(path, TMP_ROOT);
    if (tmp !== undefined) {
      const entry = this.tmp.get(tmp);
      if (entry?.kind === "file") return fail("ENOTDIR", "scandir", path);
      if (!entry) return fail("ENOENT", "scandir", path);
      return this.page(entry.children, offset, (name) => this.tmp.get(tmp === "" ? name : `${tmp}/${name}`)?.kind === "directory");
    }
    const mount = this.readOnly(path);
    const tree = mount?.tree;
    if (mount && tree) {
      const inner = mount.inner;
      const entries = tree.directories.get(inner);
      if (entries) return this.page(entries, offset, (name) => tree.directories.has(inner === "" ? name : `${inner}/${name}`));
      if (tree.files.has(inner)) return fail("ENOTDIR", "scandir", path);
    }
    if (mount?.inner === "") return { names: [], directories: new Uint8Array(0), more: false };
    return fail("ENOENT", "scandir", path);
  }

  /** Up to READDIR_PAGE_ENTRIES names from `offset`, and no more than one host call's bytes of them. */
  private page(children: Set<string>, offset: number, isDirectory: (name: string) => boolean): FsListing {
    const names: string[] = [];
    let index = 0;
    let bytes = 0;
    for (const name of children) {
      if (index++ < offset) continue;
      bytes += name.length * 3;
      if (names.length === READDIR_PAGE_ENTRIES || (names.length > 0 && bytes > MAX_HOST_CALL_BYTES)) break;
      names.push(name);
    }
    const directories = new Uint8Array(names.length);
    names.forEach((name, i) => (directories[i] = isDirectory(name) ? 1 : 0));
    return { names, directories, more: offset + names.length < children.size };
  }

  /** Where a write may go: /tmp, else EROFS for the package and EACCES anywhere else. */
  private writable(path: string, syscall: string): string {
    const tmp = within(path, TMP_ROOT);
    if (tmp !== undefined) return tmp;
    if (this.readOnly(path) !== undefined) return fail("EROFS", syscall, path);
    return fail("EACCES", syscall, path);
  }

  /** The directory a new entry `tmp` goes in, which must exist. */
  private parentDirectory(tmp: string, syscall: string, path: string): TmpDirectory {
    const parent = this.tmp.get(parentOf(tmp));
    if (parent?.kind === "file") return fail("ENOTDIR", syscall, path);
    if (!parent) return fail("ENOENT", syscall, path);
    return parent;
  }

  private add(tmp: string, entry: TmpEntry, parent: TmpDirectory): void {
    this.tmp.set(tmp, entry);
    parent.children.add(nameOf(tmp));
    this.entries++;
    this.charge(entryCost(tmp) + (entry.kind === "file" ? entry.data.heldBytes : 0));
  }

  private writeFile(path: string, data: Uint8Array, append: boolean): void {
    const tmp = this.writable(path, "open");
    const existing = this.tmp.get(tmp);
    if (tmp === "" || existing?.kind === "directory") return fail("EISDIR", "open", path);
    const parent = this.parentDirectory(tmp, "open", path);
    if (existing) {
      const next = append ? undefined : FileData.of(data);
      const growth = next ? next.heldBytes - existing.data.heldBytes : existing.data.appendCost(data.length);
      this.reserve(growth, 0, "write", path);
      if (next) existing.data = next;
      else existing.data.append(data);
      existing.mtimeMs = Date.now();
      this.charge(growth);
      return;
    }
    const file: TmpFile = { kind: "file", data: FileData.of(data), mtimeMs: Date.now() };
    this.reserve(entryCost(tmp) + file.data.heldBytes, 1, "open", path);
    this.add(tmp, file, parent);
  }

  private copyFile(from: string, to: string, exclusive: boolean): void {
    const tmpSource = within(from, TMP_ROOT);
    const sourceEntry = tmpSource === undefined ? undefined : this.tmp.get(tmpSource);
    if (sourceEntry?.kind === "directory") return fail("EISDIR", "copyfile", from, to);
    const mount = this.readOnly(from);
    const packaged = mount?.tree?.files.get(mount.inner);
    if (!sourceEntry && !packaged) return fail(mount?.tree?.directories.has(mount.inner) ? "EISDIR" : "ENOENT", "copyfile", from, to);
    const target = within(to, TMP_ROOT);
    if (target === undefined) return fail(this.readOnly(to) !== undefined ? "EROFS" : "EACCES", "copyfile", from, to);
    const existing = this.tmp.get(target);
    if (existing && exclusive) return fail("EEXIST", "copyfile", from, to);
    if (target === "" || existing?.kind === "directory") return fail("EISDIR", "copyfile", from, to);
    if (sourceEntry && tmpSource === target) return;
    const parent = this.parentDirectory(target, "copyfile", to);
    const data = sourceEntry ? sourceEntry.data.clone() : FileData.of(packaged as Uint8Array);
    if (existing) {
      const growth = data.heldBytes - existing.data.heldBytes;
      this.reserve(growth, 0, "copyfile", to);
      existing.data = data;
      existing.mtimeMs = Date.now();
      this.charge(growth);
      return;
    }
    this.reserve(entryCost(target) + data.heldBytes, 1, "copyfile", to);
    this.add(target, { kind: "file", data, mtimeMs: Date.now() }, parent);
  }

  private mkdir(path: string, recursive: boolean): string | undefined {
    const tmp = this.writable(path, "mkdir");
    const existing = this.tmp.get(tmp);
    if (existing) {
      if (recursive && existing.kind === "directory") return undefined;
      return fail("EEXIST", "mkdir", path);
    }
    if (!recursive) {
      const parent = this.parentDirectory(tmp, "mkdir", path);
      this.reserve(entryCost(tmp), 1, "mkdir", path);
      this.add(tmp, { kind: "directory", children: new Set(), mtimeMs: Date.now() }, parent);
      return undefined;
    }
    const parts = tmp.split("/");
    const missing: string[] = [];
    for (let i = 1; i <= parts.length; i++) {
      const directory = parts.slice(0, i).join("/");
      const entry = this.tmp.get(directory);
      if (entry?.kind === "file") return fail("ENOTDIR", "mkdir", path);
      if (!entry) missing.push(directory);
    }
    this.reserve(
      missing.reduce((sum, directory) => sum + entryCost(directory), 0),
      missing.length,
      "mkdir",
      path,
    );
    for (const directory of missing) this.add(directory, { kind: "directory", children: new Set(), mtimeMs: Date.now() }, this.tmp.get(parentOf(directory)) as TmpDirectory);
    return missing.length > 0 ? posix.join(TMP_ROOT, missing[0] as string) : undefined;
  }

  private remove(path: string, syscall: string, recursive: boolean, force = false): void {
    const tmp = this.writable(path, syscall);
    const entry = this.tmp.get(tmp);
    if (!entry) {
      if (force) return;
      return fail("ENOENT", syscall, path);
    }
    if (entry.kind === "file") {
      if (syscall === "rmdir") return fail("ENOTDIR", syscall, path);
      return this.drop(tmp);
    }
    if (syscall === "unlink") return fail("EISDIR", syscall, path);
    if (syscall === "rm" && !recursive) return fail("ERR_FS_EISDIR", syscall, path);
    if (tmp === "") return fail("EBUSY", syscall, path);
    if (entry.children.size > 0 && !recursive) return fail("ENOTEMPTY", syscall, path);
    this.drop(tmp);
  }

  /** Forgets an entry and everything under it (at most MAX_TMP_ENTRIES), giving their space back. */
  private drop(tmp: string): void {
    const entry = this.tmp.get(tmp);
    if (!entry) return;
    if (entry.kind === "directory") for (const name of entry.children) this.drop(`${tmp}/${name}`);
    this.tmp.delete(tmp);
    const parent = this.tmp.get(parentOf(tmp));
    if (parent?.kind === "directory") parent.children.delete(nameOf(tmp));
    this.entries--;
    this.charge(-(entryCost(tmp) + (entry.kind === "file" ? entry.data.heldBytes : 0)));
  }

  private rename(from: string, to: string): void {
    const source = this.writable(from, "rename");
    const target = this.writable(to, "rename");
    const file = this.tmp.get(source);
    if (!file) return fail("ENOENT", "rename", from, to);
    if (file.kind === "directory") return fail("EISDIR", "rename", from, to);
    if (source === target) return;
    const replaced = this.tmp.get(target);
    if (target === "" || replaced?.kind === "directory") return fail("EISDIR", "rename", from, to);
    const parent = this.parentDirectory(target, "rename", to);
    // The entry's name changes length; a replaced file gives its space back.
    const growth = entryCost(target) - entryCost(source) - (replaced ? entryCost(target) + replaced.data.heldBytes : 0);
    this.reserve(growth, 0, "rename", to);
    if (replaced) this.drop(target);
    this.drop(source);
    this.add(target, file, parent);
  }
}

/** What an entry costs /tmp besides its data: its path below /tmp, and an entry's own keeping. */
function entryCost(tmp: string): number {
  return Buffer.byteLength(tmp) + TMP_ENTRY_OVERHEAD_BYTES;
}

/** The absolute path of a path argument, refused (ENAMETOOLONG) past Linux's name and path lengths. */
function checkedPath(value: unknown, op: string): string {
  const text = String(value);
  const path = posix.resolve(TASK_ROOT, text);
  if (Buffer.byteLength(path) > MAX_PATH_BYTES || path.split("/").some((part) => Buffer.byteLength(part) > MAX_NAME_BYTES)) {
    return fail("ENAMETOOLONG", SYSCALLS[op] ?? op.toLowerCase(), text.length > MAX_PATH_BYTES ? `${text.slice(0, 64)}…` : text);
  }
  return path;
}

/** The syscall Node names in an operation's error. */
const SYSCALLS: Record<string, string> = { read: "open", writeFile: "open", readdir: "scandir", copyFile: "copyfile" };

function wholeNumber(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) throw new TypeError(`file ${name} must be a whole number`);
  return value;
}

/** File data from the sandbox: bytes, one host call's worth at most (the sandbox writes larger data in pieces). */
function bytesArgument(value: unknown): Uint8Array {
  // Anything but bytes would break the /tmp accounting.
  if (!(value instanceof Uint8Array)) throw new TypeError("file data must be bytes");
  if (value.length > MAX_HOST_CALL_BYTES) throw new RangeError(`file data must be written at most ${MAX_HOST_CALL_BYTES} bytes at a time`);
  return value;
}

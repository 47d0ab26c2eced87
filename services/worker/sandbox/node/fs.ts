// `fs` and `fs/promises` over the environment's file system, which the host keeps (src/host/filesystem.ts):
// the package read-only under /var/task (relative paths resolve there), /tmp writable. Errors carry
// Node's `code`, `errno`, `syscall` and `path`.
import { callHost, hostCallBytes } from "../host-access.js";
import { utf8Encode } from "../web/encoding.js";
import { vendor } from "../vendor.js";
import { Buffer } from "./buffer.js";
import { createDescriptors, type Descriptors } from "./fs-descriptors.js";
import { fsStreamClasses, type StreamOptions } from "./fs-streams.js";

const ERRNO: Record<string, [number, string]> = {
  ENOENT: [-2, "no such file or directory"],
  EACCES: [-13, "permission denied"],
  EROFS: [-30, "read-only file system"],
  ENOSPC: [-28, "no space left on device"],
  EISDIR: [-21, "illegal operation on a directory"],
  ENOTDIR: [-20, "not a directory"],
  EEXIST: [-17, "file already exists"],
  ENOTEMPTY: [-39, "directory not empty"],
  EBUSY: [-16, "resource busy or locked"],
  ERR_FS_EISDIR: [-21, "is a directory"],
  ENAMETOOLONG: [-36, "name too long"],
  EBADF: [-9, "bad file descriptor"],
  EMFILE: [-24, "too many open files"],
};

/** Node's largest file read in one go (kIoMaxLength). */
const MAX_READ_BYTES = 2 ** 31 - 1;

interface FsErrorShape {
  code: string;
  syscall: string;
  path: string;
  dest?: string;
}

type FsResult = { ok: true; value: unknown } | { ok: false; error: FsErrorShape };

export interface NodeFsError extends Error {
  code: string;
  errno: number;
  syscall: string;
  path: string;
  dest?: string;
}

function fsError(shape: FsErrorShape): NodeFsError {
  const [errno, description] = ERRNO[shape.code] ?? [-1, "unknown error"];
  const dest = shape.dest !== undefined ? ` -> '${shape.dest}'` : "";
  const error = new Error(`${shape.code}: ${description}, ${shape.syscall} '${shape.path}'${dest}`) as NodeFsError;
  error.errno = errno;
  error.code = shape.code;
  error.syscall = shape.syscall;
  error.path = shape.path;
  if (shape.dest !== undefined) error.dest = shape.dest;
  return error;
}

function pathOf(path: unknown): string {
  if (typeof path === "string") return path;
  if (path instanceof Uint8Array) return Buffer().from(path).toString("utf8");
  if (typeof path === "object" && path !== null && (path as { protocol?: unknown }).protocol === "file:") return decodeURIComponent(String((path as { pathname: string }).pathname));
  throw new TypeError(`The "path" argument must be of type string or an instance of Buffer or URL. Received ${typeof path}`);
}

function run(op: string, ...args: unknown[]): unknown {
  const result = callHost(`fs.${op}`, ...args) as FsResult;
  if (!result.ok) throw fsError(result.error);
  return result.value;
}

type Options = string | { encoding?: string | null; flag?: string; recursive?: boolean; withFileTypes?: boolean; force?: boolean } | undefined | null;

function encodingOf(options: Options): string | undefined {
  if (typeof options === "string") return options;
  return options?.encoding ?? undefined;
}

function decode(bytes: Uint8Array, encoding: string | undefined): unknown {
  const buffer = Buffer().from(bytes);
  return encoding && encoding !== "buffer" ? buffer.toString(encoding) : buffer;
}

function dataOf(data: unknown, options: Options): Uint8Array {
  if (typeof data === "string") {
    const encoding = encodingOf(options);
    return encoding && encoding !== "utf8" && encoding !== "utf-8" ? new Uint8Array(Buffer().from(data, encoding)) : utf8Encode(data);
  }
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  throw new TypeError(`The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ${typeof data}`);
}

interface HostStat {
  type: "file" | "directory";
  size: number;
  mtimeMs: number;
  writable: boolean;
}

export class Stats {
  readonly dev = 2049;
  readonly ino = 0;
  readonly mode: number;
  readonly nlink = 1;
  readonly uid = 993;
  readonly gid = 990;
  readonly rdev = 0;
  readonly size: number;
  readonly blksize = 4096;
  readonly blocks: number;
  readonly atimeMs: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly birthtimeMs: number;
  readonly atime: Date;
  readonly mtime: Date;
  readonly ctime: Date;
  readonly birthtime: Date;
  private readonly kind: "file" | "directory";

  constructor(stat: HostStat) {
    this.kind = stat.type;
    const permissions = stat.writable ? (stat.type === "directory" ? 0o755 : 0o644) : stat.type === "directory" ? 0o555 : 0o444;
    this.mode = (stat.type === "directory" ? 0o040000 : 0o100000) | permissions;
    this.size = stat.size;
    this.blocks = Math.ceil(stat.size / 512);
    this.atimeMs = this.mtimeMs = this.ctimeMs = this.birthtimeMs = stat.mtimeMs;
    this.atime = new Date(stat.mtimeMs);
    this.mtime = new Date(stat.mtimeMs);
    this.ctime = new Date(stat.mtimeMs);
    this.birthtime = new Date(stat.mtimeMs);
  }
  isFile(): boolean {
    return this.kind === "file";
  }
  isDirectory(): boolean {
    return this.kind === "directory";
  }
  isSymbolicLink(): boolean {
    return false;
  }
  isBlockDevice(): boolean {
    return false;
  }
  isCharacterDevice(): boolean {
    return false;
  }
  isFIFO(): boolean {
    return false;
  }
  isSocket(): boolean {
    return false;
  }
}

export class Dirent {
  constructor(
    readonly name: string,
    private readonly directory: boolean,
    readonly parentPath: string,
  ) {}
  get path(): string {
    return this.parentPath;
  }
  isFile(): boolean {
    return !this.directory;
  }
  isDirectory(): boolean {
    return this.directory;
  }
  isSymbolicLink(): boolean {
    return false;
  }
}

const constants = { F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1, O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 64, O_EXCL: 128, O_TRUNC: 512, O_APPEND: 1024, COPYFILE_EXCL: 1 };

/** A whole file, read in pieces of one host call each. */
function readAll(path: string): Uint8Array {
  const piece = hostCallBytes();
  const first = run("read", path, 0, piece) as { data: Uint8Array; size: number };
  if (first.size <= first.data.length) return first.data;
  if (first.size > MAX_READ_BYTES) {
    throw Object.assign(new RangeError(`File size (${first.size}) is greater than 2 GiB`), { code: "ERR_FS_FILE_TOO_LARGE" });
  }
  const out = new Uint8Array(first.size);
  out.set(first.data, 0);
  let offset = first.data.length;
  while (offset < first.size) {
    const next = run("read", path, offset, piece) as { data: Uint8Array; size: number };
    if (next.data.length === 0) break;
    out.set(next.data, offset);
    offset += next.data.length;
  }
  return offset === first.size ? out : out.subarray(0, offset);
}

/**
 * Writes `data` in pieces of one host call each: the first replaces the file (or appends), the rest append.
 * Each piece is a copy of its own: a view would carry its whole buffer across.
 */
function writeAll(path: string, data: Uint8Array, append: boolean): void {
  const piece = hostCallBytes();
  if (data.length <= piece) return void run("writeFile", path, data, append);
  for (let offset = 0; offset < data.length; offset += piece) run("writeFile", path, data.slice(offset, offset + piece), append || offset > 0);
}

interface Listing {
  names: string[];
  directories: Uint8Array;
  more: boolean;
}

/** A directory's names and which are directories, a page per host call. */
function listAll(path: string): { names: string[]; directories: boolean[] } {
  const names: string[] = [];
  const directories: boolean[] = [];
  for (;;) {
    const page = run("readdir", path, names.length) as Listing;
    page.names.forEach((name, i) => {
      names.push(name);
      directories.push(page.directories[i] === 1);
    });
    if (!page.more || page.names.length === 0) return { names, directories };
  }
}

function descriptorsOver(existsSync: (path: unknown) => boolean): Descriptors {
  return createDescriptors({
    pathOf,
    exists: (path) => existsSync(path),
    stat: (path) => new Stats(run("stat", path) as HostStat),
    readAt: (path, offset, length) => (run("read", path, offset, Math.min(length, hostCallBytes())) as { data: Uint8Array }).data,
    readAll,
    write: writeAll,
    encode: (text, encoding) => dataOf(text, encoding === undefined ? undefined : { encoding }),
    fail: (code, syscall, path) => fsError({ code, syscall, path }),
  });
}

function createSync() {
  const readFileSync = (path: unknown, options?: Options): unknown => decode(readAll(pathOf(path)), encodingOf(options));
  const statSync = (path: unknown, options?: { throwIfNoEntry?: boolean }): Stats | undefined => {
    try {
      return new Stats(run("stat", pathOf(path)) as HostStat);
    } catch (error) {
      if (options?.throwIfNoEntry === false && (error as NodeFsError).code === "ENOENT") return undefined;
      throw error;
    }
  };
  const writeFileSync = (path: unknown, data: unknown, options?: Options): void => {
    const flag = typeof options === "object" && options ? options.flag : undefined;
    writeAll(pathOf(path), dataOf(data, options), flag?.startsWith("a") === true);
  };
  const readdirSync = (path: unknown, options?: Options): unknown[] => {
    const directory = pathOf(path);
    const { names, directories } = listAll(directory);
    if (typeof options === "object" && options?.withFileTypes) return names.map((name, i) => new Dirent(name, directories[i] === true, directory));
    return names;
  };
  const mkdirSync = (path: unknown, options?: Options | number): string | undefined => {
    const recursive = typeof options === "object" && options?.recursive === true;
    return run("mkdir", pathOf(path), recursive) as string | undefined;
  };
  const accessSync = (path: unknown, mode = constants.F_OK): void => {
    const stat = run("stat", pathOf(path)) as HostStat;
    if ((mode & constants.W_OK) !== 0 && !stat.writable) throw fsError({ code: "EACCES", syscall: "access", path: pathOf(path) });
  };
  const sync = {
    readFileSync,
    statSync,
    lstatSync: statSync,
    writeFileSync,
    appendFileSync: (path: unknown, data: unknown, options?: Options) =>
      writeFileSync(path, data, typeof options === "string" ? { encoding: options, flag: "a" } : { ...(options ?? {}), flag: "a" }),
    readdirSync,
    mkdirSync,
    accessSync,
    existsSync: (path: unknown): boolean => {
      try {
        run("stat", pathOf(path));
        return true;
      } catch {
        return false;
      }
    },
    unlinkSync: (path: unknown): void => void run("unlink", pathOf(path)),
    rmdirSync: (path: unknown, options?: Options): void => void run("rmdir", pathOf(path), typeof options === "object" && options?.recursive === true),
    rmSync: (path: unknown, options?: Options): void =>
      void run("rm", pathOf(path), typeof options === "object" && options?.recursive === true, typeof options === "object" && options?.force === true),
    renameSync: (from: unknown, to: unknown): void => void run("rename", pathOf(from), pathOf(to)),
    copyFileSync: (from: unknown, to: unknown, mode = 0): void => void run("copyFile", pathOf(from), pathOf(to), (Number(mode) & constants.COPYFILE_EXCL) !== 0),
    realpathSync: Object.assign((path: unknown): string => {
      run("stat", pathOf(path));
      return (vendor.path() as { resolve(...p: string[]): string }).resolve("/var/task", pathOf(path));
    }, { native: (path: unknown) => pathOf(path) }),
    mkdtempSync: (prefix: string): string => {
      const suffix = Array.from({ length: 6 }, () => "abcdefghijklmnopqrstuvwxyz0123456789"[Math.floor(Math.random() * 36)]).join("");
      const path = `${prefix}${suffix}`;
      run("mkdir", path, false);
      return path;
    },
  };
  const descriptors = descriptorsOver(sync.existsSync);
  return {
    ...sync,
    openSync: descriptors.openSync,
    closeSync: descriptors.closeSync,
    readSync: descriptors.readSync,
    writeSync: descriptors.writeSync,
    ftruncateSync: descriptors.ftruncateSync,
    fsyncSync: descriptors.fsyncSync,
    fdatasyncSync: descriptors.fsyncSync,
    fstatSync: (fd: unknown): Stats => statSync(descriptors.fstatPath(fd)) as Stats,
    fstatPathOf: descriptors.fstatPath,
  };
}

type SyncFs = ReturnType<typeof createSync>;

const ASYNC_NAMES = ["readFile", "stat", "lstat", "writeFile", "appendFile", "readdir", "mkdir", "access", "unlink", "rmdir", "rm", "rename", "copyFile", "realpath", "mkdtemp"] as const;
/** Descriptor calls with callbacks: `read` and `write` answer with the bytes and the buffer, as Node's do. */
const DESCRIPTOR_NAMES = ["open", "close", "fstat", "ftruncate", "fsync", "fdatasync"] as const;

/** Node's callback form of a synchronous call: the last argument is called with (error, result) later. */
function withCallback(fn: (...args: unknown[]) => unknown): (...args: unknown[]) => void {
  return (...args: unknown[]) => {
    const callback = args.pop();
    if (typeof callback !== "function") throw new TypeError('The "cb" argument must be of type function');
    let result: unknown;
    let failure: unknown = null;
    try {
      result = fn(...args);
    } catch (error) {
      failure = error;
    }
    queueMicrotask(() => (failure ? callback(failure) : callback(null, result)));
  };
}

/** `fs/promises`' FileHandle: a descriptor with its operations as methods that answer promises. */
class FileHandle {
  constructor(
    readonly fd: number,
    private readonly files: SyncFs,
  ) {}
  private run<T>(call: () => T): Promise<T> {
    return new Promise((resolve) => resolve(call()));
  }
  read(buffer: Uint8Array, offset?: number, length?: number, position?: number | null): Promise<{ bytesRead: number; buffer: Uint8Array }> {
    return this.run(() => ({ bytesRead: this.files.readSync(this.fd, buffer, offset, length, position), buffer }));
  }
  write(data: unknown, ...rest: unknown[]): Promise<{ bytesWritten: number; buffer: unknown }> {
    return this.run(() => ({ bytesWritten: this.files.writeSync(this.fd, data, ...rest), buffer: data }));
  }
  readFile(options?: Options): Promise<unknown> {
    return this.run(() => this.files.readFileSync(this.files.fstatPathOf(this.fd), options));
  }
  writeFile(data: unknown, options?: Options): Promise<void> {
    return this.run(() => {
      this.files.ftruncateSync(this.fd, 0);
      this.files.writeSync(this.fd, dataOf(data, options));
    });
  }
  appendFile(data: unknown, options?: Options): Promise<void> {
    return this.run(() => void this.files.appendFileSync(this.files.fstatPathOf(this.fd), data, options));
  }
  stat(): Promise<Stats> {
    return this.run(() => this.files.fstatSync(this.fd));
  }
  truncate(length = 0): Promise<void> {
    return this.run(() => this.files.ftruncateSync(this.fd, length));
  }
  sync(): Promise<void> {
    return this.run(() => this.files.fsyncSync(this.fd));
  }
  close(): Promise<void> {
    return this.run(() => this.files.closeSync(this.fd));
  }
}

function promisesOf(sync: SyncFs): Record<string, unknown> {
  const promises: Record<string, unknown> = { constants };
  for (const name of ASYNC_NAMES) {
    const fn = sync[`${name}Sync`] as (...args: unknown[]) => unknown;
    promises[name] = (...args: unknown[]) => new Promise((resolve) => resolve(fn(...args)));
  }
  promises["open"] = (path: unknown, flags?: unknown) => new Promise((resolve) => resolve(new FileHandle(sync.openSync(path, flags), sync)));
  return promises;
}

export function createFs(): { fs: Record<string, unknown>; promises: Record<string, unknown> } {
  const sync = createSync();
  const promises = promisesOf(sync);
  // fstatPathOf serves FileHandle; it is not Node's, so functions do not see it.
  const { fstatPathOf: _fstatPathOf, ...nodeSync } = sync;
  const fs: Record<string, unknown> = { ...nodeSync, promises, constants, Stats, Dirent };
  for (const name of ASYNC_NAMES) fs[name] = withCallback(sync[`${name}Sync`] as (...args: unknown[]) => unknown);
  for (const name of DESCRIPTOR_NAMES) fs[name] = withCallback(sync[`${name}Sync`] as (...args: unknown[]) => unknown);
  fs["read"] = (fd: unknown, buffer: Uint8Array, ...rest: unknown[]) => {
    const callback = rest.pop() as (error: unknown, bytesRead?: number, buffer?: Uint8Array) => void;
    withCallback(() => sync.readSync(fd, buffer, ...rest))((error: unknown, bytesRead?: number) => callback(error, bytesRead, buffer));
  };
  fs["write"] = (fd: unknown, data: unknown, ...rest: unknown[]) => {
    const callback = rest.pop() as (error: unknown, written?: number, data?: unknown) => void;
    withCallback(() => sync.writeSync(fd, data, ...rest))((error: unknown, written?: number) => callback(error, written, data));
  };
  fs["exists"] = (path: unknown, callback: (exists: boolean) => void) => {
    const exists = sync.existsSync(path);
    queueMicrotask(() => callback(exists));
  };
  // Built on first use: they need the stream module, which most functions never load.
  let streams: ReturnType<typeof fsStreamClasses> | undefined;
  const streamClasses = (): ReturnType<typeof fsStreamClasses> => (streams ??= fsStreamClasses(sync));
  // Accessors that can be replaced and redefined, as Node's are: graceful-fs patches them in place.
  for (const name of ["ReadStream", "WriteStream"] as const) {
    let replaced: unknown;
    Object.defineProperty(fs, name, {
      enumerable: true,
      configurable: true,
      get: () => replaced ?? streamClasses()[name],
      set: (value: unknown) => void (replaced = value),
    });
  }
  fs["createReadStream"] = (path: unknown, options?: StreamOptions) => new (streamClasses().ReadStream)(path, options);
  fs["createWriteStream"] = (path: unknown, options?: StreamOptions) => new (streamClasses().WriteStream)(path, options);
  return { fs, promises };
}

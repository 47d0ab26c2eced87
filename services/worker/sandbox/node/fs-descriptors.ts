// File descriptors over the environment's file system (`openSync`, `readSync`, `writeSync`, `fstatSync`,
// `closeSync`, their callback forms and `fs/promises`' FileHandle). The host keeps files, not open files:
// a descriptor is the sandbox's own record of a path, its open flags and its position, and each read or
// write is a host call on the path, as the rest of `fs` makes them. A write in the middle of a file
// rewrites it whole, which is fine for the files functions write in /tmp.

export interface FileOps {
  pathOf(path: unknown): string;
  exists(path: string): boolean;
  /** Throws Node's error (ENOENT, …) when there is nothing at `path`. */
  stat(path: string): { size: number; isDirectory(): boolean };
  /** Up to `length` bytes from `offset`; fewer at the end of the file. */
  readAt(path: string, offset: number, length: number): Uint8Array;
  readAll(path: string): Uint8Array;
  /** Replaces the file with `data` (creating it), or appends `data` to it. */
  write(path: string, data: Uint8Array, append: boolean): void;
  encode(text: string, encoding?: string): Uint8Array;
  fail(code: string, syscall: string, path: string): Error;
}

interface OpenFile {
  path: string;
  position: number;
  readable: boolean;
  writable: boolean;
  append: boolean;
}

interface OpenFlags {
  readable: boolean;
  writable: boolean;
  create: boolean;
  truncate: boolean;
  exclusive: boolean;
  append: boolean;
}

/** One environment holds at most this many descriptors open, as a process's limit would. */
const MAX_OPEN = 1024;
const O_ACCMODE = 3;
const FLAGS: Record<string, OpenFlags> = {
  r: { readable: true, writable: false, create: false, truncate: false, exclusive: false, append: false },
  "r+": { readable: true, writable: true, create: false, truncate: false, exclusive: false, append: false },
  w: { readable: false, writable: true, create: true, truncate: true, exclusive: false, append: false },
  "w+": { readable: true, writable: true, create: true, truncate: true, exclusive: false, append: false },
  a: { readable: false, writable: true, create: true, truncate: false, exclusive: false, append: true },
  "a+": { readable: true, writable: true, create: true, truncate: false, exclusive: false, append: true },
};

function openFlags(flags: unknown): OpenFlags {
  if (typeof flags === "number") {
    const access = flags & O_ACCMODE;
    return {
      readable: access !== 1,
      writable: access !== 0,
      create: (flags & 64) !== 0,
      exclusive: (flags & 128) !== 0,
      truncate: (flags & 512) !== 0,
      append: (flags & 1024) !== 0,
    };
  }
  const text = String(flags ?? "r");
  // `rs+`, `as`, `wx`…: the synchronous and exclusive letters on top of the basic modes.
  const base = FLAGS[text.replace(/[sx]/g, "")];
  if (!base) throw Object.assign(new TypeError(`The value "${text}" is invalid for option "flags"`), { code: "ERR_INVALID_ARG_VALUE" });
  return { ...base, exclusive: text.includes("x") };
}

type Bytes = Uint8Array;

function isBytes(value: unknown): value is ArrayBufferView {
  return ArrayBuffer.isView(value);
}

function viewOf(value: ArrayBufferView): Bytes {
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

function positionOf(value: unknown): number | undefined {
  if (value === null || value === undefined || value === -1 || value === -1n) return undefined;
  const position = Number(value);
  if (!Number.isSafeInteger(position) || position < 0) throw Object.assign(new RangeError(`The value of "position" is out of range. Received ${String(value)}`), { code: "ERR_OUT_OF_RANGE" });
  return position;
}

export function createDescriptors(ops: FileOps) {
  const files = new Map<number, OpenFile>();
  let nextFd = 3;

  const fileOf = (fd: unknown, syscall: string): OpenFile => {
    const file = typeof fd === "number" ? files.get(fd) : undefined;
    if (!file) throw ops.fail("EBADF", syscall, String(fd));
    return file;
  };

  const openSync = (path: unknown, flags?: unknown): number => {
    const target = ops.pathOf(path);
    const mode = openFlags(flags);
    if (files.size >= MAX_OPEN) throw ops.fail("EMFILE", "open", target);
    const exists = ops.exists(target);
    if (exists && mode.create && mode.exclusive) throw ops.fail("EEXIST", "open", target);
    if (exists || !mode.create) {
      const stat = ops.stat(target);
      if (stat.isDirectory() && mode.writable) throw ops.fail("EISDIR", "open", target);
    }
    if (!exists || mode.truncate) {
      if (mode.writable || mode.create) ops.write(target, new Uint8Array(0), !mode.truncate && exists);
    }
    const fd = nextFd++;
    files.set(fd, { path: target, position: 0, readable: mode.readable, writable: mode.writable, append: mode.append });
    return fd;
  };

  const closeSync = (fd: unknown): void => {
    fileOf(fd, "close");
    files.delete(fd as number);
  };

  /** readSync(fd, buffer, offset?, length?, position?) or readSync(fd, buffer, { offset, length, position }). */
  const readSync = (fd: unknown, buffer: unknown, offsetOrOptions?: unknown, length?: unknown, position?: unknown): number => {
    const file = fileOf(fd, "read");
    if (!file.readable) throw ops.fail("EBADF", "read", file.path);
    if (!isBytes(buffer)) throw Object.assign(new TypeError('The "buffer" argument must be an instance of Buffer, TypedArray, or DataView'), { code: "ERR_INVALID_ARG_TYPE" });
    const target = viewOf(buffer);
    const options = typeof offsetOrOptions === "object" && offsetOrOptions !== null ? (offsetOrOptions as { offset?: number; length?: number; position?: unknown }) : undefined;
    const offset = Number(options ? (options.offset ?? 0) : (offsetOrOptions ?? 0));
    const wanted = Number(options ? (options.length ?? target.length - offset) : (length ?? target.length - offset));
    const at = positionOf(options ? options.position : position);
    if (!Number.isInteger(offset) || offset < 0 || offset > target.length) throw Object.assign(new RangeError(`The value of "offset" is out of range. Received ${offset}`), { code: "ERR_OUT_OF_RANGE" });
    if (!Number.isInteger(wanted) || wanted < 0 || offset + wanted > target.length) throw Object.assign(new RangeError(`The value of "length" is out of range. Received ${wanted}`), { code: "ERR_OUT_OF_RANGE" });
    let start = at ?? file.position;
    let read = 0;
    while (read < wanted) {
      const chunk = ops.readAt(file.path, start, wanted - read);
      if (chunk.length === 0) break;
      target.set(chunk, offset + read);
      read += chunk.length;
      start += chunk.length;
    }
    if (at === undefined) file.position += read;
    return read;
  };

  /** writeSync(fd, buffer, offset?, length?, position?) or writeSync(fd, string, position?, encoding?). */
  const writeSync = (fd: unknown, data: unknown, offsetOrPosition?: unknown, lengthOrEncoding?: unknown, position?: unknown): number => {
    const file = fileOf(fd, "write");
    if (!file.writable) throw ops.fail("EBADF", "write", file.path);
    let bytes: Bytes;
    let at: number | undefined;
    if (isBytes(data)) {
      const whole = viewOf(data);
      const offset = Number(offsetOrPosition ?? 0);
      const length = Number(lengthOrEncoding ?? whole.length - offset);
      if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > whole.length) {
        throw Object.assign(new RangeError("The value of \"offset\" or \"length\" is out of range"), { code: "ERR_OUT_OF_RANGE" });
      }
      bytes = whole.subarray(offset, offset + length);
      at = positionOf(position);
    } else {
      bytes = ops.encode(String(data), typeof lengthOrEncoding === "string" ? lengthOrEncoding : undefined);
      at = positionOf(offsetOrPosition);
    }
    const size = ops.stat(file.path).size;
    const start = file.append ? size : (at ?? file.position);
    if (start === size) {
      ops.write(file.path, bytes.slice(), true);
    } else {
      // In the middle of the file, or past its end (the gap reads as zeros): the file is written again whole.
      const before = ops.readAll(file.path);
      const after = new Uint8Array(Math.max(before.length, start + bytes.length));
      after.set(before, 0);
      after.set(bytes, start);
      ops.write(file.path, after, false);
    }
    if (at === undefined || file.append) file.position = start + bytes.length;
    return bytes.length;
  };

  const ftruncateSync = (fd: unknown, length = 0): void => {
    const file = fileOf(fd, "ftruncate");
    if (!file.writable) throw ops.fail("EBADF", "ftruncate", file.path);
    const before = ops.readAll(file.path);
    const after = new Uint8Array(Math.max(0, Number(length)));
    after.set(before.subarray(0, after.length), 0);
    ops.write(file.path, after, false);
  };

  const fstatPath = (fd: unknown): string => fileOf(fd, "fstat").path;
  const fsyncSync = (fd: unknown): void => void fileOf(fd, "fsync");

  return { openSync, closeSync, readSync, writeSync, ftruncateSync, fstatPath, fsyncSync };
}

export type Descriptors = ReturnType<typeof createDescriptors>;

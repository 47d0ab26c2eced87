// `fs.ReadStream` and `fs.WriteStream` (and so `createReadStream`/`createWriteStream`) over the
// environment's files, as classes: packages test `instanceof fs.ReadStream` (the AWS SDK's Upload does).
// A read stream reads its file (or its `start`..`end` range) when it opens and hands it on in
// `highWaterMark` pieces; a write stream appends each chunk. Errors arrive as `error` events, as in Node.
import { vendor } from "../vendor.js";
import { Buffer } from "./buffer.js";

/** The part of the synchronous fs the streams use. */
export interface StreamFiles {
  readFileSync(path: unknown): unknown;
  writeFileSync(path: unknown, data: unknown, options?: { flag?: string }): void;
  appendFileSync(path: unknown, data: unknown, encoding?: string): void;
}

interface StreamBase {
  push(chunk: unknown): boolean;
  destroy(error?: unknown): unknown;
  emit(event: string, ...args: unknown[]): boolean;
  setEncoding?(encoding: string): unknown;
}
type StreamClass = new (options?: Record<string, unknown>) => StreamBase;

export type StreamOptions = string | { encoding?: string | null; flags?: string; start?: number; end?: number; highWaterMark?: number } | undefined | null;

const optionsOf = (options: StreamOptions): Exclude<StreamOptions, string | undefined | null> =>
  typeof options === "string" ? { encoding: options } : (options ?? {});

/** Node's streams emit `open` and `ready` once the file is open, after the constructor returns. */
const PSEUDO_FD = 3;

interface ReadStreamState extends StreamBase {
  path: unknown;
  bytesRead: number;
  pending: boolean;
  data: Uint8Array | undefined;
  offset: number;
  chunkSize: number;
}

interface WriteStreamState extends StreamBase {
  path: unknown;
  bytesWritten: number;
  pending: boolean;
  failed: boolean;
}

type FsStreamConstructor = new (path: unknown, options?: StreamOptions) => StreamBase;

/**
 * Plain constructor functions over readable-stream's, as Node's are: callable without `new` and
 * inherited the old way (`ReadStream.apply(this, arguments)`, as graceful-fs does).
 */
export function fsStreamClasses(files: StreamFiles): { ReadStream: FsStreamConstructor; WriteStream: FsStreamConstructor } {
  const { Readable, Writable } = vendor.stream() as unknown as { Readable: StreamClass; Writable: StreamClass };
  const callBase = (base: StreamClass, self: StreamBase, options: Record<string, unknown>): void => {
    (base as unknown as (this: StreamBase, options: Record<string, unknown>) => void).call(self, options);
  };
  const opened = (stream: ReadStreamState | WriteStreamState): void =>
    queueMicrotask(() => {
      stream.pending = false;
      stream.emit("open", PSEUDO_FD);
      stream.emit("ready");
    });

  function ReadStream(this: ReadStreamState, path: unknown, options?: StreamOptions): ReadStreamState {
    if (!(this instanceof ReadStream)) return new (ReadStream as unknown as new (path: unknown, options?: StreamOptions) => ReadStreamState)(path, options);
    const settings = optionsOf(options);
    const highWaterMark = settings.highWaterMark ?? 64 * 1024;
    callBase(Readable, this, { highWaterMark, emitClose: true, autoDestroy: true });
    this.path = path;
    this.bytesRead = 0;
    this.pending = true;
    this.offset = 0;
    this.chunkSize = highWaterMark;
    if (settings.encoding) this.setEncoding?.(settings.encoding);
    try {
      const whole = files.readFileSync(path) as Uint8Array;
      const end = settings.end === undefined ? whole.byteLength : settings.end + 1;
      this.data = whole.subarray(settings.start ?? 0, end);
    } catch (error) {
      queueMicrotask(() => this.destroy(error));
      return this;
    }
    opened(this);
    return this;
  }
  Object.setPrototypeOf(ReadStream.prototype, Readable.prototype);
  Object.setPrototypeOf(ReadStream, Readable);
  ReadStream.prototype._read = function (this: ReadStreamState): void {
    const data = this.data;
    if (!data) return;
    if (this.offset >= data.byteLength) {
      this.push(null);
      return;
    }
    const piece = Buffer().from(data.subarray(this.offset, this.offset + this.chunkSize));
    this.offset += piece.byteLength;
    this.bytesRead += piece.byteLength;
    this.push(piece);
  };

  function WriteStream(this: WriteStreamState, path: unknown, options?: StreamOptions): WriteStreamState {
    if (!(this instanceof WriteStream)) return new (WriteStream as unknown as new (path: unknown, options?: StreamOptions) => WriteStreamState)(path, options);
    const settings = optionsOf(options);
    callBase(Writable, this, { emitClose: true, autoDestroy: true, decodeStrings: true, defaultEncoding: settings.encoding ?? "utf8" });
    this.path = path;
    this.bytesWritten = 0;
    this.pending = true;
    this.failed = false;
    try {
      // `w` (the default) starts the file empty; `a` appends to what is there.
      if (!(settings.flags ?? "w").startsWith("a")) files.writeFileSync(path, "");
      else files.appendFileSync(path, "");
    } catch (error) {
      this.failed = true;
      queueMicrotask(() => this.destroy(error));
      return this;
    }
    opened(this);
    return this;
  }
  Object.setPrototypeOf(WriteStream.prototype, Writable.prototype);
  Object.setPrototypeOf(WriteStream, Writable);
  WriteStream.prototype._write = function (this: WriteStreamState, chunk: Uint8Array, _encoding: string, callback: (error?: unknown) => void): void {
    if (this.failed) return;
    try {
      files.appendFileSync(this.path, chunk);
      this.bytesWritten += chunk.byteLength;
      callback();
    } catch (error) {
      callback(error);
    }
  };

  return { ReadStream: ReadStream as unknown as FsStreamConstructor, WriteStream: WriteStream as unknown as FsStreamConstructor };
}

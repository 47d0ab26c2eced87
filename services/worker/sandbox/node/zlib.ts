// `zlib`: gzip, deflate (plain and raw) and brotli, compressed and decompressed by the host off its main
// thread while the isolate waits (callHostWaiting), input and output capped there. The stream forms
// (`createGzip`, …) gather their input and convert it at the end.
import { callHostWaiting } from "../host-access.js";
import { vendor } from "../vendor.js";
import { Buffer } from "./buffer.js";

const METHODS = ["gzip", "gunzip", "deflate", "inflate", "deflateRaw", "inflateRaw", "unzip", "brotliCompress", "brotliDecompress"] as const;
type Method = (typeof METHODS)[number];

const STREAMS: Record<string, Method> = {
  createGzip: "gzip",
  createGunzip: "gunzip",
  createDeflate: "deflate",
  createInflate: "inflate",
  createDeflateRaw: "deflateRaw",
  createInflateRaw: "inflateRaw",
  createUnzip: "unzip",
  createBrotliCompress: "brotliCompress",
  createBrotliDecompress: "brotliDecompress",
};

/** The class of each stream form, by Node's name: packages subclass them (crc32-stream extends DeflateRaw). */
const CLASS_NAMES: Record<Method, string> = {
  gzip: "Gzip",
  gunzip: "Gunzip",
  deflate: "Deflate",
  inflate: "Inflate",
  deflateRaw: "DeflateRaw",
  inflateRaw: "InflateRaw",
  unzip: "Unzip",
  brotliCompress: "BrotliCompress",
  brotliDecompress: "BrotliDecompress",
};

const constants = {
  Z_NO_FLUSH: 0,
  Z_PARTIAL_FLUSH: 1,
  Z_SYNC_FLUSH: 2,
  Z_FULL_FLUSH: 3,
  Z_FINISH: 4,
  Z_OK: 0,
  Z_STREAM_END: 1,
  Z_NO_COMPRESSION: 0,
  Z_BEST_SPEED: 1,
  Z_BEST_COMPRESSION: 9,
  Z_DEFAULT_COMPRESSION: -1,
  Z_FILTERED: 1,
  Z_HUFFMAN_ONLY: 2,
  Z_DEFAULT_STRATEGY: 0,
  BROTLI_OPERATION_PROCESS: 0,
  BROTLI_OPERATION_FINISH: 2,
  BROTLI_PARAM_MODE: 0,
  BROTLI_MODE_GENERIC: 0,
  BROTLI_MODE_TEXT: 1,
  BROTLI_PARAM_QUALITY: 1,
  BROTLI_MIN_QUALITY: 0,
  BROTLI_MAX_QUALITY: 11,
  BROTLI_DEFAULT_QUALITY: 11,
  BROTLI_PARAM_SIZE_HINT: 5,
};

function bytesOf(input: unknown): Uint8Array {
  if (typeof input === "string") return new Uint8Array(Buffer().from(input));
  if (input instanceof ArrayBuffer) return new Uint8Array(input.slice(0));
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength).slice();
  throw new TypeError('The "buffer" argument must be of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer.');
}

/** Only plain numbers cross: level, windowBits, memLevel, strategy and brotli `params`. */
function optionsOf(options: unknown): Record<string, unknown> {
  if (typeof options !== "object" || options === null) return {};
  const source = options as Record<string, unknown>;
  const picked: Record<string, unknown> = {};
  for (const key of ["level", "windowBits", "memLevel", "strategy"]) if (typeof source[key] === "number") picked[key] = source[key];
  if (typeof source["params"] === "object" && source["params"] !== null) {
    const params: Record<string, number> = {};
    for (const [key, value] of Object.entries(source["params"] as Record<string, unknown>)) if (typeof value === "number") params[key] = value;
    picked["params"] = params;
  }
  return picked;
}

function convert(method: Method, input: unknown, options?: unknown): unknown {
  return Buffer().from(callHostWaiting("zlib", method, bytesOf(input), optionsOf(options)) as Uint8Array);
}

interface TransformBase {
  destroy(error?: unknown): unknown;
}
type TransformClass = new (options?: unknown) => TransformBase;
type Callback = (error?: unknown, data?: unknown) => void;

/**
 * A Transform that gathers its input and converts it when it ends. `_transform` and `_flush` are methods
 * of the class, as in Node, so a subclass's own `_transform` can count the bytes and call `super`'s.
 */
function zlibStreamClass(method: Method): new (options?: unknown) => TransformBase {
  const { Transform } = vendor.stream() as unknown as { Transform: TransformClass };
  class ZlibStream extends Transform {
    bytesWritten = 0;
    readonly #chunks: Uint8Array[] = [];
    readonly #options: unknown;
    constructor(options?: unknown) {
      super(options);
      this.#options = options;
    }
    _transform(chunk: unknown, _encoding: string, callback: Callback): void {
      const bytes = bytesOf(chunk);
      this.#chunks.push(bytes);
      this.bytesWritten += bytes.byteLength;
      callback();
    }
    _flush(callback: Callback): void {
      let output: unknown;
      try {
        output = convert(method, Buffer().concat(this.#chunks), this.#options);
      } catch (error) {
        callback(error);
        return;
      }
      this.#chunks.length = 0;
      callback(null, output);
    }
    /** Everything is converted at the end, so there is nothing to flush early. */
    flush(kind?: unknown, callback?: () => void): void {
      const done = typeof kind === "function" ? (kind as () => void) : callback;
      if (done) queueMicrotask(done);
    }
    params(_level: unknown, _strategy: unknown, callback?: () => void): void {
      if (callback) queueMicrotask(callback);
    }
    close(callback?: () => void): void {
      this.destroy();
      if (callback) queueMicrotask(callback);
    }
  }
  Object.defineProperty(ZlibStream, "name", { value: CLASS_NAMES[method] });
  return ZlibStream;
}

export function createZlib(): Record<string, unknown> {
  const zlib: Record<string, unknown> = { constants, ...constants };
  for (const method of METHODS) {
    zlib[`${method}Sync`] = (input: unknown, options?: unknown) => convert(method, input, options);
    zlib[method] = (input: unknown, options: unknown, callback?: (error: unknown, result?: unknown) => void) => {
      const done = typeof options === "function" ? (options as typeof callback) : callback;
      if (typeof done !== "function") throw new TypeError('The "callback" argument must be of type function');
      let result: unknown;
      let failure: unknown = null;
      try {
        result = convert(method, input, typeof options === "function" ? undefined : options);
      } catch (error) {
        failure = error;
      }
      queueMicrotask(() => (failure ? done(failure) : done(null, result)));
    };
  }
  for (const [name, method] of Object.entries(STREAMS)) {
    const StreamClass = zlibStreamClass(method);
    zlib[StreamClass.name] = StreamClass;
    zlib[name] = (options?: unknown) => new StreamClass(options);
  }
  return zlib;
}

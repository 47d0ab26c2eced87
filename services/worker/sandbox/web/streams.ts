// WHATWG streams: `stream/web` and the globals Node 20 puts beside it (ReadableStream, WritableStream,
// TransformStream, the queuing strategies, TextEncoderStream, TextDecoderStream, …). The streams are
// web-streams-polyfill (the reference implementation, sandbox/vendor.ts), built on first use; the text
// and compression transforms are written here over the sandbox's TextEncoder/TextDecoder and zlib.
// Everything a stream holds lives in the isolate's heap, so the function's memory size bounds it, and
// nothing outlives the environment.
import { createZlib } from "../node/zlib.js";
import { vendor } from "../vendor.js";
import { TextDecoder, utf8Encode } from "./encoding.js";

interface TransformController {
  enqueue(chunk: unknown): void;
  error(reason: unknown): void;
}

interface Transformer {
  transform?(chunk: unknown, controller: TransformController): void | Promise<void>;
  flush?(controller: TransformController): void | Promise<void>;
}

type TransformStreamClass = new (transformer?: Transformer) => { readonly readable: unknown; readonly writable: unknown };

/** What `require("stream/web")` returns; every name is also a global. */
export type WebStreams = Record<string, unknown> & { ReadableStream: new (source?: unknown, strategy?: unknown) => unknown; TransformStream: TransformStreamClass };

/** The names Node 20 offers from `stream/web` and on `globalThis`, in Node's order. */
export const WEB_STREAM_NAMES = [
  "ReadableStream",
  "ReadableStreamDefaultReader",
  "ReadableStreamBYOBReader",
  "ReadableStreamBYOBRequest",
  "ReadableByteStreamController",
  "ReadableStreamDefaultController",
  "TransformStream",
  "TransformStreamDefaultController",
  "WritableStream",
  "WritableStreamDefaultWriter",
  "WritableStreamDefaultController",
  "ByteLengthQueuingStrategy",
  "CountQueuingStrategy",
  "TextEncoderStream",
  "TextDecoderStream",
  "CompressionStream",
  "DecompressionStream",
] as const;

function invalidChunk(chunk: unknown): TypeError & { code: string } {
  const error = new TypeError(`The "chunk" argument must be an instance of ArrayBuffer or ArrayBufferView. Received ${typeof chunk}`) as TypeError & { code: string };
  error.code = "ERR_INVALID_ARG_TYPE";
  return error;
}

function bytesOf(chunk: unknown): Uint8Array {
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw invalidChunk(chunk);
}

interface Zlib {
  gzipSync(data: Uint8Array): Uint8Array;
  gunzipSync(data: Uint8Array): Uint8Array;
  deflateSync(data: Uint8Array): Uint8Array;
  inflateSync(data: Uint8Array): Uint8Array;
  deflateRawSync(data: Uint8Array): Uint8Array;
  inflateRawSync(data: Uint8Array): Uint8Array;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function compressionFormat(format: unknown): "gzip" | "deflate" | "deflate-raw" {
  const text = String(format);
  if (text === "gzip" || text === "deflate" || text === "deflate-raw") return text;
  const error = new TypeError(`The argument 'format' is invalid. Received '${text}'`) as TypeError & { code: string };
  error.code = "ERR_INVALID_ARG_VALUE";
  throw error;
}

/** Builds the streams and the transforms over them; `zlib` is built when a compression stream first runs. */
function createWebStreams(): WebStreams {
  let zlibFunctions: Zlib | undefined;
  const zlib = (): Zlib => (zlibFunctions ??= createZlib() as unknown as Zlib);
  const ponyfill = vendor.webStreams();
  const TransformStream = ponyfill["TransformStream"] as TransformStreamClass;

  class TextEncoderStream extends TransformStream {
    constructor() {
      // A high surrogate at the end of a chunk waits for the low one at the start of the next.
      let pendingHigh = "";
      super({
        transform(chunk, controller) {
          let text = pendingHigh + String(chunk);
          pendingHigh = "";
          const last = text.charCodeAt(text.length - 1);
          if (last >= 0xd800 && last <= 0xdbff) {
            pendingHigh = text.slice(-1);
            text = text.slice(0, -1);
          }
          if (text.length > 0) controller.enqueue(utf8Encode(text));
        },
        flush(controller) {
          if (pendingHigh) controller.enqueue(utf8Encode("\ufffd"));
        },
      });
    }
    get encoding(): string {
      return "utf-8";
    }
    get [Symbol.toStringTag](): string {
      return "TextEncoderStream";
    }
  }

  class TextDecoderStream extends TransformStream {
    readonly #decoder: TextDecoder;
    readonly #ignoreBOM: boolean;
    constructor(label: unknown = "utf-8", options: { fatal?: boolean; ignoreBOM?: boolean } = {}) {
      // The decoder keeps every BOM; this stream drops only one at the very start, as Node's does.
      const decoder = new TextDecoder(label, { fatal: options.fatal === true, ignoreBOM: true });
      let started = false;
      const strip = (text: string): string => {
        if (started || text.length === 0) return text;
        started = true;
        return options.ignoreBOM !== true && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
      };
      super({
        transform(chunk, controller) {
          const text = strip(decoder.decode(bytesOf(chunk), { stream: true }));
          if (text.length > 0) controller.enqueue(text);
        },
        flush(controller) {
          const text = strip(decoder.decode());
          if (text.length > 0) controller.enqueue(text);
        },
      });
      this.#decoder = decoder;
      this.#ignoreBOM = options.ignoreBOM === true;
    }
    get encoding(): string {
      return this.#decoder.encoding;
    }
    get fatal(): boolean {
      return this.#decoder.fatal;
    }
    get ignoreBOM(): boolean {
      return this.#ignoreBOM;
    }
    get [Symbol.toStringTag](): string {
      return "TextDecoderStream";
    }
  }

  // zlib's host computes a whole buffer at a time, so these gather their input and answer at its end.
  const gathering = (run: (data: Uint8Array) => Uint8Array): Transformer => {
    const chunks: Uint8Array[] = [];
    return {
      transform(chunk) {
        chunks.push(bytesOf(chunk).slice());
      },
      flush(controller) {
        controller.enqueue(new Uint8Array(run(concat(chunks.splice(0)))));
      },
    };
  };

  class CompressionStream extends TransformStream {
    constructor(format: unknown) {
      const kind = compressionFormat(format);
      super(gathering((data) => (kind === "gzip" ? zlib().gzipSync(data) : kind === "deflate" ? zlib().deflateSync(data) : zlib().deflateRawSync(data))));
    }
    get [Symbol.toStringTag](): string {
      return "CompressionStream";
    }
  }

  class DecompressionStream extends TransformStream {
    constructor(format: unknown) {
      const kind = compressionFormat(format);
      super(gathering((data) => (kind === "gzip" ? zlib().gunzipSync(data) : kind === "deflate" ? zlib().inflateSync(data) : zlib().inflateRawSync(data))));
    }
    get [Symbol.toStringTag](): string {
      return "DecompressionStream";
    }
  }

  const own: Record<string, unknown> = { TextEncoderStream, TextDecoderStream, CompressionStream, DecompressionStream };
  const module: Record<string, unknown> = {};
  for (const name of WEB_STREAM_NAMES) module[name] = own[name] ?? ponyfill[name];
  return module as WebStreams;
}

let built: WebStreams | undefined;

/** `stream/web`, built on first use and then the same for the environment's life (one class per name). */
export function webStreams(): WebStreams {
  return (built ??= createWebStreams());
}

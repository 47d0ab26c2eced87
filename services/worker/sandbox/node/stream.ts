// The `stream` module as Node 20 shapes it: readable-stream's legacy `Stream` with every class and helper
// on it (`Readable.from`, `pipeline`, `finished`, `addAbortSignal`, `compose`, `promises`), plus the
// adapters between Node streams and WHATWG streams (`Readable.fromWeb`/`toWeb`, `Writable.fromWeb`/`toWeb`,
// `Duplex.fromWeb`/`toWeb`), which readable-stream declares but leaves empty. They follow Node's own
// (lib/internal/webstreams/adapters.js): backpressure from the web side pauses the Node side, an error or
// a destroy on one side reaches the other.
import { vendor } from "../vendor.js";
import type { WebStreams } from "../web/streams.js";

type Callback = (error?: Error | null) => void;
type Emitter = { on(event: string, listener: (...args: never[]) => void): unknown };

interface NodeReadable extends Emitter {
  _readableState?: object;
  readableObjectMode: boolean;
  readableHighWaterMark: number;
  push(chunk: unknown): boolean;
  pause(): unknown;
  resume(): unknown;
}

interface NodeWritable extends Emitter {
  _writableState?: object;
  writableObjectMode: boolean;
  writableHighWaterMark: number;
  writableNeedDrain: boolean;
  writableEnded: boolean;
  write(chunk: unknown): boolean;
  end(): unknown;
}

interface WebReader {
  read(): Promise<{ done: boolean; value?: unknown }>;
  cancel(reason?: unknown): Promise<void>;
  readonly closed: Promise<void>;
}

interface WebWriter {
  readonly ready: Promise<void>;
  readonly closed: Promise<void>;
  write(chunk: unknown): Promise<void>;
  close(): Promise<void>;
  abort(reason?: unknown): Promise<void>;
}

interface WebController {
  enqueue(chunk: unknown): void;
  close(): void;
  error(reason: unknown): void;
  readonly desiredSize: number | null;
}

interface StreamClass {
  new (options: Record<string, unknown>): NodeReadable & NodeWritable;
  fromWeb?: unknown;
  toWeb?: unknown;
}

/** The module object: readable-stream's `Stream` with its classes and helpers. */
interface StreamModule {
  Readable: StreamClass;
  Writable: StreamClass;
  Duplex: StreamClass;
  finished(stream: unknown, options: Record<string, unknown>, callback: Callback): () => void;
  destroy(stream: unknown, error?: unknown): void;
  isDestroyed(stream: unknown): boolean;
  isReadable(stream: unknown): boolean | null;
  isWritable(stream: unknown): boolean | null;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return `Received ${String(value)}`;
  if (typeof value === "function") return `Received function ${value.name}`;
  if (typeof value === "object") {
    const name = (value as { constructor?: { name?: string } }).constructor?.name;
    return name ? `Received an instance of ${name}` : "Received [object Object]";
  }
  const shown = typeof value === "string" ? `'${value.length > 25 ? `${value.slice(0, 25)}...` : value}'` : String(value);
  return `Received type ${typeof value} (${shown})`;
}

function invalidArgType(name: string, expected: string, value: unknown): TypeError {
  const error = new TypeError(`The "${name}" argument must be an instance of ${expected}. ${describe(value)}`) as TypeError & { code: string };
  error.code = "ERR_INVALID_ARG_TYPE";
  return error;
}

/** Node's AbortError for a stream that closed before its end. */
function abortError(cause?: unknown): Error {
  const error = new Error("The operation was aborted", cause === undefined ? undefined : { cause }) as Error & { code: string };
  error.name = "AbortError";
  error.code = "ABORT_ERR";
  return error;
}

function prematureToAbort(error: (Error & { code?: string }) | null | undefined): Error | null | undefined {
  return error?.code === "ERR_STREAM_PREMATURE_CLOSE" ? abortError(error) : error;
}

/** A callback run from a promise: a throw inside it must not become a rejection nobody sees. */
function settle(run: () => void, onThrow: (error: unknown) => void): void {
  try {
    run();
  } catch (error) {
    onThrow(error);
  }
}

function installAdapters(stream: StreamModule, web: () => WebStreams): void {
  const { Readable, Writable, Duplex, finished, destroy } = stream;
  const nextTickThrow = (error: unknown): void => {
    (globalThis as unknown as { process: { nextTick(callback: () => void): void } }).process.nextTick(() => {
      throw error;
    });
  };

  /** Readable-side options for a Node stream fed from a web reader. */
  const readFrom = (reader: WebReader, target: () => NodeReadable): Record<string, unknown> => ({
    read() {
      reader.read().then(
        (chunk) => {
          target().push(chunk.done ? null : chunk.value);
        },
        (error: unknown) => destroy(target(), error),
      );
    },
  });

  /** Writable-side options for a Node stream feeding a web writer. */
  const writeTo = (writer: WebWriter, target: () => NodeWritable, isClosed: () => boolean): Record<string, unknown> => ({
    write(chunk: unknown, _encoding: string, callback: Callback) {
      const done = (error?: Error | null): void => settle(() => callback(error), (thrown) => destroy(target(), thrown));
      writer.ready.then(() => writer.write(chunk).then(() => done(), done), done);
    },
    final(callback: Callback) {
      const done = (error?: Error | null): void => settle(() => callback(error), (thrown) => nextTickThrow(thrown));
      if (!isClosed()) writer.close().then(() => done(), done);
    },
  });

  const readableStreamOf = (value: unknown): { getReader(): WebReader } => {
    if (!(value instanceof web().ReadableStream)) throw invalidArgType("readableStream", "ReadableStream", value);
    return value as { getReader(): WebReader };
  };
  const writableStreamOf = (value: unknown): { getWriter(): WebWriter } => {
    const WritableStream = web()["WritableStream"] as new () => unknown;
    if (!(value instanceof WritableStream)) throw invalidArgType("writableStream", "WritableStream", value);
    return value as { getWriter(): WebWriter };
  };

  Readable.fromWeb = (readableStream: unknown, options: Record<string, unknown> = {}) => {
    const reader = readableStreamOf(readableStream).getReader();
    const { highWaterMark, encoding, objectMode = false, signal } = options;
    let closed = false;
    const readable: NodeReadable = new Readable({
      highWaterMark,
      encoding,
      objectMode,
      signal,
      ...readFrom(reader, () => readable),
      destroy(error: Error | null, callback: Callback) {
        const done = (): void => settle(() => callback(error), nextTickThrow);
        if (!closed) reader.cancel(error).then(done, done);
        else done();
      },
    });
    reader.closed.then(
      () => {
        closed = true;
      },
      (error: unknown) => {
        closed = true;
        destroy(readable, error);
      },
    );
    return readable;
  };

  const readableToWeb = (streamReadable: NodeReadable, strategy: unknown, eosOptions: Record<string, unknown>): unknown => {
    const { ReadableStream, CountQueuingStrategy } = web() as WebStreams & { CountQueuingStrategy: new (init: unknown) => unknown };
    if (stream.isDestroyed(streamReadable) || !stream.isReadable(streamReadable)) {
      const readable = new ReadableStream() as { cancel(): Promise<void> };
      void readable.cancel();
      return readable;
    }
    const objectMode = streamReadable.readableObjectMode;
    const highWaterMark = streamReadable.readableHighWaterMark;
    let controller: WebController | undefined;
    const onData = (chunk: unknown): void => {
      if (!controller) return;
      controller.enqueue(!objectMode && chunk instanceof Uint8Array ? new Uint8Array(chunk) : chunk);
      if ((controller.desiredSize ?? 0) <= 0) streamReadable.pause();
    };
    const cleanup = finished(streamReadable, eosOptions, (error) => {
      cleanup();
      // A late error from the Node side has nowhere left to go once the web side ended.
      streamReadable.on("error", () => undefined);
      const reason = prematureToAbort(error);
      if (controller) settle(() => (reason ? controller?.error(reason) : controller?.close()), () => undefined);
      controller = undefined;
    });
    streamReadable.on("data", onData);
    streamReadable.pause();
    return new ReadableStream(
      {
        start(c: WebController) {
          controller = c;
        },
        pull() {
          streamReadable.resume();
        },
        cancel(reason: unknown) {
          destroy(streamReadable, reason);
        },
      },
      strategy ?? (objectMode ? new CountQueuingStrategy({ highWaterMark }) : { highWaterMark }),
    );
  };

  Readable.toWeb = (streamReadable: unknown, options: { strategy?: unknown } = {}) => {
    if (typeof (streamReadable as NodeReadable | undefined)?._readableState !== "object") throw invalidArgType("streamReadable", "stream.Readable", streamReadable);
    return readableToWeb(streamReadable as NodeReadable, options.strategy, {});
  };

  Writable.fromWeb = (writableStream: unknown, options: Record<string, unknown> = {}) => {
    const writer = writableStreamOf(writableStream).getWriter();
    const { highWaterMark, decodeStrings = true, objectMode = false, signal } = options;
    let closed = false;
    const writable: NodeWritable = new Writable({
      highWaterMark,
      decodeStrings,
      objectMode,
      signal,
      ...writeTo(writer, () => writable, () => closed),
      destroy(error: Error | null, callback: Callback) {
        const done = (): void => settle(() => callback(error), nextTickThrow);
        if (closed) done();
        else if (error != null) writer.abort(error).then(done, done);
        else writer.close().then(done, done);
      },
    });
    writer.closed.then(
      () => {
        closed = true;
        if (!writable.writableEnded) destroy(writable, Object.assign(new Error("Premature close"), { code: "ERR_STREAM_PREMATURE_CLOSE" }));
      },
      (error: unknown) => {
        closed = true;
        destroy(writable, error);
      },
    );
    return writable;
  };

  const writableToWeb = (streamWritable: NodeWritable, eosOptions: Record<string, unknown>): unknown => {
    const { WritableStream, CountQueuingStrategy } = web() as WebStreams & { WritableStream: new (sink?: unknown, strategy?: unknown) => unknown; CountQueuingStrategy: new (init: unknown) => unknown };
    if (stream.isDestroyed(streamWritable) || !stream.isWritable(streamWritable)) {
      const writable = new WritableStream() as { close(): Promise<void> };
      void writable.close();
      return writable;
    }
    const highWaterMark = streamWritable.writableHighWaterMark;
    let controller: WebController | undefined;
    let backpressure: { resolve(): void; reject(error: unknown): void } | undefined;
    let closing: { resolve(): void; reject(error: unknown): void } | undefined;
    const cleanup = finished(streamWritable, eosOptions, (error) => {
      cleanup();
      streamWritable.on("error", () => undefined);
      const reason = prematureToAbort(error);
      if (reason != null) {
        backpressure?.reject(reason);
        closing?.reject(reason);
        closing = undefined;
        controller?.error(reason);
      } else if (closing) {
        closing.resolve();
        closing = undefined;
      } else {
        controller?.error(abortError());
      }
      controller = undefined;
    });
    streamWritable.on("drain", () => backpressure?.resolve());
    return new WritableStream(
      {
        start(c: WebController) {
          controller = c;
        },
        write(chunk: unknown) {
          if (!streamWritable.writableNeedDrain && streamWritable.write(chunk)) return undefined;
          return new Promise<void>((resolve, reject) => {
            backpressure = { resolve, reject };
          }).finally(() => {
            backpressure = undefined;
          });
        },
        abort(reason: unknown) {
          destroy(streamWritable, reason);
        },
        close() {
          if (closing || streamWritable.writableEnded) return undefined;
          return new Promise<void>((resolve, reject) => {
            closing = { resolve, reject };
            streamWritable.end();
          });
        },
      },
      streamWritable.writableObjectMode ? new CountQueuingStrategy({ highWaterMark }) : { highWaterMark },
    );
  };

  Writable.toWeb = (streamWritable: unknown) => {
    if (typeof (streamWritable as NodeWritable | undefined)?._writableState !== "object") throw invalidArgType("streamWritable", "stream.Writable", streamWritable);
    return writableToWeb(streamWritable as NodeWritable, {});
  };

  Duplex.fromWeb = (pair: { readable?: unknown; writable?: unknown } | null | undefined, options: Record<string, unknown> = {}) => {
    const reader = readableStreamOf(pair?.readable).getReader();
    const writer = writableStreamOf(pair?.writable).getWriter();
    const { allowHalfOpen = false, objectMode = false, encoding, decodeStrings = true, highWaterMark, signal } = options;
    let readerClosed = false;
    let writerClosed = false;
    const duplex: NodeReadable & NodeWritable = new Duplex({
      allowHalfOpen,
      highWaterMark,
      objectMode,
      encoding,
      decodeStrings,
      signal,
      ...readFrom(reader, () => duplex),
      ...writeTo(writer, () => duplex, () => writerClosed),
      destroy(error: Error | null, callback: Callback) {
        const done = (): void => settle(() => callback(error), nextTickThrow);
        const closeWriter = writerClosed ? Promise.resolve() : error != null ? writer.abort(error) : writer.close();
        const cancelReader = readerClosed ? Promise.resolve() : reader.cancel(error);
        Promise.all([closeWriter, cancelReader]).then(done, done);
      },
    });
    writer.closed.then(
      () => {
        writerClosed = true;
      },
      (error: unknown) => {
        writerClosed = true;
        readerClosed = true;
        destroy(duplex, error);
      },
    );
    reader.closed.then(
      () => {
        readerClosed = true;
      },
      (error: unknown) => {
        writerClosed = true;
        readerClosed = true;
        destroy(duplex, error);
      },
    );
    return duplex;
  };

  Duplex.toWeb = (duplex: unknown) => {
    if (typeof (duplex as NodeReadable | undefined)?._readableState !== "object" || typeof (duplex as NodeWritable | undefined)?._writableState !== "object") {
      throw invalidArgType("duplex", "stream.Duplex", duplex);
    }
    const both = duplex as NodeReadable & NodeWritable;
    return { readable: readableToWeb(both, undefined, { writable: false }), writable: writableToWeb(both, { readable: false }) };
  };
}

/** Builds `stream`; `web` builds `stream/web`, which only the adapters need. */
export function createStream(web: () => WebStreams): StreamModule {
  const stream = (vendor.stream() as { Stream: StreamModule }).Stream;
  installAdapters(stream, web);
  return stream;
}

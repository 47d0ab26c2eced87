// Lambda's response streaming in the runtime: `awslambda.streamifyResponse(handler)` marks a handler that
// takes `(event, responseStream, context)`, and `awslambda.HttpResponseStream.from(stream, metadata)` puts
// a function URL's status and headers ahead of the body, as Lambda's runtime does. The stream is a Node
// Writable whose bytes wait in the outbox for the host, never more than the host's credit: a write past
// it is held (and `write` answers false until 'drain') until the host says the caller took what went
// before (Runtime.drained). The host checks the credit again on its side.
import { vendor } from "./vendor.js";
import { pushResponseBytes, setResponseContentType } from "./outbox.js";
import { utf8Encode } from "./web/encoding.js";

/** The marker Lambda's runtime reads on a streamified handler. */
export const STREAMING_HANDLER = Symbol.for("aws.lambda.runtime.handler.streaming");
const HTTP_INTEGRATION_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";

interface WritableLike {
  write(chunk: unknown): boolean;
  end(): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  destroyed: boolean;
  /** readable-stream 3 keeps its state here (it has no `writableFinished`). */
  _writableState: { ended: boolean; finished: boolean };
}

type WritableConstructor = new (options: {
  write: (chunk: unknown, encoding: string, callback: (error?: Error | null) => void) => void;
  decodeStrings?: boolean;
}) => WritableLike;

export interface ResponseStream extends WritableLike {
  setContentType(contentType: string): void;
}

/** The stream of the running invocation, with the bytes the host will still take. */
let credit = 0;
let held: { data: Uint8Array; callback: (error?: Error | null) => void } | undefined;

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === "string") return utf8Encode(chunk);
  throw new TypeError('The "chunk" argument must be of type string or an instance of Buffer or Uint8Array');
}

/** Hands the outbox what the credit allows; the rest waits for the host's next credit. */
function pump(): void {
  while (held && credit > 0) {
    const size = Math.min(credit, held.data.length);
    // A copy: the function may reuse its buffer once its write is done.
    pushResponseBytes(held.data.slice(0, size));
    credit -= size;
    held.data = held.data.subarray(size);
    if (held.data.length === 0) {
      const { callback } = held;
      held = undefined;
      callback();
    }
  }
}

/** A new streamed invocation, with `window` bytes of credit. */
export function openResponseStream(window: number): ResponseStream {
  credit = window;
  held = undefined;
  const Writable = vendor.stream()["Writable"] as WritableConstructor;
  const stream = new Writable({
    decodeStrings: false,
    write(chunk, _encoding, callback) {
      let data: Uint8Array;
      try {
        data = toBytes(chunk);
      } catch (error) {
        callback(error as Error);
        return;
      }
      if (data.length === 0) return callback();
      held = { data, callback };
      pump();
    },
  }) as ResponseStream;
  stream.setContentType = (contentType: string) => {
    if (typeof contentType !== "string") throw new TypeError("The content type must be a string");
    setResponseContentType(contentType);
  };
  return stream;
}

/** The host passed on `bytes` more of the response: as much credit comes back. */
export function responseDrained(bytes: number): void {
  credit += bytes;
  pump();
}

/** The invocation is over: bytes still held go nowhere. */
export function closeResponseStream(): void {
  held = undefined;
  credit = 0;
}

/** Resolves once everything written has gone to the outbox; rejects with the stream's error. */
export function finished(stream: WritableLike): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stream._writableState.finished) return resolve();
    stream.once("finish", () => resolve());
    stream.once("error", (error) => reject(error));
    if (!stream._writableState.ended) stream.end();
  });
}

/** The `awslambda` global of Lambda's Node.js runtime. */
export function createAwsLambdaGlobal(): Record<string, unknown> {
  const HttpResponseStream = {
    /** Writes the HTTP prelude (status, headers, cookies) a function URL answers with, before the body. */
    from(stream: ResponseStream, metadata: unknown): ResponseStream {
      stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
      stream.write(JSON.stringify(metadata ?? {}));
      stream.write(new Uint8Array(8));
      return stream;
    },
  };
  return {
    streamifyResponse<H extends object>(handler: H): H {
      if (typeof handler !== "function") throw new TypeError("streamifyResponse takes the handler function");
      (handler as Record<symbol, unknown>)[STREAMING_HANDLER] = "response";
      return handler;
    },
    HttpResponseStream,
  };
}

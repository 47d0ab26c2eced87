// `buffer` is the `buffer` package (Node's Buffer for JavaScript engines), built into the sandbox; the
// global `Buffer` is the same class.

import { vendor } from "../vendor.js";

export interface BufferModule {
  Buffer: BufferClass;
  [name: string]: unknown;
}

export interface BufferClass {
  from(value: unknown, encoding?: string): Uint8Array & { toString(encoding?: string): string };
  isBuffer(value: unknown): boolean;
  alloc(size: number): Uint8Array;
  concat(list: Uint8Array[]): Uint8Array;
}

/** V8's longest string on 64-bit machines, as Node 20 reports it. */
const MAX_STRING_LENGTH = 2 ** 29 - 24;

export function bufferModule(): BufferModule {
  const module = vendor.buffer() as BufferModule;
  // Node's `buffer.constants` and `kStringMaxLength`, which the package lacks (ioredis reads them).
  // The bundler renamed the package's `Buffer` function to keep bundled names apart; code checks
  // `value.constructor.name === "Buffer"`, as it may in Node.
  if ((module.Buffer as unknown as { name: string }).name !== "Buffer") Object.defineProperty(module.Buffer, "name", { value: "Buffer" });
  if (module["constants"] === undefined) {
    module["constants"] = { MAX_LENGTH: module["kMaxLength"], MAX_STRING_LENGTH };
    module["kStringMaxLength"] = MAX_STRING_LENGTH;
  }
  return module;
}

export function Buffer(): BufferClass {
  return bufferModule().Buffer;
}

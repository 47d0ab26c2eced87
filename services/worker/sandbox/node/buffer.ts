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

export function bufferModule(): BufferModule {
  return vendor.buffer() as BufferModule;
}

export function Buffer(): BufferClass {
  return bufferModule().Buffer;
}

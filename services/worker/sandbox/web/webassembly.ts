// WebAssembly with every memory capped at the function's memory size. V8 counts a wasm memory in no heap
// statistic, so isolated-vm's cap does not hold it: the runtime bounds it here. The Memory constructor and
// `Memory.prototype.grow` refuse more than the cap, and every way to compile a module rewrites the binary's
// memory section so each memory the module defines has a maximum within the cap (wasm code grows memory
// with its own `memory.grow`, which only the declared maximum bounds). The originals are taken when the
// runtime is evaluated, before any function code runs, and replaced wherever function code could find
// them (the namespace and each prototype's `constructor`). A limit hit is a RangeError.
// The host hears how far the environment's live wasm memories may grow together (the `wasm` host call):
// when a sandbox process outgrows its memory, that names the likely culprit (src/sandbox-process/).
import { callHost } from "../host-access.js";
import { Response } from "./fetch.js";

const PAGE_BYTES = 65_536;
/** wasm32's own ceiling: 4 GB. */
const MAX_PAGES = 65_536;

// Intrinsics, taken before function code can replace anything they reach.
const apply = Reflect.apply;
const construct = Reflect.construct;
const defineProperty = Object.defineProperty;
const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const isView = ArrayBuffer.isView;
const OwnUint8Array = Uint8Array;
const OwnTypeError = TypeError;
const OwnRangeError = RangeError;
const OwnPromise = Promise;
const OwnFinalizationRegistry = FinalizationRegistry;
const OwnWeakMap = WeakMap;
const weakMapGet = WeakMap.prototype.get;
const weakMapSet = WeakMap.prototype.set;
const typedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;
const getter = (target: object, name: string): ((this: unknown) => unknown) => getOwnPropertyDescriptor(target, name)?.get as (this: unknown) => unknown;
const typedArrayBuffer = getter(typedArrayPrototype, "buffer");
const typedArrayOffset = getter(typedArrayPrototype, "byteOffset");
const typedArrayLength = getter(typedArrayPrototype, "byteLength");
const dataViewBuffer = getter(DataView.prototype, "buffer");
const dataViewOffset = getter(DataView.prototype, "byteOffset");
const dataViewLength = getter(DataView.prototype, "byteLength");
const arrayBufferLength = getter(ArrayBuffer.prototype, "byteLength");
const sharedArrayBufferLength = typeof SharedArrayBuffer === "function" ? getter(SharedArrayBuffer.prototype, "byteLength") : undefined;
const lengthOf = (bytes: Uint8Array): number => apply(typedArrayLength, bytes, []) as number;
const copyInto = (typedArrayPrototype as { set: (source: ArrayLike<number>, offset?: number) => void }).set;

/** The parts of V8's WebAssembly namespace the runtime wraps (lib ES2022 does not declare it). */
interface WasmConstructor {
  new (...args: unknown[]): object;
  readonly prototype: object;
  readonly length: number;
}
interface WasmNamespace {
  Memory: WasmConstructor;
  Module: WasmConstructor & { exports(module: unknown): unknown };
  Instance: WasmConstructor;
  CompileError: new (message: string) => Error;
  validate(bytes: unknown): boolean;
}

const wasm = (globalThis as { WebAssembly?: WasmNamespace }).WebAssembly;
const original = wasm
  ? {
      Memory: wasm.Memory,
      Module: wasm.Module,
      Instance: wasm.Instance,
      validate: wasm.validate,
      CompileError: wasm.CompileError,
      grow: (wasm.Memory.prototype as { grow: (delta: number) => number }).grow,
      memoryBuffer: getter(wasm.Memory.prototype, "buffer"),
      moduleExports: wasm.Module.exports,
    }
  : undefined;

/** Thrown for a binary the runtime cannot read: V8 would refuse it too. */
function compileError(message: string): Error {
  const Class = original?.CompileError ?? Error;
  return new Class(`WebAssembly.Module(): ${message}`);
}

/** A copy of a BufferSource's bytes, read with the intrinsics (a getter function code replaced cannot lie). */
export function bufferSourceBytes(source: unknown, context: string): Uint8Array {
  let buffer: unknown;
  let offset = 0;
  let length: number;
  if (isView(source)) {
    try {
      buffer = apply(typedArrayBuffer, source, []);
      offset = apply(typedArrayOffset, source, []) as number;
      length = apply(typedArrayLength, source, []) as number;
    } catch {
      buffer = apply(dataViewBuffer, source, []);
      offset = apply(dataViewOffset, source, []) as number;
      length = apply(dataViewLength, source, []) as number;
    }
  } else {
    buffer = source;
    length = byteLengthOfBuffer(source, context);
  }
  const copy = new OwnUint8Array(length);
  apply(copyInto, copy, [new OwnUint8Array(buffer as ArrayBuffer, offset, length)]);
  return copy;
}

function byteLengthOfBuffer(source: unknown, context: string): number {
  try {
    return apply(arrayBufferLength, source, []) as number;
  } catch {
    if (sharedArrayBufferLength) {
      try {
        return apply(sharedArrayBufferLength, source, []) as number;
      } catch {
        // Neither kind of buffer: refused below.
      }
    }
  }
  throw new OwnTypeError(`${context}: Argument 0 must be a buffer source`);
}

/** Reads a module binary's section headers and rewrites its memory section within `capPages`. */
class BinaryReader {
  position = 0;
  readonly length: number;
  constructor(readonly bytes: Uint8Array) {
    this.length = lengthOf(bytes);
  }

  byte(): number {
    if (this.position >= this.length) throw compileError(`unexpected end of the module at offset ${this.position}`);
    return this.bytes[this.position++] as number;
  }

  /** An unsigned LEB128 of at most `bits` bits (32 or 64), as a number (exact to 2^53). */
  unsigned(bits: 32 | 64): number {
    const maxBytes = bits === 32 ? 5 : 10;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < maxBytes; i++) {
      const byte = this.byte();
      result += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) {
        if (bits === 32 && result > 0xffffffff) throw compileError(`invalid LEB128 at offset ${this.position - 1}`);
        return result;
      }
    }
    throw compileError(`LEB128 too long at offset ${this.position}`);
  }
}

function writeUnsigned(out: number[], value: number): void {
  let rest = value;
  do {
    const low = rest % 128;
    rest = Math.floor(rest / 128);
    out.push(rest > 0 ? low | 0x80 : low);
  } while (rest > 0);
}

/** A module binary whose defined memories are capped, and how far they may grow together (bytes). */
export interface CappedModule {
  bytes: Uint8Array;
  maxBytes: number;
}

const MEMORY_SECTION = 5;

/**
 * Rewrites the memory section so every memory the module defines has a maximum of at most `capPages`
 * (one without a maximum gets `capPages`); a memory whose initial size is above the cap is refused with a
 * RangeError. Imported memories need no rewrite: they are Memory objects, and every one is capped.
 * Anything the reader cannot follow is refused as a CompileError, never passed on unread.
 */
export function capModuleMemory(bytes: Uint8Array, capPages: number): CappedModule {
  const reader = new BinaryReader(bytes);
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  for (const expected of header) {
    if (reader.byte() !== expected) throw compileError("expected the wasm magic number and version 1");
  }
  const length = reader.length;
  const buffer = apply(typedArrayBuffer, bytes, []) as ArrayBuffer;
  const base = apply(typedArrayOffset, bytes, []) as number;
  let maxBytes = 0;
  while (reader.position < length) {
    const sectionStart = reader.position;
    const id = reader.byte();
    const size = reader.unsigned(32);
    const contentStart = reader.position;
    const end = contentStart + size;
    if (end > length) throw compileError(`section ${id} runs past the end of the module`);
    if (id !== MEMORY_SECTION) {
      reader.position = end;
      continue;
    }
    const content: number[] = [];
    const count = reader.unsigned(32);
    writeUnsigned(content, count);
    for (let i = 0; i < count; i++) {
      const flags = reader.byte();
      if (flags > 0x07) throw compileError(`unknown memory limits flags ${flags}`);
      const bits = (flags & 0x04) !== 0 ? 64 : 32;
      const hasMaximum = (flags & 0x01) !== 0;
      const initial = reader.unsigned(bits);
      const maximum = hasMaximum ? reader.unsigned(bits) : undefined;
      if (initial > capPages) throw memoryTooLarge(initial, capPages);
      // Shared without a maximum is invalid: left as it is, V8 refuses it.
      const keep = (flags & 0x02) !== 0 && !hasMaximum;
      const capped = maximum === undefined ? capPages : Math.min(maximum, capPages);
      content.push(keep ? flags : flags | 0x01);
      writeUnsigned(content, initial);
      if (!keep) writeUnsigned(content, capped);
      maxBytes += (keep ? initial : capped) * PAGE_BYTES;
    }
    if (reader.position !== end) throw compileError("the memory section's size does not match its contents");
    const sectionHeader: number[] = [MEMORY_SECTION];
    writeUnsigned(sectionHeader, content.length);
    const out = new OwnUint8Array(length - (end - sectionStart) + sectionHeader.length + content.length);
    apply(copyInto, out, [new OwnUint8Array(buffer, base, sectionStart), 0]);
    apply(copyInto, out, [sectionHeader, sectionStart]);
    apply(copyInto, out, [content, sectionStart + sectionHeader.length]);
    apply(copyInto, out, [new OwnUint8Array(buffer, base + end, length - end), sectionStart + sectionHeader.length + content.length]);
    // One memory section at most: V8 refuses a second, so the rest needs no reading.
    return { bytes: out, maxBytes };
  }
  return { bytes, maxBytes };
}

let capPages = MAX_PAGES;
let capMb = 0;

function memoryTooLarge(pages: number, cap: number): Error {
  return new OwnRangeError(
    `WebAssembly memory of ${pages} pages (${Math.ceil((pages * PAGE_BYTES) / 1_048_576)} MB) is larger than this function's memory size allows (${cap} pages, ${capMb} MB)`,
  );
}

// What the environment's live memories may grow to, together; the host hears of each change it can act on.
let reservedBytes = 0;
const reservations = new OwnFinalizationRegistry<number>((bytes) => {
  reservedBytes -= bytes;
});
const moduleMaxBytes = new OwnWeakMap<object, number>();

function reserve(holder: object, bytes: number): void {
  if (bytes <= 0) return;
  reservedBytes += bytes;
  reservations.register(holder, bytes);
  callHost("wasm", reservedBytes);
}

function rememberModule(module: object, maxBytes: number): void {
  apply(weakMapSet, moduleMaxBytes, [module, maxBytes]);
}

function maxBytesOfModule(module: unknown): number {
  return (apply(weakMapGet, moduleMaxBytes, [module]) as number | undefined) ?? 0;
}

function isModule(value: unknown): boolean {
  if (!original || typeof value !== "object" || value === null) return false;
  try {
    apply(original.moduleExports, undefined, [value]);
    return true;
  } catch {
    return false;
  }
}

/** A promise of `work`'s result, or of its failure. */
function settled<T>(work: () => T): Promise<T> {
  return new OwnPromise<T>((resolve) => resolve(work()));
}

function capped(source: unknown, context: string): CappedModule {
  return capModuleMemory(bufferSourceBytes(source, context), capPages);
}

/** The descriptor passed on: `initial` as given (a RangeError past the cap), `maximum` within the cap. */
function memoryDescriptor(descriptor: unknown): unknown {
  if (typeof descriptor !== "object" || descriptor === null) return descriptor;
  const given = descriptor as { initial?: unknown; maximum?: unknown; shared?: unknown };
  const initial = given.initial === undefined ? undefined : Number(given.initial);
  const maximum = given.maximum === undefined ? undefined : Number(given.maximum);
  const shared = Boolean(given.shared);
  if (initial !== undefined && Number.isFinite(initial) && Math.trunc(initial) > capPages) throw memoryTooLarge(Math.trunc(initial), capPages);
  let cappedMaximum: number | undefined;
  if (maximum === undefined) cappedMaximum = shared ? undefined : capPages;
  else cappedMaximum = Number.isFinite(maximum) && maximum > capPages ? capPages : maximum;
  const out: { initial: number | undefined; maximum?: number; shared: boolean } = { initial, shared };
  if (cappedMaximum !== undefined) out.maximum = cappedMaximum;
  return out;
}

function pagesOf(memory: unknown): number {
  const buffer = apply((original as NonNullable<typeof original>).memoryBuffer, memory, []);
  let length: number;
  try {
    length = apply(arrayBufferLength, buffer, []) as number;
  } catch {
    length = apply(sharedArrayBufferLength as (this: unknown) => unknown, buffer, []) as number;
  }
  return length / PAGE_BYTES;
}

/**
 * Replaces WebAssembly's constructors and compile functions with capped ones; `memoryMb` is the
 * function's memory size. Runs at boot, before function code.
 */
export function installWebAssembly(memoryMb: number): void {
  if (!wasm || !original) return;
  const o = original;
  capPages = Math.max(1, Math.min(MAX_PAGES, Math.floor((memoryMb * 1_048_576) / PAGE_BYTES)));
  capMb = memoryMb;

  function Memory(this: unknown, descriptor: unknown): object {
    if (new.target === undefined) throw new OwnTypeError("WebAssembly.Memory must be invoked with 'new'");
    const passed = memoryDescriptor(descriptor);
    const memory = construct(o.Memory, [passed], new.target) as object;
    const maximum = (passed as { maximum?: number } | null)?.maximum ?? capPages;
    reserve(memory, Math.min(maximum, capPages) * PAGE_BYTES);
    return memory;
  }

  function grow(this: unknown, delta: unknown): number {
    const pages = Number(delta);
    if (Number.isFinite(pages) && pages >= 0 && pagesOf(this) + Math.trunc(pages) > capPages) {
      throw new OwnRangeError(`WebAssembly.Memory.grow(): this function's memory size (${capMb} MB) allows at most ${capPages} pages`);
    }
    return apply(o.grow, this, [pages]) as number;
  }

  function Module(this: unknown, bytes: unknown): object {
    if (new.target === undefined) throw new OwnTypeError("WebAssembly.Module must be invoked with 'new'");
    const { bytes: rewritten, maxBytes } = capped(bytes, "WebAssembly.Module()");
    const module = construct(o.Module, [rewritten], new.target) as object;
    rememberModule(module, maxBytes);
    return module;
  }

  function Instance(this: unknown, module: unknown, imports?: unknown): object {
    if (new.target === undefined) throw new OwnTypeError("WebAssembly.Instance must be invoked with 'new'");
    const instance = construct(o.Instance, [module, imports], new.target) as object;
    reserve(instance, maxBytesOfModule(module));
    return instance;
  }

  // The asynchronous forms compile and instantiate synchronously, on the isolate's own thread, and settle
  // their promise with the outcome: V8's background compilation would finish in a task isolated-vm runs
  // only when the host next enters the isolate, which an awaiting handler may never give it.
  function compile(bytes: unknown): Promise<unknown> {
    return settled(() => construct(Module, [bytes]));
  }

  function instantiate(source: unknown, imports?: unknown): Promise<unknown> {
    if (isModule(source)) return settled(() => construct(Instance, [source, imports]));
    return settled(() => {
      const module = construct(Module, [source]);
      return { module, instance: construct(Instance, [module, imports]) };
    });
  }

  function validate(bytes: unknown): boolean {
    const copy = bufferSourceBytes(bytes, "WebAssembly.validate()");
    let module: CappedModule;
    try {
      module = capModuleMemory(copy, capPages);
    } catch {
      return false;
    }
    return apply(o.validate, wasm, [module.bytes]) as boolean;
  }

  /** Node's streaming forms: a Response (or a promise of one) with type application/wasm. */
  async function wasmBytes(source: unknown, context: string): Promise<ArrayBuffer> {
    const response = await source;
    if (!(response instanceof Response)) throw new OwnTypeError(`${context}: Argument 0 must be a Response or a promise of one`);
    const type = response.headers.get("content-type");
    if (type === null || type.split(";")[0]?.trim().toLowerCase() !== "application/wasm") {
      throw new OwnTypeError(`${context}: the response's content type must be application/wasm, got ${String(type)}`);
    }
    if (!response.ok) throw new OwnTypeError(`${context}: the response's status is ${response.status}`);
    return response.arrayBuffer();
  }

  async function compileStreaming(source: unknown): Promise<unknown> {
    return compile(await wasmBytes(source, "WebAssembly.compileStreaming()"));
  }

  async function instantiateStreaming(source: unknown, imports?: unknown): Promise<unknown> {
    return instantiate(await wasmBytes(source, "WebAssembly.instantiateStreaming()"), imports);
  }

  const hidden = { writable: true, configurable: true, enumerable: false };
  const pairs: [wrapper: object, original: WasmConstructor][] = [
    [Memory, o.Memory],
    [Module, o.Module],
    [Instance, o.Instance],
  ];
  for (const [wrapper, wrapped] of pairs) {
    defineProperty(wrapper, "prototype", { value: wrapped.prototype, writable: false, enumerable: false, configurable: false });
    defineProperty(wrapped.prototype, "constructor", { value: wrapper, ...hidden });
  }
  for (const name of ["exports", "imports", "customSections"] as const) {
    const descriptor = getOwnPropertyDescriptor(o.Module, name);
    if (descriptor) defineProperty(Module, name, descriptor);
  }
  defineProperty(o.Memory.prototype, "grow", { value: grow, ...hidden });
  const replaced: Record<string, (...args: never[]) => unknown> = { Memory, Module, Instance, compile, instantiate, validate, compileStreaming, instantiateStreaming, grow };
  for (const [name, value] of Object.entries(replaced)) {
    // The originals' arities, so `length` tells function code nothing new.
    const wrapped = name === "grow" ? o.grow : (o as unknown as Record<string, { length: number } | undefined>)[name];
    defineProperty(value, "length", { value: wrapped?.length ?? 1, writable: false, enumerable: false, configurable: true });
    if (name !== "grow") defineProperty(wasm, name, { value, ...hidden });
  }
}

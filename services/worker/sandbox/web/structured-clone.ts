// structuredClone: a deep copy of plain data (objects, arrays, Map, Set, Date, RegExp, errors, array
// buffers and views, boxed primitives) that keeps shared and circular references; functions and other
// uncloneable values throw a DataCloneError.
import { DOMException } from "./event-target.js";

export function structuredClone(value: unknown, _options?: unknown): unknown {
  if (arguments.length === 0) throw new TypeError('The "value" argument must be specified');
  return cloneValue(value, new Map());
}

function uncloneable(value: unknown): never {
  const shown = typeof value === "function" ? String((value as { name?: string }).name || "anonymous") + "() {...}" : String(value);
  throw new DOMException(`${shown} could not be cloned.`, "DataCloneError");
}

function cloneValue(value: unknown, seen: Map<object, unknown>): unknown {
  if (typeof value === "function" || typeof value === "symbol") uncloneable(value);
  if (typeof value !== "object" || value === null) return value;
  const existing = seen.get(value);
  if (existing !== undefined) return existing;
  const remember = <T>(copy: T): T => {
    seen.set(value, copy);
    return copy;
  };
  if (value instanceof Date) return remember(new Date(value.getTime()));
  if (value instanceof RegExp) return remember(new RegExp(value.source, value.flags));
  if (value instanceof Boolean || value instanceof Number || value instanceof String) return remember(Object(value.valueOf()) as object);
  if (value instanceof ArrayBuffer) return remember(value.slice(0));
  if (ArrayBuffer.isView(value)) {
    const buffer = cloneValue(value.buffer, seen) as ArrayBuffer;
    if (value instanceof DataView) return remember(new DataView(buffer, value.byteOffset, value.byteLength));
    const View = value.constructor as new (buffer: ArrayBuffer, offset: number, length: number) => object;
    const typed = value as unknown as { length: number };
    // A Buffer (a Uint8Array subclass) comes back as a Uint8Array, as in Node.
    const Constructor = Object.getPrototypeOf(View.prototype) === Uint8Array.prototype ? Uint8Array : View;
    return remember(new Constructor(buffer, value.byteOffset, typed.length));
  }
  if (value instanceof Map) {
    const copy = remember(new Map());
    for (const [key, item] of value) copy.set(cloneValue(key, seen), cloneValue(item, seen));
    return copy;
  }
  if (value instanceof Set) {
    const copy = remember(new Set());
    for (const item of value) copy.add(cloneValue(item, seen));
    return copy;
  }
  if (value instanceof Error) {
    const Kind = [EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError].find((kind) => value instanceof kind) ?? Error;
    const copy = remember(new Kind(value.message));
    if (typeof value.stack === "string") copy.stack = value.stack;
    if ("cause" in value) (copy as { cause?: unknown }).cause = cloneValue(value.cause, seen);
    return copy;
  }
  if (value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet) uncloneable(value);
  if (Array.isArray(value)) {
    const copy = remember(new Array<unknown>(value.length));
    for (const key of Object.keys(value)) copy[key as unknown as number] = cloneValue(value[key as unknown as number], seen);
    return copy;
  }
  const copy = remember({} as Record<string, unknown>);
  for (const key of Object.keys(value)) copy[key] = cloneValue((value as Record<string, unknown>)[key], seen);
  return copy;
}

// `util`: format and inspect (the console's own), promisify/callbackify, inherits, deprecate, types,
// isDeepStrictEqual, TextEncoder/TextDecoder.
import { format, inspect } from "../inspect.js";
import { TextDecoder, TextEncoder } from "../web/encoding.js";
import { isDeepEqual } from "./deep-equal.js";

const custom = Symbol.for("nodejs.util.promisify.custom");
const tag = (value: unknown): string => Object.prototype.toString.call(value).slice(8, -1);

type Callback = (error: unknown, ...values: unknown[]) => void;
type CallbackFunction = (...args: unknown[]) => void;

export function promisify(original: unknown): (...args: unknown[]) => Promise<unknown> {
  if (typeof original !== "function") throw new TypeError('The "original" argument must be of type function');
  const own = (original as unknown as Record<symbol, unknown>)[custom];
  if (typeof own === "function") return own as (...args: unknown[]) => Promise<unknown>;
  const fn = original as CallbackFunction;
  const promisified = function (this: unknown, ...args: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      fn.call(this, ...args, ((error, ...values) => {
        if (error) reject(error);
        else resolve(values.length > 1 ? values : values[0]);
      }) as Callback);
    });
  };
  Object.setPrototypeOf(promisified, Object.getPrototypeOf(fn));
  Object.defineProperty(promisified, custom, { value: promisified });
  return promisified;
}
promisify.custom = custom;

export function callbackify(original: (...args: unknown[]) => Promise<unknown>): (...args: unknown[]) => void {
  if (typeof original !== "function") throw new TypeError('The "original" argument must be of type function');
  return function (this: unknown, ...args: unknown[]): void {
    const callback = args.pop();
    if (typeof callback !== "function") throw new TypeError("The last argument must be of type function");
    original.apply(this, args).then(
      (value) => queueMicrotask(() => (callback as Callback)(null, value)),
      (error: unknown) => queueMicrotask(() => (callback as Callback)(error ?? new Error("Promise was rejected with a falsy value"))),
    );
  };
}

export function inherits(constructor: { prototype: object; super_?: unknown }, superConstructor: { prototype: object }): void {
  Object.defineProperty(constructor, "super_", { value: superConstructor, writable: true, configurable: true });
  Object.setPrototypeOf(constructor.prototype, superConstructor.prototype);
}

export function deprecate<T extends (...args: unknown[]) => unknown>(fn: T, message: string): T {
  let warned = false;
  return function (this: unknown, ...args: unknown[]) {
    if (!warned) {
      warned = true;
      console.warn(`DeprecationWarning: ${message}`);
    }
    return fn.apply(this, args);
  } as T;
}

const typed = (value: unknown): boolean => ArrayBuffer.isView(value) && !(value instanceof DataView);

export const types = {
  isPromise: (value: unknown) => value instanceof Promise,
  isDate: (value: unknown) => value instanceof Date,
  isRegExp: (value: unknown) => value instanceof RegExp,
  isMap: (value: unknown) => value instanceof Map,
  isSet: (value: unknown) => value instanceof Set,
  isWeakMap: (value: unknown) => value instanceof WeakMap,
  isWeakSet: (value: unknown) => value instanceof WeakSet,
  isNativeError: (value: unknown) => value instanceof Error,
  isArrayBuffer: (value: unknown) => value instanceof ArrayBuffer,
  isAnyArrayBuffer: (value: unknown) => value instanceof ArrayBuffer || value instanceof SharedArrayBuffer,
  isSharedArrayBuffer: (value: unknown) => value instanceof SharedArrayBuffer,
  isArrayBufferView: (value: unknown) => ArrayBuffer.isView(value),
  isDataView: (value: unknown) => value instanceof DataView,
  isTypedArray: typed,
  isUint8Array: (value: unknown) => tag(value) === "Uint8Array",
  isAsyncFunction: (value: unknown) => tag(value) === "AsyncFunction" || tag(value) === "AsyncGeneratorFunction",
  isGeneratorFunction: (value: unknown) => tag(value) === "GeneratorFunction" || tag(value) === "AsyncGeneratorFunction",
  isGeneratorObject: (value: unknown) => tag(value) === "Generator",
  isBoxedPrimitive: (value: unknown) => value instanceof Number || value instanceof String || value instanceof Boolean,
  isSymbolObject: (value: unknown) => typeof value === "object" && tag(value) === "Symbol",
  isProxy: () => false,
};

export function isDeepStrictEqual(a: unknown, b: unknown): boolean {
  return isDeepEqual(a, b, true);
}

export function createUtil(): Record<string, unknown> {
  const inspectFn = Object.assign((value: unknown, _options?: unknown) => inspect(value), { custom: Symbol.for("nodejs.util.inspect.custom"), defaultOptions: {} });
  const util: Record<string, unknown> = {
    format,
    formatWithOptions: (_options: unknown, ...args: unknown[]) => format(...args),
    inspect: inspectFn,
    promisify,
    callbackify,
    inherits,
    deprecate,
    types,
    isDeepStrictEqual,
    TextEncoder,
    TextDecoder,
    debuglog: () => Object.assign(() => undefined, { enabled: false }),
    isArray: Array.isArray,
    isError: (value: unknown) => value instanceof Error,
    isFunction: (value: unknown) => typeof value === "function",
    isString: (value: unknown) => typeof value === "string",
    isNumber: (value: unknown) => typeof value === "number",
    isObject: (value: unknown) => typeof value === "object" && value !== null,
    isPrimitive: (value: unknown) => value === null || (typeof value !== "object" && typeof value !== "function"),
    isUndefined: (value: unknown) => value === undefined,
    isNullOrUndefined: (value: unknown) => value === null || value === undefined,
    isRegExp: types.isRegExp,
    isDate: types.isDate,
    stripVTControlCharacters: (text: string) => String(text).replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), ""),
    toUSVString: (text: string) => String(text).replace(/[\ud800-\udfff]/g, (char, index: number, whole: string) => {
      const code = char.charCodeAt(0);
      const next = whole.charCodeAt(index + 1);
      const previous = whole.charCodeAt(index - 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) return char;
      if (code >= 0xdc00 && previous >= 0xd800 && previous <= 0xdbff) return char;
      return "\ufffd";
    }),
  };
  return util;
}

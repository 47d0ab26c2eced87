// Deep equality as Node's assert and util compare values: loose (==, prototypes ignored) or strict
// (Object.is, prototypes and own enumerable symbols compared).

function sameType(a: object, b: object): boolean {
  return Object.prototype.toString.call(a) === Object.prototype.toString.call(b);
}

export function isDeepEqual(a: unknown, b: unknown, strict: boolean, seen: Map<object, object> = new Map()): boolean {
  if (strict ? Object.is(a, b) : a == b || (Number.isNaN(a) && Number.isNaN(b))) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (!sameType(a, b)) return false;
  if (seen.get(a) === b) return true;
  seen.set(a, b);
  if (a instanceof Date && b instanceof Date) {
    if (a.getTime() !== b.getTime()) return false;
  } else if (a instanceof RegExp && b instanceof RegExp) {
    if (a.source !== b.source || a.flags !== b.flags || a.lastIndex !== b.lastIndex) return false;
  } else if (a instanceof Error && b instanceof Error) {
    if (a.message !== b.message || a.name !== b.name) return false;
  } else if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  } else if (a instanceof ArrayBuffer && b instanceof ArrayBuffer) {
    return isDeepEqual(new Uint8Array(a), new Uint8Array(b), strict, seen);
  } else if (a instanceof Number || a instanceof String || a instanceof Boolean) {
    if (!Object.is(a.valueOf(), (b as { valueOf(): unknown }).valueOf())) return false;
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [key, value] of a) {
      if (!b.has(key) || !isDeepEqual(value, b.get(key), strict, seen)) return false;
    }
  } else if (a instanceof Set && b instanceof Set) {
    if (a.size !== b.size) return false;
    outer: for (const value of a) {
      if (b.has(value)) continue;
      if (typeof value !== "object" || value === null) return false;
      for (const other of b) if (isDeepEqual(value, other, strict, seen)) continue outer;
      return false;
    }
  }
  if (ArrayBuffer.isView(a)) return true;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  for (const key of keysA) {
    if (!Object.prototype.hasOwnProperty.call(b, key)) return false;
    if (!isDeepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], strict, seen)) return false;
  }
  if (strict) {
    const symbols = (value: object) => Object.getOwnPropertySymbols(value).filter((symbol) => Object.prototype.propertyIsEnumerable.call(value, symbol));
    const symbolsA = symbols(a);
    if (symbolsA.length !== symbols(b).length) return false;
    for (const symbol of symbolsA) {
      if (!isDeepEqual((a as Record<symbol, unknown>)[symbol], (b as Record<symbol, unknown>)[symbol], strict, seen)) return false;
    }
  }
  return true;
}

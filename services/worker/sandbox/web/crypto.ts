// The Web Crypto global: getRandomValues, randomUUID, `subtle` (subtle.ts) and CryptoKey (crypto-key.ts).
// The host computes every random byte, hash, signature and cipher with node:crypto.
import { callHost } from "../host-access.js";
import { CryptoKey } from "./crypto-key.js";
import { hostDigest, randomBytes } from "./crypto-host.js";
import { DOMException } from "./event-target.js";
import { subtle } from "./subtle.js";

export { CryptoKey, hostDigest, randomBytes, subtle };

const INTEGER_ARRAYS = ["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "BigInt64Array", "BigUint64Array"];

export function getRandomValues<T extends ArrayBufferView | null>(array: T): T {
  if (!ArrayBuffer.isView(array) || !INTEGER_ARRAYS.includes(Object.prototype.toString.call(array).slice(8, -1))) {
    throw new DOMException("The data argument must be an integer-type TypedArray", "TypeMismatchError");
  }
  if (array.byteLength > 65536) throw new DOMException(`The ArrayBufferView's byte length (${array.byteLength}) exceeds the number of bytes of entropy available via this API (65536)`, "QuotaExceededError");
  new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(randomBytes(array.byteLength));
  return array;
}

export function randomUUID(): string {
  return callHost("uuid") as string;
}

export const webcrypto = { getRandomValues, randomUUID, subtle, CryptoKey };

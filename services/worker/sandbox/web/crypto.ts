// The Web Crypto global: getRandomValues, randomUUID and a `subtle` with digest and HMAC
// (importKey raw/jwk, generateKey, sign, verify, exportKey raw). The host computes every hash, HMAC
// and random byte with node:crypto; input and output larger than one host call carries cross in pieces.
import { callHost, hostCallBytes } from "../host-access.js";
import { atob, toBytes } from "./encoding.js";
import { DOMException } from "./event-target.js";

const DIGESTS: Record<string, string> = { "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };
const HASH_BYTES: Record<string, number> = { sha1: 64, sha256: 64, sha384: 128, sha512: 128 };

export function randomBytes(size: number): Uint8Array {
  const piece = hostCallBytes();
  if (!(size > piece)) return callHost("random", size) as Uint8Array;
  const out = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += piece) out.set(callHost("random", Math.min(piece, size - offset)) as Uint8Array, offset);
  return out;
}

/** The digest (an HMAC when `key` is given) of `pieces` taken together, fed to the host a call's worth at a time. */
export function hostDigest(algorithm: string, key: Uint8Array | undefined, pieces: Uint8Array[]): Uint8Array {
  const piece = hostCallBytes();
  const total = pieces.reduce((sum, part) => sum + part.length, 0);
  if (total <= piece) {
    const data = pieces.length === 1 ? (pieces[0] as Uint8Array) : concat(pieces, total);
    return (key ? callHost("hmac", algorithm, key, data) : callHost("hash", algorithm, data)) as Uint8Array;
  }
  callHost("hash.start", algorithm, key ?? null);
  for (const part of pieces) {
    // Copies, not views: a view would carry its whole buffer across.
    for (let offset = 0; offset < part.length; offset += piece) callHost("hash.update", part.length <= piece ? part : part.slice(offset, offset + piece));
  }
  return callHost("hash.end") as Uint8Array;
}

function concat(pieces: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of pieces) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function digestName(algorithm: unknown): string {
  const name = typeof algorithm === "string" ? algorithm : String((algorithm as { name?: unknown })?.name);
  const hash = DIGESTS[name.toUpperCase()];
  if (!hash) throw new DOMException(`Unrecognized algorithm name: ${name}`, "NotSupportedError");
  return hash;
}

function copyOf(data: unknown): Uint8Array {
  return toBytes(data).slice();
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

export class CryptoKey {
  readonly type = "secret";
  constructor(
    readonly algorithm: { name: "HMAC"; hash: { name: string }; length: number },
    readonly extractable: boolean,
    readonly usages: string[],
    /** @internal */ readonly secret: Uint8Array,
  ) {}
  get [Symbol.toStringTag](): string {
    return "CryptoKey";
  }
}

function hmacAlgorithm(algorithm: unknown): string {
  const name = typeof algorithm === "string" ? algorithm : String((algorithm as { name?: unknown })?.name);
  if (name.toUpperCase() !== "HMAC") throw new DOMException(`Unrecognized or unsupported algorithm: ${name} (only HMAC is offered)`, "NotSupportedError");
  return "HMAC";
}

function keyOf(key: unknown, usage: string): CryptoKey {
  if (!(key instanceof CryptoKey)) throw new TypeError('The "key" argument must be a CryptoKey');
  if (!key.usages.includes(usage)) throw new DOMException(`The key does not allow ${usage}`, "InvalidAccessError");
  return key;
}

function base64UrlDecode(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

export const subtle = {
  async digest(algorithm: unknown, data: unknown): Promise<ArrayBuffer> {
    return toArrayBuffer(hostDigest(digestName(algorithm), undefined, [copyOf(data)]));
  },
  async importKey(format: string, keyData: unknown, algorithm: { name: string; hash: unknown; length?: number }, extractable: boolean, usages: string[]): Promise<CryptoKey> {
    hmacAlgorithm(algorithm);
    const hash = digestName(algorithm.hash);
    let secret: Uint8Array;
    if (format === "raw") secret = copyOf(keyData);
    else if (format === "jwk" && typeof (keyData as { k?: unknown })?.k === "string") secret = base64UrlDecode((keyData as { k: string }).k);
    else throw new DOMException(`Unsupported key format ${format}`, "NotSupportedError");
    const hashName = Object.keys(DIGESTS).find((name) => DIGESTS[name] === hash) as string;
    return new CryptoKey({ name: "HMAC", hash: { name: hashName }, length: algorithm.length ?? secret.length * 8 }, extractable, [...usages], secret);
  },
  async generateKey(algorithm: { name: string; hash: unknown; length?: number }, extractable: boolean, usages: string[]): Promise<CryptoKey> {
    hmacAlgorithm(algorithm);
    const hash = digestName(algorithm.hash);
    const bytes = algorithm.length ? Math.ceil(algorithm.length / 8) : (HASH_BYTES[hash] as number);
    return subtle.importKey("raw", randomBytes(bytes), algorithm, extractable, usages);
  },
  async exportKey(format: string, key: CryptoKey): Promise<ArrayBuffer> {
    if (!key.extractable) throw new DOMException("The key is not extractable", "InvalidAccessError");
    if (format !== "raw") throw new DOMException(`Unsupported key format ${format}`, "NotSupportedError");
    return toArrayBuffer(key.secret.slice());
  },
  async sign(algorithm: unknown, key: unknown, data: unknown): Promise<ArrayBuffer> {
    hmacAlgorithm(algorithm);
    const usable = keyOf(key, "sign");
    return toArrayBuffer(hostDigest(digestName(usable.algorithm.hash), usable.secret, [copyOf(data)]));
  },
  async verify(algorithm: unknown, key: unknown, signature: unknown, data: unknown): Promise<boolean> {
    hmacAlgorithm(algorithm);
    const usable = keyOf(key, "verify");
    const expected = hostDigest(digestName(usable.algorithm.hash), usable.secret, [copyOf(data)]);
    const given = toBytes(signature);
    if (given.length !== expected.length) return false;
    let difference = 0;
    for (let i = 0; i < given.length; i++) difference |= (given[i] as number) ^ (expected[i] as number);
    return difference === 0;
  },
};

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

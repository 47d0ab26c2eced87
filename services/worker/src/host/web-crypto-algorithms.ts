// What the isolate's `crypto.subtle` hands the host, checked: algorithm names and parameters, key
// descriptions and byte strings, and the DOMException names Node's Web Crypto fails with. Everything here
// was copied out of the isolate and is whatever function code made it.
import { MAX_HOST_CALL_BYTES } from "../limits.js";

/** A Web Crypto failure: the sandbox throws it as a DOMException of this name. */
export type WebCryptoErrorName = "NotSupportedError" | "InvalidAccessError" | "DataError" | "OperationError" | "SyntaxError";

export function webCryptoError(name: WebCryptoErrorName, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

const ALGORITHM_NAMES = [
  "HMAC",
  "RSASSA-PKCS1-v1_5",
  "RSA-PSS",
  "RSA-OAEP",
  "ECDSA",
  "ECDH",
  "Ed25519",
  "X25519",
  "AES-CTR",
  "AES-CBC",
  "AES-GCM",
  "AES-KW",
  "HKDF",
  "PBKDF2",
] as const;
export type AlgorithmName = (typeof ALGORITHM_NAMES)[number];

export const HASH_NAMES = ["SHA-1", "SHA-256", "SHA-384", "SHA-512"] as const;
export type HashName = (typeof HASH_NAMES)[number];
/** node:crypto's name of each Web Crypto hash. */
export const NODE_HASH: Record<HashName, string> = { "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };
/** Each hash's block size in bits: an HMAC key's length when none is given. */
export const HASH_BLOCK_BITS: Record<HashName, number> = { "SHA-1": 512, "SHA-256": 512, "SHA-384": 1024, "SHA-512": 1024 };

export const CURVE_NAMES = ["P-256", "P-384", "P-521"] as const;
export type CurveName = (typeof CURVE_NAMES)[number];
/** node:crypto's name of each curve, as KeyObject.asymmetricKeyDetails reports it. */
export const NODE_CURVE: Record<CurveName, string> = { "P-256": "prime256v1", "P-384": "secp384r1", "P-521": "secp521r1" };

export const KEY_USAGES = ["encrypt", "decrypt", "sign", "verify", "deriveKey", "deriveBits", "wrapKey", "unwrapKey"] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];

/** An algorithm as the sandbox copies it out: its members are strings, numbers, bytes, a hash or a key. */
export type AlgorithmData = Record<string, unknown>;

export function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !(value instanceof Uint8Array) ? (value as Record<string, unknown>) : {};
}

function matchName<T extends string>(names: readonly T[], given: string): T | undefined {
  const upper = given.toUpperCase();
  return names.find((name) => name.toUpperCase() === upper);
}

/** The algorithm's canonical name, matched without regard to case, as WebIDL normalization does. */
export function algorithmName(algorithm: unknown): AlgorithmName {
  const name = typeof algorithm === "string" ? algorithm : record(algorithm)["name"];
  if (typeof name !== "string") throw new TypeError("Algorithm: name: Missing or not a string");
  const found = matchName(ALGORITHM_NAMES, name);
  if (!found) throw webCryptoError("NotSupportedError", "Unrecognized algorithm name");
  return found;
}

export function hashName(hash: unknown): HashName {
  if (hash === undefined) throw new TypeError("Failed to normalize algorithm: 'hash' is required");
  const name = typeof hash === "string" ? hash : record(hash)["name"];
  if (typeof name !== "string") throw new TypeError("Algorithm: hash: name: Missing or not a string");
  const found = matchName(HASH_NAMES, name);
  if (!found) throw webCryptoError("NotSupportedError", "Unrecognized algorithm name");
  return found;
}

export function curveName(curve: unknown): CurveName {
  if (typeof curve !== "string") throw new TypeError("Failed to normalize algorithm: 'namedCurve' is required");
  const found = CURVE_NAMES.find((name) => name === curve);
  if (!found) throw webCryptoError("NotSupportedError", "Unrecognized namedCurve");
  return found;
}

/** Bytes from the sandbox, at most one host call's worth (or `max`). */
export function bytesOf(value: unknown, what: string, max = MAX_HOST_CALL_BYTES): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${what} must be an ArrayBuffer, TypedArray or DataView`);
  if (value.length > max) throw webCryptoError("OperationError", `${what} may be at most ${max} bytes in Lambent's isolate runtime`);
  return value;
}

/** A whole number in [min, max], or the OperationError Node gives for a parameter out of range. */
export function integerOf(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) throw new TypeError(`${what} must be an integer`);
  if (value < min || value > max) throw webCryptoError("OperationError", `${what} must be between ${min} and ${max}`);
  return value;
}

export function usagesOf(value: unknown): KeyUsage[] {
  if (!Array.isArray(value) || value.length > 64) throw new TypeError("keyUsages must be a sequence of key usages");
  return value.map((usage: unknown) => {
    const found = KEY_USAGES.find((name) => name === usage);
    if (!found) throw new TypeError(`'${String(usage)}' is not a valid enum value of type KeyUsage`);
    return found;
  });
}

/** A CryptoKey as the sandbox describes it: its own facts, and its material (raw bytes, SPKI or PKCS #8 DER). */
export interface WebKey {
  type: "secret" | "public" | "private";
  extractable: boolean;
  algorithm: AlgorithmData;
  usages: KeyUsage[];
  material: Uint8Array;
}

/** A key RSA keys at MAX_RSA_BITS and their PKCS #8 encoding fit in, with room to spare. */
const MAX_KEY_DER_BYTES = 16 * 1024;

/** A key described by the sandbox; what it claims is checked again against its material when it is used. */
export function webKeyOf(value: unknown, what = "key"): WebKey {
  const given = record(value);
  const type = given["type"];
  if (type !== "secret" && type !== "public" && type !== "private") throw new TypeError(`The ${what} must be a CryptoKey`);
  return {
    type,
    extractable: given["extractable"] === true,
    algorithm: { ...record(given["algorithm"]), name: algorithmName(given["algorithm"]) },
    usages: usagesOf(given["usages"]),
    material: bytesOf(given["material"], `the ${what}`, type === "secret" ? MAX_HOST_CALL_BYTES : MAX_KEY_DER_BYTES),
  };
}

/** The key may do `usage` for `algorithm`, as Web Crypto checks before it acts. */
export function requireUsage(key: WebKey, algorithm: AlgorithmName, usage: KeyUsage): void {
  if (key.algorithm["name"] !== algorithm || !key.usages.includes(usage)) throw webCryptoError("InvalidAccessError", `Unable to use this key to ${usage}`);
}

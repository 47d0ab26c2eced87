// What the isolate's `crypto.subtle` does with keys: sign and verify, encrypt and decrypt (wrapKey and
// unwrapKey too), deriveBits, done with node:crypto on the host's main thread. Each call carries at most
// one host call's worth of data (longer AES data follows a plan, web-crypto-aes.ts), and keys are bounded
// (web-crypto-keys.ts), so each is short. PBKDF2 is the exception: its work grows with its iterations,
// so the answer here is the `kdf` call the sandbox makes to run it on libuv's pool, within that call's cap.
import { constants, createCipheriv, createDecipheriv, createHmac, diffieHellman, hkdfSync, privateDecrypt, publicEncrypt, sign, timingSafeEqual, verify, type KeyObject } from "node:crypto";
import { MAX_DERIVED_BYTES, MAX_PBKDF2_ITERATIONS } from "./key-derivation.js";
import { aesName, aesPlan, failed, runAesPlan, type AesPlan } from "./web-crypto-aes.js";
import { keyObjectOf } from "./web-crypto-keys.js";
import {
  algorithmName,
  bytesOf,
  curveName,
  hashName,
  HASH_BLOCK_BITS,
  integerOf,
  NODE_HASH,
  record,
  requireUsage,
  webCryptoError,
  webKeyOf,
  type AlgorithmName,
  type HashName,
  type KeyUsage,
  type WebKey,
} from "./web-crypto-algorithms.js";

/** AES-KW's default initial value (RFC 3394). */
const KW_IV = Buffer.from("a6a6a6a6a6a6a6a6", "hex");
/** OpenSSL takes at most this much HKDF info. */
const MAX_HKDF_INFO_BYTES = 1024;

/** Runs node:crypto's part; its failures are the OperationError Web Crypto reports. */
function operation<T>(act: () => T): T {
  try {
    return act();
  } catch {
    throw failed();
  }
}

function keyHash(key: WebKey): string {
  return NODE_HASH[hashName(key.algorithm["hash"])];
}

function requireType(key: WebKey, type: WebKey["type"], usage: KeyUsage): void {
  if (key.type !== type) throw webCryptoError("InvalidAccessError", `Unable to use this key to ${usage}`);
}

/** The RSA-PSS salt length: at most what the key's modulus leaves room for. */
function saltLength(given: Record<string, unknown>, parsed: KeyObject): number {
  const modulusBytes = Math.ceil((parsed.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  return integerOf(given["saltLength"], "saltLength", 0, modulusBytes);
}

/** sign(algorithm, key, data); the sandbox feeds an HMAC over longer data to `hash.start` in pieces. */
export function signData(algorithm: unknown, keyData: unknown, data: unknown): Uint8Array {
  const name = algorithmName(algorithm);
  const given = record(algorithm);
  const key = webKeyOf(keyData);
  requireUsage(key, name, "sign");
  requireType(key, name === "HMAC" ? "secret" : "private", "sign");
  const input = bytesOf(data, "data");
  if (name === "HMAC") return new Uint8Array(createHmac(keyHash(key), key.material).update(input).digest());
  const parsed = keyObjectOf(key);
  switch (name) {
    case "RSASSA-PKCS1-v1_5":
      return operation(() => new Uint8Array(sign(keyHash(key), input, { key: parsed, padding: constants.RSA_PKCS1_PADDING })));
    case "RSA-PSS": {
      const salt = saltLength(given, parsed);
      return operation(() => new Uint8Array(sign(keyHash(key), input, { key: parsed, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: salt })));
    }
    case "ECDSA": {
      const hash = NODE_HASH[hashName(given["hash"])];
      return operation(() => new Uint8Array(sign(hash, input, { key: parsed, dsaEncoding: "ieee-p1363" })));
    }
    case "Ed25519":
      return operation(() => new Uint8Array(sign(null, input, parsed)));
    default:
      throw webCryptoError("NotSupportedError", "Unrecognized algorithm name");
  }
}

/** verify(algorithm, key, signature, data): false for any signature that does not verify, however malformed. */
export function verifyData(algorithm: unknown, keyData: unknown, signature: unknown, data: unknown): boolean {
  const name = algorithmName(algorithm);
  const given = record(algorithm);
  const key = webKeyOf(keyData);
  requireUsage(key, name, "verify");
  requireType(key, name === "HMAC" ? "secret" : "public", "verify");
  const input = bytesOf(data, "data");
  const claimed = bytesOf(signature, "signature");
  if (name === "HMAC") {
    const expected = createHmac(keyHash(key), key.material).update(input).digest();
    return expected.length === claimed.length && timingSafeEqual(expected, claimed);
  }
  const parsed = keyObjectOf(key);
  const check = (hash: string | null, options: { padding?: number; saltLength?: number; dsaEncoding?: "ieee-p1363" }): boolean => {
    try {
      return verify(hash, input, { key: parsed, ...options }, claimed);
    } catch {
      return false;
    }
  };
  switch (name) {
    case "RSASSA-PKCS1-v1_5":
      return check(keyHash(key), { padding: constants.RSA_PKCS1_PADDING });
    case "RSA-PSS":
      return check(keyHash(key), { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: saltLength(given, parsed) });
    case "ECDSA":
      return check(NODE_HASH[hashName(given["hash"])], { dsaEncoding: "ieee-p1363" });
    case "Ed25519":
      return check(null, {});
    default:
      throw webCryptoError("NotSupportedError", "Unrecognized algorithm name");
  }
}

/** The key may encipher or decipher as `usage` with `algorithm`; AES-KW only wraps and unwraps, as in Node. */
function cipherKey(usage: unknown, algorithm: unknown, keyData: unknown): { name: AlgorithmName; given: Record<string, unknown>; key: WebKey; encrypting: boolean; usage: KeyUsage } {
  if (usage !== "encrypt" && usage !== "decrypt" && usage !== "wrapKey" && usage !== "unwrapKey") throw new TypeError("unknown cipher direction");
  const name = algorithmName(algorithm);
  const key = webKeyOf(keyData);
  if (name === "AES-KW" && (usage === "encrypt" || usage === "decrypt")) throw webCryptoError("NotSupportedError", "Unrecognized algorithm name");
  requireUsage(key, name, usage);
  return { name, given: record(algorithm), key, encrypting: usage === "encrypt" || usage === "wrapKey", usage };
}

/** encrypt or decrypt (wrapKey and unwrapKey as `usage`), on at most one host call's worth of data. */
export function cryptData(usage: unknown, algorithm: unknown, keyData: unknown, data: unknown): Uint8Array {
  const { name, given, key, encrypting, usage: use } = cipherKey(usage, algorithm, keyData);
  const input = bytesOf(data, "data");
  switch (name) {
    case "RSA-OAEP": {
      requireType(key, encrypting ? "public" : "private", use);
      const label = given["label"] === undefined ? undefined : bytesOf(given["label"], "label", 64 * 1024);
      const options = { key: keyObjectOf(key), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: keyHash(key), ...(label ? { oaepLabel: label } : {}) };
      return operation(() => new Uint8Array(encrypting ? publicEncrypt(options, input) : privateDecrypt(options, input)));
    }
    case "AES-KW": {
      if (input.length < 16 || input.length % 8 !== 0) throw failed();
      aesName(key, "wrap");
      const wrap = `id-aes${key.material.length * 8}-wrap`;
      const cipher = encrypting ? createCipheriv(wrap, key.material, KW_IV) : createDecipheriv(wrap, key.material, KW_IV);
      return operation(() => new Uint8Array(Buffer.concat([cipher.update(input), cipher.final()])));
    }
    default:
      return runAesPlan(aesPlan(name, given, key, encrypting, input.length), input, encrypting);
  }
}

/** How the sandbox enciphers data longer than one host call with AES-GCM, AES-CBC or AES-CTR (web-crypto-aes.ts). */
export function planCipher(usage: unknown, algorithm: unknown, keyData: unknown, dataBytes: unknown): AesPlan {
  const { name, given, key, encrypting } = cipherKey(usage, algorithm, keyData);
  return aesPlan(name, given, key, encrypting, dataBytes);
}

/** What the sandbox runs on libuv's pool for PBKDF2: the `kdf` call's arguments. */
export interface Pbkdf2Work {
  kdf: [kind: "pbkdf2", password: Uint8Array, salt: Uint8Array, iterations: number, bytes: number, digest: string];
}

function derivedBytes(length: unknown): number {
  if (length === null || length === undefined) throw webCryptoError("OperationError", "length cannot be null");
  const bits = integerOf(length, "length", 0, MAX_DERIVED_BYTES * 8);
  if (bits % 8 !== 0) throw webCryptoError("OperationError", "length must be a multiple of 8");
  return bits / 8;
}

/** deriveBits(algorithm, baseKey, length), or deriveKey's first part (`usage` deriveKey): bytes, or PBKDF2's work. */
export function deriveBits(usage: unknown, algorithm: unknown, keyData: unknown, length: unknown): Uint8Array | Pbkdf2Work {
  if (usage !== "deriveBits" && usage !== "deriveKey") throw new TypeError("unknown derivation usage");
  const name = algorithmName(algorithm);
  const given = record(algorithm);
  const key = webKeyOf(keyData);
  requireUsage(key, name, usage);
  switch (name) {
    case "ECDH":
    case "X25519": {
      requireType(key, "private", usage);
      const other = webKeyOf(given["public"], "public key");
      if (other.type !== "public" || other.algorithm["name"] !== name) throw webCryptoError("InvalidAccessError", "The public key must be a public key of the same algorithm");
      if (name === "ECDH" && curveName(other.algorithm["namedCurve"]) !== curveName(key.algorithm["namedCurve"])) throw webCryptoError("InvalidAccessError", "Named curve mismatch");
      const secret = operation(() => diffieHellman({ privateKey: keyObjectOf(key), publicKey: keyObjectOf(other) }));
      if (length === null || length === undefined) return new Uint8Array(secret);
      const bits = integerOf(length, "length", 0, secret.length * 8 + 8);
      if (bits > secret.length * 8) throw webCryptoError("OperationError", "derived bit length is too small");
      return new Uint8Array(secret.subarray(0, Math.ceil(bits / 8)));
    }
    case "HKDF": {
      const hash = hashName(given["hash"]);
      const salt = bytesOf(given["salt"], "salt");
      const info = bytesOf(given["info"], "info", MAX_HKDF_INFO_BYTES);
      const bytes = derivedBytes(length);
      return operation(() => new Uint8Array(hkdfSync(NODE_HASH[hash], key.material, salt, info, bytes)));
    }
    case "PBKDF2": {
      const hash = hashName(given["hash"]);
      const salt = bytesOf(given["salt"], "salt");
      if (given["iterations"] === 0) throw webCryptoError("OperationError", "iterations cannot be zero");
      const iterations = integerOf(given["iterations"], "iterations", 1, MAX_PBKDF2_ITERATIONS);
      return { kdf: ["pbkdf2", key.material, salt, iterations, derivedBytes(length), NODE_HASH[hash]] };
    }
    default:
      throw webCryptoError("NotSupportedError", "Unrecognized algorithm name");
  }
}

/** How many bits deriveKey derives for a key of `algorithm`; null when the derivation decides. */
export function derivedKeyLength(algorithm: unknown): number | null {
  const name: AlgorithmName = algorithmName(algorithm);
  const given = record(algorithm);
  if (name === "AES-CTR" || name === "AES-CBC" || name === "AES-GCM" || name === "AES-KW") {
    const bits = given["length"];
    if (bits !== 128 && bits !== 192 && bits !== 256) throw webCryptoError("OperationError", "AES key length must be 128, 192, or 256 bits");
    return bits;
  }
  if (name === "HMAC") {
    const hash: HashName = hashName(given["hash"]);
    return given["length"] === undefined ? HASH_BLOCK_BITS[hash] : integerOf(given["length"], "length", 1, MAX_DERIVED_BYTES * 8);
  }
  if (name === "HKDF" || name === "PBKDF2") return null;
  throw webCryptoError("NotSupportedError", "Unrecognized algorithm name");
}

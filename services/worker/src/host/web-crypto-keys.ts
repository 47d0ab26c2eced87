// Keys for the isolate's `crypto.subtle`: importKey, exportKey and generateKey, done with node:crypto's
// KeyObjects. A key goes back to the isolate as its description and material (a secret's bytes, SPKI or
// PKCS #8 DER), never as a host object, and comes back with each use to be parsed and checked again.
// Work is bounded: RSA keys up to MAX_RSA_BITS, generated ones up to MAX_GENERATED_RSA_BITS (on libuv's
// pool, through the `keygen` call the sandbox makes when told to), named curves only.
import { createPrivateKey, createPublicKey, ECDH, generateKeyPairSync, randomBytes, type JsonWebKey, type KeyObject } from "node:crypto";
import { MAX_HOST_CALL_BYTES } from "../limits.js";
import { MAX_RSA_BITS } from "./key-crypto.js";
import { MAX_GENERATED_RSA_BITS } from "./key-generation.js";
import {
  algorithmName,
  bytesOf,
  curveName,
  hashName,
  HASH_BLOCK_BITS,
  integerOf,
  NODE_CURVE,
  record,
  usagesOf,
  webCryptoError,
  type AlgorithmData,
  type AlgorithmName,
  type HashName,
  type KeyUsage,
  type WebKey,
} from "./web-crypto-algorithms.js";

const SIGNING = { public: ["verify"], private: ["sign"] } as const;
const AGREEMENT = { public: [], private: ["deriveKey", "deriveBits"] } as const;
const AES_USAGES = ["encrypt", "decrypt", "wrapKey", "unwrapKey"] as const;

/** The usages each algorithm's keys may have, by key type. */
const USAGES: Record<AlgorithmName, { secret?: readonly KeyUsage[]; public?: readonly KeyUsage[]; private?: readonly KeyUsage[] }> = {
  HMAC: { secret: ["sign", "verify"] },
  "RSASSA-PKCS1-v1_5": SIGNING,
  "RSA-PSS": SIGNING,
  ECDSA: SIGNING,
  Ed25519: SIGNING,
  "RSA-OAEP": { public: ["encrypt", "wrapKey"], private: ["decrypt", "unwrapKey"] },
  ECDH: AGREEMENT,
  X25519: AGREEMENT,
  "AES-CTR": { secret: AES_USAGES },
  "AES-CBC": { secret: AES_USAGES },
  "AES-GCM": { secret: AES_USAGES },
  "AES-KW": { secret: ["wrapKey", "unwrapKey"] },
  HKDF: { secret: ["deriveKey", "deriveBits"] },
  PBKDF2: { secret: ["deriveKey", "deriveBits"] },
};

const RSA = new Set<AlgorithmName>(["RSASSA-PKCS1-v1_5", "RSA-PSS", "RSA-OAEP"]);
const EC = new Set<AlgorithmName>(["ECDSA", "ECDH"]);
const AES = new Set<AlgorithmName>(["AES-CTR", "AES-CBC", "AES-GCM", "AES-KW"]);
/** Node's key type for each asymmetric algorithm (RSA-PSS takes an `rsa-pss` key too). */
const KEY_TYPE: Partial<Record<AlgorithmName, string>> = { "RSASSA-PKCS1-v1_5": "rsa", "RSA-PSS": "rsa", "RSA-OAEP": "rsa", ECDSA: "ec", ECDH: "ec", Ed25519: "ed25519", X25519: "x25519" };
/** A JWK's `alg` for each AES mode, after `A128`, `A192` or `A256`. */
const AES_JWK_SUFFIX: Partial<Record<AlgorithmName, string>> = { "AES-CTR": "CTR", "AES-CBC": "CBC", "AES-GCM": "GCM", "AES-KW": "KW" };
const JWK_MEMBER_CHARS = 2 * MAX_HOST_CALL_BYTES;

export function isSecretAlgorithm(name: AlgorithmName): boolean {
  return USAGES[name].secret !== undefined;
}

function checkUsages(name: AlgorithmName, usages: KeyUsage[]): void {
  const allowed = USAGES[name];
  const all = [...(allowed.secret ?? []), ...(allowed.public ?? []), ...(allowed.private ?? [])];
  for (const usage of usages) if (!all.includes(usage)) throw webCryptoError("SyntaxError", `Unsupported key usage for ${/^[AEHIOX]/.test(name) ? "an" : "a"} ${name} key`);
}

function keyRecord(type: WebKey["type"], algorithm: AlgorithmData, extractable: boolean, usages: KeyUsage[], material: Uint8Array): WebKey {
  return { type, extractable, algorithm, usages, material };
}

/** An RSA key's public exponent as Web Crypto gives it: big-endian bytes. */
function exponentBytes(exponent: bigint | number): Uint8Array {
  let value = BigInt(exponent);
  const out: number[] = [];
  while (value > 0n) {
    out.unshift(Number(value & 0xffn));
    value >>= 8n;
  }
  return new Uint8Array(out);
}

function derOf(key: KeyObject): Uint8Array {
  return new Uint8Array(key.type === "private" ? key.export({ format: "der", type: "pkcs8" }) : key.export({ format: "der", type: "spki" }));
}

/** The algorithm a parsed asymmetric key has under `name`, after checking it is that kind of key. */
function asymmetricAlgorithm(name: AlgorithmName, given: AlgorithmData, key: KeyObject): AlgorithmData {
  const type = key.asymmetricKeyType ?? "";
  if (type !== KEY_TYPE[name] && !(name === "RSA-PSS" && type === "rsa-pss")) throw webCryptoError("DataError", "Invalid key type");
  const details = key.asymmetricKeyDetails ?? {};
  if (RSA.has(name)) {
    const bits = details.modulusLength ?? 0;
    if (bits > MAX_RSA_BITS) throw webCryptoError("DataError", `RSA keys may be at most ${MAX_RSA_BITS} bits in Lambent's isolate runtime`);
    return { name, modulusLength: bits, publicExponent: exponentBytes(details.publicExponent ?? 0), hash: { name: hashName(given["hash"]) } };
  }
  if (EC.has(name)) {
    const curve = curveName(given["namedCurve"]);
    if (details.namedCurve !== NODE_CURVE[curve]) throw webCryptoError("DataError", "Named curve mismatch");
    return { name, namedCurve: curve };
  }
  return { name };
}

function parse<T>(what: () => T): T {
  try {
    return what();
  } catch {
    throw webCryptoError("DataError", "Invalid keyData");
  }
}

/** The JWK members keys are built from, each a string of bounded length. */
function jwkMembers(value: unknown): Record<string, unknown> {
  const given = record(value);
  const jwk: Record<string, unknown> = {};
  for (const [member, content] of Object.entries(given)) {
    if (typeof content === "string") {
      if (content.length > JWK_MEMBER_CHARS) throw webCryptoError("DataError", `JWK "${member}" is too long`);
      jwk[member] = content;
    } else if (typeof content === "boolean") jwk[member] = content;
    else if (member === "key_ops" && Array.isArray(content)) jwk[member] = content.filter((op): op is string => typeof op === "string").slice(0, 16);
  }
  return jwk;
}

/** What every JWK import checks: its `use`, `key_ops` and `ext` agree with what is asked. */
function checkJwk(jwk: Record<string, unknown>, name: AlgorithmName, extractable: boolean, usages: KeyUsage[]): void {
  if (usages.length > 0 && jwk["use"] !== undefined) {
    const signing = name === "HMAC" || USAGES[name].private === SIGNING.private;
    if (jwk["use"] !== (signing ? "sig" : "enc")) throw webCryptoError("DataError", 'Invalid JWK "use" Parameter');
  }
  const ops = jwk["key_ops"];
  if (Array.isArray(ops) && !usages.every((usage) => ops.includes(usage))) throw webCryptoError("DataError", "Key operations and usage mismatch");
  if (jwk["ext"] === false && extractable) throw webCryptoError("DataError", "JWK is not extractable");
}

/** The JWK `alg` a key of this algorithm has, if Web Crypto names one. */
function jwkAlg(algorithm: AlgorithmData, material?: Uint8Array): string | undefined {
  const name = algorithm["name"] as AlgorithmName;
  const hashBits = (): string => (algorithm["hash"] === undefined ? "" : String(hashName(algorithm["hash"])).slice(4));
  if (name === "HMAC") return `HS${hashBits()}`;
  if (AES.has(name) && material) return `A${material.length * 8}${AES_JWK_SUFFIX[name] ?? ""}`;
  if (name === "RSASSA-PKCS1-v1_5") return `RS${hashBits()}`;
  if (name === "RSA-PSS") return `PS${hashBits()}`;
  if (name === "RSA-OAEP") return hashBits() === "1" ? "RSA-OAEP" : `RSA-OAEP-${hashBits()}`;
  if (name === "Ed25519") return "Ed25519";
  return undefined;
}

function importSecret(name: AlgorithmName, format: unknown, keyData: unknown, given: AlgorithmData, extractable: boolean, usages: KeyUsage[]): WebKey {
  let bytes: Uint8Array;
  if (format === "raw") bytes = bytesOf(keyData, "keyData").slice();
  else if (format === "jwk" && name !== "HKDF" && name !== "PBKDF2") {
    const jwk = jwkMembers(keyData);
    if (jwk["kty"] !== "oct") throw webCryptoError("DataError", 'Invalid JWK "kty" Parameter');
    if (typeof jwk["k"] !== "string") throw webCryptoError("DataError", 'Invalid JWK "k" Parameter');
    checkJwk(jwk, name, extractable, usages);
    bytes = new Uint8Array(Buffer.from(jwk["k"], "base64url"));
    if (bytes.length > MAX_HOST_CALL_BYTES) throw webCryptoError("DataError", "Invalid key length");
    const probe = name === "HMAC" ? { name, hash: given["hash"] } : { name };
    if (jwk["alg"] !== undefined && jwk["alg"] !== jwkAlg(probe, bytes)) throw webCryptoError("DataError", 'Invalid JWK "alg" Parameter');
  } else throw webCryptoError("NotSupportedError", `Unable to import ${name} key with format ${String(format)}`);
  if (usages.length === 0) throw webCryptoError("SyntaxError", "Usages cannot be empty when importing a secret key.");
  if (name === "HMAC") {
    const hash = hashName(given["hash"]);
    if (bytes.length === 0) throw webCryptoError("DataError", "Zero-length key is not supported");
    const length = given["length"] === undefined ? bytes.length * 8 : integerOf(given["length"], "length", 1, bytes.length * 8);
    if (length <= bytes.length * 8 - 8) throw webCryptoError("DataError", "Invalid key length");
    return keyRecord("secret", { name, length, hash: { name: hash } }, extractable, usages, bytes);
  }
  if (AES.has(name)) {
    if (![16, 24, 32].includes(bytes.length)) throw webCryptoError("DataError", "Invalid key length");
    return keyRecord("secret", { name, length: bytes.length * 8 }, extractable, usages, bytes);
  }
  if (extractable) throw webCryptoError("SyntaxError", `${name} keys are not extractable`);
  return keyRecord("secret", { name }, false, usages, bytes);
}

/** A raw public point or key as a JWK node:crypto can read. */
function rawPublicJwk(name: AlgorithmName, given: AlgorithmData, bytes: Uint8Array): JsonWebKey {
  if (name === "Ed25519" || name === "X25519") {
    if (bytes.length !== 32) throw webCryptoError("DataError", "Invalid keyData");
    return { kty: "OKP", crv: name, x: Buffer.from(bytes).toString("base64url") };
  }
  const curve = curveName(given["namedCurve"]);
  const point = parse(() => ECDH.convertKey(Buffer.from(bytes), NODE_CURVE[curve], undefined, undefined, "uncompressed") as Buffer);
  const size = (point.length - 1) / 2;
  return { kty: "EC", crv: curve, x: point.subarray(1, 1 + size).toString("base64url"), y: point.subarray(1 + size).toString("base64url") };
}

function importJwk(name: AlgorithmName, keyData: unknown, given: AlgorithmData, extractable: boolean, usages: KeyUsage[]): KeyObject {
  const jwk = jwkMembers(keyData);
  const kty = RSA.has(name) ? "RSA" : EC.has(name) ? "EC" : "OKP";
  if (jwk["kty"] !== kty) throw webCryptoError("DataError", 'Invalid JWK "kty" Parameter');
  checkJwk(jwk, name, extractable, usages);
  if (EC.has(name) && jwk["crv"] !== curveName(given["namedCurve"])) throw webCryptoError("DataError", 'JWK "crv" does not match the requested algorithm');
  if (kty === "OKP" && jwk["crv"] !== name) throw webCryptoError("DataError", 'JWK "crv" Parameter and algorithm name mismatch');
  if (RSA.has(name) && jwk["alg"] !== undefined && jwk["alg"] !== jwkAlg({ name, hash: hashName(given["hash"]) })) throw webCryptoError("DataError", 'JWK "alg" does not match the requested algorithm');
  const input = { key: jwk as JsonWebKey, format: "jwk" as const };
  return parse(() => (typeof jwk["d"] === "string" ? createPrivateKey(input) : createPublicKey(input)));
}

function importAsymmetric(name: AlgorithmName, format: unknown, keyData: unknown, given: AlgorithmData, extractable: boolean, usages: KeyUsage[]): WebKey {
  let key: KeyObject;
  const der = (): Buffer => Buffer.from(bytesOf(keyData, "keyData", 16 * 1024));
  if (format === "spki") key = parse(() => createPublicKey({ key: der(), format: "der", type: "spki" }));
  else if (format === "pkcs8") key = parse(() => createPrivateKey({ key: der(), format: "der", type: "pkcs8" }));
  else if (format === "jwk") key = importJwk(name, keyData, given, extractable, usages);
  else if (format === "raw" && !RSA.has(name)) key = parse(() => createPublicKey({ key: rawPublicJwk(name, given, bytesOf(keyData, "keyData", 1024)), format: "jwk" }));
  else throw webCryptoError("NotSupportedError", `Unable to import ${name} key with format ${String(format)}`);
  const algorithm = asymmetricAlgorithm(name, given, key);
  const type = key.type as "public" | "private";
  const allowed = USAGES[name][type] ?? [];
  if (usages.some((usage) => !allowed.includes(usage))) throw webCryptoError("SyntaxError", `Unsupported key usage for ${/^[AEHIOX]/.test(name) ? "an" : "a"} ${name} key`);
  if (type === "private" && usages.length === 0) throw webCryptoError("SyntaxError", "Usages cannot be empty when importing a private key.");
  return keyRecord(type, algorithm, extractable, usages, derOf(key));
}

/** importKey(format, keyData, algorithm, extractable, usages). */
export function importKey(format: unknown, keyData: unknown, algorithm: unknown, extractable: unknown, usages: unknown): WebKey {
  const name = algorithmName(algorithm);
  const given = record(algorithm);
  const wanted = usagesOf(usages);
  checkUsages(name, wanted);
  if (isSecretAlgorithm(name)) return importSecret(name, format, keyData, given, extractable === true, wanted);
  return importAsymmetric(name, format, keyData, given, extractable === true, wanted);
}

/** A key the sandbox describes, parsed from its material and checked against what it claims to be. */
export function keyObjectOf(key: WebKey): KeyObject {
  const name = key.algorithm["name"] as AlgorithmName;
  if (key.type === "secret" || isSecretAlgorithm(name)) throw webCryptoError("InvalidAccessError", "The key is not an asymmetric key");
  const input = { key: Buffer.from(key.material), format: "der" as const };
  const parsed = parse(() => (key.type === "private" ? createPrivateKey({ ...input, type: "pkcs8" }) : createPublicKey({ ...input, type: "spki" })));
  asymmetricAlgorithm(name, key.algorithm, parsed);
  return parsed;
}

/** exportKey(format, key): bytes, or a JWK. */
export function exportKey(format: unknown, key: WebKey): Uint8Array | Record<string, unknown> {
  const name = key.algorithm["name"] as AlgorithmName;
  if (!key.extractable) throw webCryptoError("InvalidAccessError", "key is not extractable");
  if (name === "HKDF" || name === "PBKDF2") throw webCryptoError("NotSupportedError", `Unable to export ${name} keys`);
  const head = { key_ops: [...key.usages], ext: true };
  if (key.type === "secret") {
    if (format === "raw") return key.material.slice();
    if (format !== "jwk") throw webCryptoError("NotSupportedError", `Unable to export ${name} key with format ${String(format)}`);
    return { ...head, kty: "oct", k: Buffer.from(key.material).toString("base64url"), alg: jwkAlg(key.algorithm, key.material) };
  }
  const parsed = keyObjectOf(key);
  if (format === "spki" || format === "pkcs8") {
    if ((format === "spki") !== (key.type === "public")) throw webCryptoError("InvalidAccessError", `Unable to export a ${format} ${name} ${key.type} key`);
    return key.material.slice();
  }
  const jwk = parsed.export({ format: "jwk" }) as Record<string, unknown>;
  if (format === "jwk") {
    const alg = jwkAlg(key.algorithm);
    return { ...head, ...jwk, ...(alg ? { alg } : {}) };
  }
  if (format !== "raw") throw webCryptoError("NotSupportedError", `Unable to export ${name} key with format ${String(format)}`);
  if (key.type !== "public" || RSA.has(name)) throw webCryptoError("InvalidAccessError", `Unable to export a raw ${name} ${key.type} key`);
  const x = Buffer.from(String(jwk["x"]), "base64url");
  if (!EC.has(name)) return new Uint8Array(x);
  return new Uint8Array(Buffer.concat([Buffer.from([4]), x, Buffer.from(String(jwk["y"]), "base64url")]));
}

/** The pair generateKey answers: the public half always extractable, each half with its share of the usages. */
function pairOf(name: AlgorithmName, given: AlgorithmData, publicKey: KeyObject, privateKey: KeyObject, extractable: boolean, usages: KeyUsage[]): { publicKey: WebKey; privateKey: WebKey } {
  const algorithm = asymmetricAlgorithm(name, given, privateKey);
  // In the order Node lists each half's usages, whatever order they were asked in.
  const share = (type: "public" | "private"): KeyUsage[] => (USAGES[name][type] ?? []).filter((usage) => usages.includes(usage));
  const privateUsages = share("private");
  if (privateUsages.length === 0) throw webCryptoError("SyntaxError", "Usages cannot be empty when creating a key.");
  return {
    publicKey: keyRecord("public", algorithm, true, share("public"), derOf(publicKey)),
    privateKey: keyRecord("private", algorithm, extractable, privateUsages, derOf(privateKey)),
  };
}

/** What the sandbox passes to the `keygen` call for an RSA pair, which runs on libuv's pool. */
export interface RsaGeneration {
  generate: { modulusLength: number; publicExponent: number };
}

function rsaGeneration(given: AlgorithmData): RsaGeneration {
  hashName(given["hash"]);
  const modulusLength = integerOf(given["modulusLength"], "modulusLength", 512, MAX_GENERATED_RSA_BITS);
  const exponent = bytesOf(given["publicExponent"], "publicExponent", 64);
  let value = 0;
  for (const byte of exponent) {
    if (value > 0xffffff) throw webCryptoError("OperationError", "The publicExponent must fit in 32 bits in Lambent's isolate runtime");
    value = value * 256 + byte;
  }
  if (value < 3 || value % 2 === 0) throw webCryptoError("OperationError", "Invalid public exponent");
  return { generate: { modulusLength, publicExponent: value } };
}

/**
 * generateKey(algorithm, extractable, usages): a secret key, an EC or OKP pair, or for RSA what the sandbox
 * asks the `keygen` call for, then hands to adoptPair.
 */
export function generateKey(algorithm: unknown, extractable: unknown, usages: unknown): WebKey | { publicKey: WebKey; privateKey: WebKey } | RsaGeneration {
  const name = algorithmName(algorithm);
  const given = record(algorithm);
  const wanted = usagesOf(usages);
  checkUsages(name, wanted);
  const keep = extractable === true;
  if (name === "HKDF" || name === "PBKDF2") throw webCryptoError("NotSupportedError", "Unrecognized algorithm name");
  if (isSecretAlgorithm(name)) {
    let bits: number;
    let described: AlgorithmData;
    if (name === "HMAC") {
      const hash: HashName = hashName(given["hash"]);
      bits = given["length"] === undefined ? HASH_BLOCK_BITS[hash] : integerOf(given["length"], "length", 1, MAX_HOST_CALL_BYTES * 8);
      described = { name, length: bits, hash: { name: hash } };
    } else {
      bits = Number(given["length"]);
      if (bits !== 128 && bits !== 192 && bits !== 256) throw webCryptoError("OperationError", "AES key length must be 128, 192, or 256 bits");
      described = { name, length: bits };
    }
    if (wanted.length === 0) throw webCryptoError("SyntaxError", "Usages cannot be empty when creating a key.");
    return keyRecord("secret", described, keep, [...new Set(wanted)], new Uint8Array(randomBytes(Math.ceil(bits / 8))));
  }
  if (RSA.has(name)) {
    const generation = rsaGeneration(given);
    if (!wanted.some((usage) => (USAGES[name].private ?? []).includes(usage))) throw webCryptoError("SyntaxError", "Usages cannot be empty when creating a key.");
    return generation;
  }
  const pair = EC.has(name)
    ? generateKeyPairSync("ec", { namedCurve: NODE_CURVE[curveName(given["namedCurve"])] })
    : name === "Ed25519"
      ? generateKeyPairSync("ed25519")
      : generateKeyPairSync("x25519");
  return pairOf(name, given, pair.publicKey, pair.privateKey, keep, wanted);
}

/** The RSA pair the `keygen` call made (SPKI and PKCS #8 DER), as generateKey's answer. */
export function adoptPair(algorithm: unknown, extractable: unknown, usages: unknown, publicDer: unknown, privateDer: unknown): { publicKey: WebKey; privateKey: WebKey } {
  const name = algorithmName(algorithm);
  if (!RSA.has(name)) throw new TypeError("only RSA pairs are generated on the pool");
  const wanted = usagesOf(usages);
  checkUsages(name, wanted);
  const publicKey = parse(() => createPublicKey({ key: Buffer.from(bytesOf(publicDer, "the public key", 16 * 1024)), format: "der", type: "spki" }));
  const privateKey = parse(() => createPrivateKey({ key: Buffer.from(bytesOf(privateDer, "the private key", 16 * 1024)), format: "der", type: "pkcs8" }));
  return pairOf(name, record(algorithm), publicKey, privateKey, extractable === true, wanted);
}

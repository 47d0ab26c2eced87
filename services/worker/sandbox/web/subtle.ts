// Web Crypto's SubtleCrypto, as Node 20 offers it: digest; HMAC, RSASSA-PKCS1-v1_5, RSA-PSS, ECDSA and
// Ed25519 signatures; AES-GCM, AES-CBC, AES-CTR and RSA-OAEP encryption; AES-KW key wrapping; ECDH,
// X25519, HKDF and PBKDF2 derivation; import and export as raw, JWK, SPKI and PKCS #8. The host does the
// work and checks every argument (src/host/web-crypto.ts): this module copies the arguments into plain
// data, makes CryptoKeys of what the host answers, and throws its failures as DOMExceptions.
import { callHost, callHostWaiting, hostCallBytes } from "../host-access.js";
import { cryptoKeyOf, keyDescription, type KeyDescription, type CryptoKey } from "./crypto-key.js";
import { concatBytes, hostDigest } from "./crypto-host.js";
import { toBytes, utf8Decode, utf8Encode } from "./encoding.js";
import { DOMException } from "./event-target.js";

const DIGESTS: Record<string, string> = { "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };
const BYTE_MEMBERS = new Set(["publicExponent", "label", "iv", "counter", "additionalData", "salt", "info"]);
const AES_MODES = new Set(["AES-GCM", "AES-CBC", "AES-CTR"]);
const OKP_NAMES = new Set(["Ed25519", "X25519"]);
const NUMBER_MEMBERS = new Set(["length", "modulusLength", "saltLength", "tagLength", "iterations"]);
const ALGORITHM_MEMBERS = ["name", "hash", "namedCurve", "public", ...BYTE_MEMBERS, ...NUMBER_MEMBERS];
/** The DOMException names the host's failures carry; any other failure is thrown as it came. */
const DOM_NAMES = new Set(["NotSupportedError", "InvalidAccessError", "DataError", "OperationError", "SyntaxError"]);

type KeyPair = { publicKey: KeyDescription; privateKey: KeyDescription };

function copyOf(data: unknown, what: string): Uint8Array {
  if (!(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) throw new TypeError(`${what} is not instance of ArrayBuffer, Buffer, TypedArray, or DataView.`);
  return toBytes(data).slice();
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** An algorithm as plain data: its known members, bytes copied, a hash by name, a key by description. */
function algorithmData(algorithm: unknown): Record<string, unknown> {
  if (typeof algorithm === "string") return { name: algorithm };
  if (typeof algorithm !== "object" || algorithm === null) throw new TypeError("Failed to normalize algorithm: the algorithm must be an object or a string");
  const given = algorithm as Record<string, unknown>;
  const data: Record<string, unknown> = {};
  for (const member of ALGORITHM_MEMBERS) {
    const value = given[member];
    if (value === undefined) continue;
    if (member === "public") data[member] = keyDescription(value, "algorithm.public");
    else if (member === "hash") data[member] = typeof value === "string" ? value : { name: (value as { name?: unknown } | null)?.name };
    else if (BYTE_MEMBERS.has(member)) data[member] = copyOf(value, `algorithm.${member}`);
    else if (NUMBER_MEMBERS.has(member)) data[member] = Number(value);
    else if (typeof value === "symbol") throw new TypeError(`algorithm.${member} cannot be converted to a string`);
    else data[member] = String(value);
  }
  return data;
}

/** A JWK as plain data: its string and boolean members and its key_ops. */
function jwkData(jwk: unknown): Record<string, unknown> {
  if (typeof jwk !== "object" || jwk === null || ArrayBuffer.isView(jwk) || jwk instanceof ArrayBuffer) throw new TypeError("keyData must be a JSON Web Key object");
  const data: Record<string, unknown> = {};
  for (const [member, value] of Object.entries(jwk)) {
    if (typeof value === "string" || typeof value === "boolean") data[member] = value;
    else if (member === "key_ops" && Array.isArray(value)) data[member] = value.map(String);
  }
  return data;
}

function usagesOf(usages: unknown): string[] {
  if (typeof usages !== "object" || usages === null || typeof (usages as Iterable<unknown>)[Symbol.iterator] !== "function") throw new TypeError("keyUsages must be a sequence");
  return Array.from(usages as Iterable<unknown>, String);
}

/** A host failure as Web Crypto throws it. */
function webError(error: unknown): unknown {
  if (error instanceof Error && !(error instanceof DOMException) && DOM_NAMES.has(error.name)) return new DOMException(error.message, error.name);
  return error;
}

function subtleCall(action: string, ...args: unknown[]): unknown {
  try {
    return callHost("subtle", action, ...args);
  } catch (error) {
    throw webError(error);
  }
}

/** Each public method: a promise that rejects with the failure, as Web Crypto's do. */
function settled<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(webError(error));
  }
}

function digestName(algorithm: unknown): string {
  const name = typeof algorithm === "string" ? algorithm : (algorithm as { name?: unknown } | null)?.name;
  if (typeof name !== "string") throw new TypeError("Failed to normalize algorithm: 'name' is required in 'Algorithm'");
  const hash = DIGESTS[name.toUpperCase()];
  if (!hash) throw new DOMException("Unrecognized algorithm name", "NotSupportedError");
  return hash;
}

function keyOrPair(answer: KeyDescription | KeyPair): CryptoKey | { publicKey: CryptoKey; privateKey: CryptoKey } {
  if (!("publicKey" in answer)) return cryptoKeyOf(answer);
  const publicKey = cryptoKeyOf(answer.publicKey);
  const privateKey = cryptoKeyOf(answer.privateKey);
  // Node lists an Ed25519 or X25519 pair's private half first, and the others' public half.
  return OKP_NAMES.has(String(answer.publicKey.algorithm["name"])) ? { privateKey, publicKey } : { publicKey, privateKey };
}

/** An HMAC over more than one host call's worth of data: fed to the host in pieces, the key checked here. */
function longHmac(key: KeyDescription, usage: string, data: Uint8Array): Uint8Array {
  if (key.algorithm["name"] !== "HMAC" || key.type !== "secret" || !key.usages.includes(usage)) throw new DOMException(`Unable to use this key to ${usage}`, "InvalidAccessError");
  const hash = (key.algorithm["hash"] as { name?: unknown } | undefined)?.name;
  return hostDigest(digestName(hash), key.material, [data]);
}

function isHmac(algorithm: Record<string, unknown>): boolean {
  return typeof algorithm["name"] === "string" && algorithm["name"].toUpperCase() === "HMAC";
}

function importKey(format: unknown, keyData: unknown, algorithm: unknown, extractable: unknown, usages: unknown): CryptoKey {
  const data = format === "jwk" ? jwkData(keyData) : copyOf(keyData, "keyData");
  return cryptoKeyOf(subtleCall("importKey", String(format), data, algorithmData(algorithm), Boolean(extractable), usagesOf(usages)) as KeyDescription);
}

function exportKey(format: unknown, key: unknown): ArrayBuffer | Record<string, unknown> {
  const out = subtleCall("exportKey", String(format), keyDescription(key)) as Uint8Array | Record<string, unknown>;
  return out instanceof Uint8Array ? toArrayBuffer(out) : out;
}

/** Bytes derived for `usage` (deriveBits or deriveKey); PBKDF2 runs on the host's pool while the isolate waits. */
function derive(usage: string, algorithm: unknown, baseKey: unknown, length: unknown): Uint8Array {
  const answer = subtleCall("deriveBits", usage, algorithmData(algorithm), keyDescription(baseKey, "baseKey"), length === null || length === undefined ? null : Number(length)) as
    | Uint8Array
    | { kdf: unknown[] };
  if (answer instanceof Uint8Array) return answer;
  return callHostWaiting("kdf", ...answer.kdf) as Uint8Array;
}

/** How the host says to encipher data longer than one host call (src/host/web-crypto-aes.ts). */
interface AesPlan {
  cipher: string;
  key: Uint8Array;
  stretches: { iv: Uint8Array; bytes: number }[];
  tagBytes?: number;
  additionalData?: Uint8Array;
}

/** AES-GCM, AES-CBC or AES-CTR over long data: through a cipher session on the host, a host call's worth at a time. */
function streamedAes(usage: string, algorithm: Record<string, unknown>, key: KeyDescription, data: Uint8Array): Uint8Array {
  const plan = subtleCall("planCipher", usage, algorithm, key, data.length) as AesPlan;
  const encrypting = usage === "encrypt" || usage === "wrapKey";
  const piece = hostCallBytes();
  const out: Uint8Array[] = [];
  let offset = 0;
  for (const stretch of plan.stretches) {
    try {
      const id = callHost("cipher.start", encrypting ? "encrypt" : "decrypt", plan.cipher, plan.key, stretch.iv, plan.tagBytes ?? null) as number;
      if (plan.additionalData) callHost("cipher.aad", id, plan.additionalData, null);
      if (!encrypting && plan.tagBytes) callHost("cipher.tag", id, data.slice(data.length - plan.tagBytes));
      const end = offset + stretch.bytes;
      for (let at = offset; at < end; at += piece) out.push(callHost("cipher.update", id, data.slice(at, Math.min(end, at + piece))) as Uint8Array);
      offset = end;
      const last = callHost("cipher.final", id) as { output: Uint8Array; authTag?: Uint8Array };
      out.push(last.output);
      if (encrypting && plan.tagBytes && last.authTag) out.push(last.authTag);
    } catch {
      // The host drops a session whose call failed; the failure is the one Web Crypto reports.
      throw new DOMException("The operation failed for an operation-specific reason", "OperationError");
    }
  }
  return concatBytes(out);
}

function encrypted(usage: string, algorithm: unknown, key: unknown, data: Uint8Array): Uint8Array {
  const given = algorithmData(algorithm);
  const description = keyDescription(key);
  if (data.length > hostCallBytes() && AES_MODES.has(String(given["name"]).toUpperCase())) return streamedAes(usage, given, description, data);
  return subtleCall("crypt", usage, given, description, data) as Uint8Array;
}

export const subtle = {
  digest(algorithm: unknown, data: unknown): Promise<ArrayBuffer> {
    return settled(() => toArrayBuffer(hostDigest(digestName(algorithm), undefined, [copyOf(data, "data")])));
  },
  importKey(format: unknown, keyData: unknown, algorithm: unknown, extractable: unknown, usages: unknown): Promise<CryptoKey> {
    return settled(() => importKey(format, keyData, algorithm, extractable, usages));
  },
  exportKey(format: unknown, key: unknown): Promise<ArrayBuffer | Record<string, unknown>> {
    return settled(() => exportKey(format, key));
  },
  generateKey(algorithm: unknown, extractable: unknown, usages: unknown): Promise<CryptoKey | { publicKey: CryptoKey; privateKey: CryptoKey }> {
    return settled(() => {
      const data = algorithmData(algorithm);
      const keep = Boolean(extractable);
      const wanted = usagesOf(usages);
      const answer = subtleCall("generateKey", data, keep, wanted) as KeyDescription | KeyPair | { generate: Record<string, unknown> };
      if (!("generate" in answer)) return keyOrPair(answer);
      // An RSA pair takes the host up to seconds: it is made on the host's pool while the isolate waits.
      const pair = callHostWaiting("keygen", "rsa", answer.generate) as { publicKey: { der: Uint8Array }; privateKey: { der: Uint8Array } };
      return keyOrPair(subtleCall("adoptPair", data, keep, wanted, pair.publicKey.der, pair.privateKey.der) as KeyPair);
    });
  },
  sign(algorithm: unknown, key: unknown, data: unknown): Promise<ArrayBuffer> {
    return settled(() => {
      const bytes = copyOf(data, "data");
      const given = algorithmData(algorithm);
      if (isHmac(given) && bytes.length > hostCallBytes()) return toArrayBuffer(longHmac(keyDescription(key), "sign", bytes));
      return toArrayBuffer(subtleCall("sign", given, keyDescription(key), bytes) as Uint8Array);
    });
  },
  verify(algorithm: unknown, key: unknown, signature: unknown, data: unknown): Promise<boolean> {
    return settled(() => {
      const bytes = copyOf(data, "data");
      const claimed = copyOf(signature, "signature");
      const given = algorithmData(algorithm);
      if (isHmac(given) && bytes.length > hostCallBytes()) {
        const expected = longHmac(keyDescription(key), "verify", bytes);
        let difference = expected.length ^ claimed.length;
        for (let i = 0; i < expected.length; i++) difference |= (expected[i] as number) ^ ((claimed[i] ?? 0) as number);
        return difference === 0;
      }
      return subtleCall("verify", given, keyDescription(key), claimed, bytes) as boolean;
    });
  },
  encrypt(algorithm: unknown, key: unknown, data: unknown): Promise<ArrayBuffer> {
    return settled(() => toArrayBuffer(encrypted("encrypt", algorithm, key, copyOf(data, "data"))));
  },
  decrypt(algorithm: unknown, key: unknown, data: unknown): Promise<ArrayBuffer> {
    return settled(() => toArrayBuffer(encrypted("decrypt", algorithm, key, copyOf(data, "data"))));
  },
  deriveBits(algorithm: unknown, baseKey: unknown, length: unknown): Promise<ArrayBuffer> {
    return settled(() => toArrayBuffer(derive("deriveBits", algorithm, baseKey, length)));
  },
  deriveKey(algorithm: unknown, baseKey: unknown, derivedKeyAlgorithm: unknown, extractable: unknown, usages: unknown): Promise<CryptoKey> {
    return settled(() => {
      const target = algorithmData(derivedKeyAlgorithm);
      const length = subtleCall("derivedKeyLength", target);
      const bits = derive("deriveKey", algorithm, baseKey, length);
      return cryptoKeyOf(subtleCall("importKey", "raw", bits, target, Boolean(extractable), usagesOf(usages)) as KeyDescription);
    });
  },
  wrapKey(format: unknown, key: unknown, wrappingKey: unknown, wrapAlgorithm: unknown): Promise<ArrayBuffer> {
    return settled(() => {
      const exported = exportKey(format, key);
      let bytes = exported instanceof ArrayBuffer ? new Uint8Array(exported) : utf8Encode(JSON.stringify(exported));
      // AES-KW wraps whole 8-byte blocks: a JWK's JSON is padded with spaces, as Node pads it.
      const given = algorithmData(wrapAlgorithm);
      if (!(exported instanceof ArrayBuffer) && String(given["name"]).toUpperCase() === "AES-KW" && bytes.length % 8 !== 0) {
        bytes = utf8Encode(JSON.stringify(exported) + " ".repeat(8 - (bytes.length % 8)));
      }
      return toArrayBuffer(subtleCall("crypt", "wrapKey", given, keyDescription(wrappingKey, "wrappingKey"), bytes) as Uint8Array);
    });
  },
  unwrapKey(format: unknown, wrappedKey: unknown, unwrappingKey: unknown, unwrapAlgorithm: unknown, unwrappedKeyAlgorithm: unknown, extractable: unknown, usages: unknown): Promise<CryptoKey> {
    return settled(() => {
      const bytes = subtleCall("crypt", "unwrapKey", algorithmData(unwrapAlgorithm), keyDescription(unwrappingKey, "unwrappingKey"), copyOf(wrappedKey, "wrappedKey")) as Uint8Array;
      let keyData: unknown = bytes;
      if (format === "jwk") {
        try {
          keyData = JSON.parse(utf8Decode(bytes));
        } catch {
          throw new DOMException("The unwrapped key is not a JSON Web Key", "DataError");
        }
      }
      return importKey(format, keyData, unwrappedKeyAlgorithm, extractable, usages);
    });
  },
};


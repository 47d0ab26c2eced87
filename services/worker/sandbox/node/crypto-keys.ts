// `crypto`'s keys and signatures: KeyObject (secret, public, private), createSecretKey, createPublicKey,
// createPrivateKey, createSign/createVerify and the one-shot sign/verify, as jsonwebtoken, jws and jose's
// Node build use them. The host parses keys and signs (src/host/key-crypto.ts); a KeyObject here holds
// its DER bytes (or a secret's bytes) where function code cannot reach them.
import { callHost } from "../host-access.js";
import { isCryptoKey, keyDescription, secretOfCryptoKey } from "../web/crypto-key.js";
import { Buffer } from "./buffer.js";

export interface ParsedKey {
  type: "public" | "private";
  asymmetricKeyType: string;
  details: { modulusLength?: number; publicExponent?: number; namedCurve?: string };
  der: Uint8Array;
}

/** A key's material, out of reach of the code that holds the KeyObject. */
const material = new WeakMap<KeyObject, Uint8Array>();

function invalidArg(name: string, value: unknown): TypeError {
  return Object.assign(new TypeError(`The "${name}" argument must be of type string or an instance of Buffer, TypedArray, DataView, or KeyObject. Received ${typeof value}`), {
    code: "ERR_INVALID_ARG_TYPE",
  });
}

function bytesOf(data: unknown, encoding?: string): Uint8Array {
  if (typeof data === "string") return new Uint8Array(Buffer().from(data, encoding ?? "utf8"));
  if (data instanceof ArrayBuffer) return new Uint8Array(data).slice();
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  throw invalidArg("data", data);
}

export class KeyObject {
  readonly type: "secret" | "public" | "private";
  readonly asymmetricKeyType: string | undefined;
  readonly asymmetricKeyDetails: ParsedKey["details"] | undefined;

  /** Built by createSecretKey, createPublicKey and createPrivateKey, as in Node. */
  constructor(type: "secret" | "public" | "private", bytes: Uint8Array, parsed?: ParsedKey) {
    this.type = type;
    this.asymmetricKeyType = parsed?.asymmetricKeyType;
    this.asymmetricKeyDetails = parsed ? { ...parsed.details } : undefined;
    material.set(this, bytes);
  }

  get symmetricKeySize(): number | undefined {
    return this.type === "secret" ? (material.get(this) as Uint8Array).length : undefined;
  }

  export(options?: { format?: string; type?: string }): unknown {
    const bytes = material.get(this) as Uint8Array;
    if (this.type === "secret") {
      if (options?.format === "jwk") return { kty: "oct", k: Buffer().from(bytes).toString("base64url") };
      return Buffer().from(bytes);
    }
    // PKCS #1, SEC 1, an encrypted PEM and a JWK are made by the host (src/host/key-generation.ts).
    const given = options as { format?: string; type?: string; cipher?: unknown; passphrase?: unknown } | undefined;
    if (given?.format === "jwk" || given?.type === "pkcs1" || given?.type === "sec1" || given?.cipher !== undefined) {
      const passphrase = typeof given.passphrase === "string" ? given.passphrase : given.passphrase === undefined ? undefined : bytesOf(given.passphrase);
      const settings = { format: given.format, type: given.type, ...(typeof given.cipher === "string" ? { cipher: given.cipher } : {}), ...(passphrase !== undefined ? { passphrase } : {}) };
      const out = callHost("key.export", this.type, bytes, settings);
      return out instanceof Uint8Array ? Buffer().from(out) : out;
    }
    const der = Buffer().from(bytes);
    if (options?.format === "der") return der;
    const label = this.type === "private" ? "PRIVATE KEY" : "PUBLIC KEY";
    const base64 = der.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
    return `-----BEGIN ${label}-----\n${base64}\n-----END ${label}-----\n`;
  }

  get [Symbol.toStringTag](): string {
    return "KeyObject";
  }

  /** KeyObject.from(cryptoKey): the same key as a KeyObject, as Node converts it. */
  static from(key: unknown): KeyObject {
    const { type, material } = keyDescription(key);
    if (type === "secret") return new KeyObject("secret", material);
    const result = callHost("key.parse", type, { key: material, format: "der", type: type === "public" ? "spki" : "pkcs8" }) as ParsedKey;
    return new KeyObject(result.type, result.der, result);
  }

  equals(other: unknown): boolean {
    if (!(other instanceof KeyObject) || other.type !== this.type) return false;
    const a = material.get(this) as Uint8Array;
    const b = material.get(other) as Uint8Array;
    return a.length === b.length && a.every((byte, i) => byte === b[i]);
  }
}

/** A public or private key's DER bytes (SPKI or PKCS #8), for the other crypto modules of the sandbox. */
export function derOf(key: KeyObject): Uint8Array {
  return material.get(key) as Uint8Array;
}

/** A KeyObject for a key the host described (generateKeyPair). */
export function keyObjectOf(parsed: ParsedKey): KeyObject {
  return new KeyObject(parsed.type, parsed.der, parsed);
}

/** The secret bytes of an HMAC key, whatever form it came in (Web Crypto's CryptoKey too, as Node takes it). */
export function secretOf(key: unknown): Uint8Array {
  if (isCryptoKey(key)) return secretOfCryptoKey(key);
  if (key instanceof KeyObject) {
    if (key.type !== "secret") throw Object.assign(new TypeError(`Invalid key object type ${key.type}, expected secret.`), { code: "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE" });
    return material.get(key) as Uint8Array;
  }
  return bytesOf(key);
}

function createSecretKey(key: unknown, encoding?: string): KeyObject {
  return new KeyObject("secret", bytesOf(key, encoding));
}

/** What createPublicKey and createPrivateKey take: PEM text, bytes, or `{ key, format, type, passphrase }`. */
function keyInput(key: unknown): { key: string | Uint8Array; format?: string; type?: string; passphrase?: string | Uint8Array } {
  if (typeof key === "string") return { key };
  if (ArrayBuffer.isView(key)) return { key: bytesOf(key) };
  if (typeof key === "object" && key !== null && "key" in key) {
    const given = key as { key: unknown; format?: unknown; type?: unknown; passphrase?: unknown; encoding?: unknown };
    if (given.format === "jwk") {
      if (typeof given.key !== "object" || given.key === null) throw Object.assign(new TypeError('The "key.key" property must be of type object'), { code: "ERR_INVALID_ARG_TYPE" });
      // Only the JWK's string members cross to the host, which builds the key from them.
      const jwk: Record<string, string> = {};
      for (const [name, value] of Object.entries(given.key)) if (typeof value === "string") jwk[name] = value;
      return { key: jwk as unknown as string, format: "jwk" };
    }
    const inner = typeof given.key === "string" ? given.key : bytesOf(given.key);
    return {
      key: inner,
      ...(typeof given.format === "string" ? { format: given.format } : {}),
      ...(typeof given.type === "string" ? { type: given.type } : {}),
      ...(typeof given.passphrase === "string" || ArrayBuffer.isView(given.passphrase) ? { passphrase: given.passphrase as string } : {}),
    };
  }
  throw invalidArg("key", key);
}

function parsed(kind: "public" | "private", key: unknown): KeyObject {
  const result = callHost("key.parse", kind, keyInput(key)) as ParsedKey;
  return new KeyObject(result.type, result.der, result);
}

export function createPrivateKey(key: unknown): KeyObject {
  if (key instanceof KeyObject) throw invalidArg("key", key);
  return parsed("private", key);
}

export function createPublicKey(key: unknown): KeyObject {
  if (key instanceof KeyObject) {
    if (key.type === "public") return key;
    if (key.type !== "private") throw Object.assign(new TypeError(`Invalid key object type ${key.type}, expected private.`), { code: "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE" });
    const result = callHost("key.public", material.get(key)) as ParsedKey;
    return new KeyObject("public", result.der, result);
  }
  return parsed("public", key);
}

const DIGESTS: Record<string, string> = { sha1: "sha1", sha224: "sha224", sha256: "sha256", sha384: "sha384", sha512: "sha512", md5: "md5" };

/** `RSA-SHA256`, `sha256WithRSAEncryption`, `ecdsa-with-SHA256`, `SHA256`… → `sha256`. */
function digestOf(algorithm: unknown): string {
  const name = String(algorithm).toLowerCase().replace(/^(rsa-|ecdsa-with-)/, "").replace(/withrsaencryption$/, "").replace("-", "");
  const digest = DIGESTS[name];
  if (!digest) throw Object.assign(new Error("Invalid digest"), { code: "ERR_CRYPTO_INVALID_DIGEST" });
  return digest;
}

type SigningKey = KeyObject | string | Uint8Array | { key: unknown; passphrase?: unknown; padding?: number; saltLength?: number; dsaEncoding?: string };

/** A KeyObject given as itself, as a CryptoKey, or as `{ key }` with either, as Node takes them. */
function givenKeyObject(key: SigningKey): KeyObject | undefined {
  const inner: unknown = typeof key === "object" && !(key instanceof KeyObject) && !ArrayBuffer.isView(key) && !isCryptoKey(key) ? (key as { key: unknown }).key : key;
  if (inner instanceof KeyObject) return inner;
  return isCryptoKey(inner) ? KeyObject.from(inner) : undefined;
}

function privateKeyOf(key: SigningKey): { der: Uint8Array; options: Record<string, unknown> } {
  const options = typeof key === "object" && !(key instanceof KeyObject) && !ArrayBuffer.isView(key) ? optionsOf(key) : {};
  const object = givenKeyObject(key) ?? createPrivateKey(key);
  if (object.type !== "private") throw Object.assign(new TypeError(`Invalid key object type ${object.type}, expected private.`), { code: "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE" });
  return { der: material.get(object) as Uint8Array, options };
}

function verifyingKeyOf(key: SigningKey): { kind: "public" | "private"; der: Uint8Array; options: Record<string, unknown> } {
  const options = typeof key === "object" && !(key instanceof KeyObject) && !ArrayBuffer.isView(key) ? optionsOf(key) : {};
  const given = givenKeyObject(key);
  if (given) {
    if (given.type === "secret") throw Object.assign(new TypeError("Invalid key object type secret, expected public."), { code: "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE" });
    return { kind: given.type, der: material.get(given) as Uint8Array, options };
  }
  // PEM text may hold a private key; its public half verifies, as in Node.
  const text = typeof key === "string" ? key : typeof key === "object" && !(key instanceof KeyObject) && !ArrayBuffer.isView(key) && typeof key.key === "string" ? key.key : "";
  const object = /PRIVATE KEY-----/.test(text) ? createPrivateKey(key) : createPublicKey(key);
  return { kind: object.type as "public" | "private", der: material.get(object) as Uint8Array, options };
}

function optionsOf(key: { padding?: unknown; saltLength?: unknown; dsaEncoding?: unknown }): Record<string, unknown> {
  return {
    ...(typeof key.padding === "number" ? { padding: key.padding } : {}),
    ...(typeof key.saltLength === "number" ? { saltLength: key.saltLength } : {}),
    ...(key.dsaEncoding === "ieee-p1363" ? { dsaEncoding: "ieee-p1363" } : {}),
  };
}

function output(bytes: Uint8Array, encoding?: string): unknown {
  const buffer = Buffer().from(bytes);
  return encoding === undefined || encoding === "buffer" ? buffer : buffer.toString(encoding);
}

/** Gathers what is signed or verified; the host sees it whole when `sign` or `verify` is called. */
class Gathered {
  protected chunks: Uint8Array[] = [];
  update(data: unknown, encoding?: string): this {
    this.chunks.push(bytesOf(data, encoding));
    return this;
  }
  protected whole(): Uint8Array {
    const size = this.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const out = new Uint8Array(size);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
  // Sign and Verify are Writable streams in Node; `write` and `end` feed them the same way.
  write(data: unknown, encoding?: string): boolean {
    this.update(data, encoding);
    return true;
  }
  end(data?: unknown, encoding?: string): this {
    if (data !== undefined) this.update(data, encoding);
    return this;
  }
}

class Sign extends Gathered {
  constructor(private readonly digest: string) {
    super();
  }
  sign(key: SigningKey, encoding?: string): unknown {
    const { der, options } = privateKeyOf(key);
    return output(callHost("sign", this.digest, this.whole(), der, options) as Uint8Array, encoding);
  }
}

class Verify extends Gathered {
  constructor(private readonly digest: string) {
    super();
  }
  verify(key: SigningKey, signature: unknown, encoding?: string): boolean {
    const { kind, der, options } = verifyingKeyOf(key);
    return callHost("verify", this.digest, this.whole(), kind, der, bytesOf(signature, encoding), options) as boolean;
  }
}

/** Node's callback form of a call computed now: the callback hears (error) or (null, value) later. */
export function answerLater<T>(callback: (error: Error | null, value?: T) => void, compute: () => T): void {
  let value: T | undefined;
  let failure: Error | null = null;
  try {
    value = compute();
  } catch (error) {
    failure = error as Error;
  }
  queueMicrotask(() => (failure ? callback(failure) : callback(null, value)));
}

function oneShot<T>(callback: ((error: Error | null, value?: T) => void) | undefined, compute: () => T): T | undefined {
  if (!callback) return compute();
  answerLater(callback, compute);
  return undefined;
}

export function createKeyCrypto(): Record<string, unknown> {
  return {
    KeyObject,
    createSecretKey,
    createPublicKey,
    createPrivateKey,
    createSign: (algorithm: unknown) => new Sign(digestOf(algorithm)),
    createVerify: (algorithm: unknown) => new Verify(digestOf(algorithm)),
    // `algorithm` null or undefined: the key decides (Ed25519, Ed448), or SHA-256 for RSA and EC, as in Node.
    sign: (algorithm: unknown, data: unknown, key: SigningKey, callback?: (error: Error | null, value?: unknown) => void) =>
      oneShot(callback, () => {
        const { der, options } = privateKeyOf(key);
        return output(callHost("sign", algorithm === null || algorithm === undefined ? null : digestOf(algorithm), bytesOf(data), der, options) as Uint8Array);
      }),
    verify: (algorithm: unknown, data: unknown, key: SigningKey, signature: unknown, callback?: (error: Error | null, value?: boolean) => void) =>
      oneShot(callback, () => {
        const { kind, der, options } = verifyingKeyOf(key);
        return callHost("verify", algorithm === null || algorithm === undefined ? null : digestOf(algorithm), bytesOf(data), kind, der, bytesOf(signature), options) as boolean;
      }),
  };
}

// `crypto`'s key pairs and what is done with them: generateKeyPair/generateKeyPairSync (RSA, EC, Ed25519,
// X25519; the host generates them on its thread pool while the isolate waits), publicEncrypt,
// privateDecrypt, privateEncrypt and publicDecrypt, createECDH and diffieHellman. The host does the work
// (src/host/key-generation.ts); keys stay in KeyObjects or in an ECDH object's fields.
import { callHost, callHostWaiting } from "../host-access.js";
import { Buffer } from "./buffer.js";
import { createPrivateKey, createPublicKey, derOf, KeyObject, keyObjectOf, type ParsedKey } from "./crypto-keys.js";
import { bytesOf, output } from "./crypto-bytes.js";

interface GeneratedPair {
  publicKey: ParsedKey;
  privateKey: ParsedKey;
  publicEncoded?: unknown;
  privateEncoded?: unknown;
}

const CURVES = ["prime256v1", "secp256k1", "secp384r1", "secp521r1"];

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

/** An encoding as it crosses to the host: plain fields, a passphrase as text or bytes. */
function encodingOf(value: unknown): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  const given = record(value);
  const passphrase = given["passphrase"];
  return {
    ...(typeof given["format"] === "string" ? { format: given["format"] } : {}),
    ...(typeof given["type"] === "string" ? { type: given["type"] } : {}),
    ...(typeof given["cipher"] === "string" ? { cipher: given["cipher"] } : {}),
    ...(typeof passphrase === "string" ? { passphrase } : passphrase !== undefined && passphrase !== null ? { passphrase: bytesOf(passphrase) } : {}),
  };
}

function generationOptions(options: unknown): Record<string, unknown> {
  const given = record(options);
  const out: Record<string, unknown> = {};
  for (const name of ["modulusLength", "publicExponent", "namedCurve"]) if (given[name] !== undefined) out[name] = given[name];
  const publicEncoding = encodingOf(given["publicKeyEncoding"]);
  const privateEncoding = encodingOf(given["privateKeyEncoding"]);
  if (publicEncoding) out["publicKeyEncoding"] = publicEncoding;
  if (privateEncoding) out["privateKeyEncoding"] = privateEncoding;
  return out;
}

function half(parsed: ParsedKey, encoded: unknown): unknown {
  if (encoded === undefined) return keyObjectOf(parsed);
  return encoded instanceof Uint8Array ? Buffer().from(encoded) : encoded;
}

/** RSA generation takes the host up to seconds; the isolate waits (counted against the invocation's time). */
function generateKeyPairSync(type: unknown, options?: unknown): { publicKey: unknown; privateKey: unknown } {
  const pair = callHostWaiting("keygen", String(type), generationOptions(options)) as GeneratedPair;
  return { publicKey: half(pair.publicKey, pair.publicEncoded), privateKey: half(pair.privateKey, pair.privateEncoded) };
}

type PairCallback = (error: Error | null, publicKey?: unknown, privateKey?: unknown) => void;

function generateKeyPair(type: unknown, options: unknown, callback?: PairCallback): void {
  const done = (typeof options === "function" ? options : callback) as PairCallback | undefined;
  if (typeof done !== "function") throw Object.assign(new TypeError('The "callback" argument must be of type function'), { code: "ERR_INVALID_ARG_TYPE" });
  let pair: { publicKey: unknown; privateKey: unknown } | undefined;
  let failure: Error | null = null;
  try {
    pair = generateKeyPairSync(type, typeof options === "function" ? undefined : options);
  } catch (error) {
    failure = error as Error;
  }
  queueMicrotask(() => (failure ? done(failure) : done(null, pair?.publicKey, pair?.privateKey)));
}

// util.promisify(generateKeyPair) resolves to { publicKey, privateKey }, as in Node.
Object.defineProperty(generateKeyPair, Symbol.for("nodejs.util.promisify.custom"), {
  value: (type: unknown, options?: unknown) =>
    new Promise((resolve, reject) => generateKeyPair(type, options, (error, publicKey, privateKey) => (error ? reject(error) : resolve({ publicKey, privateKey })))),
});

/** A key for an RSA operation, with its padding options: `kind` is the half the operation needs. */
function rsaKeyOf(kind: "public" | "private", key: unknown): { kind: string; der: Uint8Array; options: Record<string, unknown> } {
  const given = typeof key === "object" && key !== null && !(key instanceof KeyObject) && !ArrayBuffer.isView(key) ? (key as Record<string, unknown>) : undefined;
  const options = {
    ...(typeof given?.["padding"] === "number" ? { padding: given["padding"] } : {}),
    ...(typeof given?.["oaepHash"] === "string" ? { oaepHash: given["oaepHash"] } : {}),
    ...(given?.["oaepLabel"] !== undefined ? { oaepLabel: bytesOf(given["oaepLabel"]) } : {}),
  };
  const inner = given && given["key"] instanceof KeyObject ? given["key"] : key;
  let object: KeyObject;
  if (inner instanceof KeyObject) object = inner;
  else if (kind === "private") object = createPrivateKey(key);
  else {
    // PEM text may hold a private key; its public half serves, as in Node.
    const text = typeof key === "string" ? key : typeof given?.["key"] === "string" ? given["key"] : "";
    object = /PRIVATE KEY-----/.test(text) ? createPrivateKey(key) : createPublicKey(key);
  }
  if (object.type === "secret" || (kind === "private" && object.type !== "private")) {
    throw Object.assign(new TypeError(`Invalid key object type ${object.type}, expected ${kind}.`), { code: "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE" });
  }
  return { kind: object.type, der: derOf(object), options };
}

function rsa(operation: string, kind: "public" | "private"): (key: unknown, data: unknown) => unknown {
  return (key, data) => {
    const { kind: held, der, options } = rsaKeyOf(kind, key);
    return Buffer().from(callHost("key.rsa", operation, held, der, options, bytesOf(data)) as Uint8Array);
  };
}

function curveOf(name: unknown): string {
  const curve = String(name);
  if (!CURVES.includes(curve) && !["P-256", "P-384", "P-521"].includes(curve)) throw Object.assign(new TypeError("Invalid EC curve name"), { code: "ERR_CRYPTO_INVALID_CURVE" });
  return curve;
}

/** Node's ECDH: the keys live in this object, the host computes with them. */
class ECDH {
  private privateKey: Uint8Array | undefined;
  private publicKey: Uint8Array | undefined;
  private readonly curve: string;

  constructor(curve: unknown) {
    this.curve = curveOf(curve);
  }

  static convertKey(key: unknown, curve: unknown, inputEncoding?: string, outputEncoding?: string, format?: string): unknown {
    return output(callHost("ecdh", "convert", curveOf(curve), bytesOf(key, inputEncoding), format ?? null) as Uint8Array, outputEncoding);
  }

  generateKeys(encoding?: string, format?: string): unknown {
    const pair = callHost("ecdh", "generate", this.curve) as { privateKey: Uint8Array; publicKey: Uint8Array };
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    return this.getPublicKey(encoding, format);
  }

  getPublicKey(encoding?: string | null, format?: string): unknown {
    if (!this.publicKey) throw Object.assign(new Error("Failed to get ECDH public key"), { code: "ERR_CRYPTO_ECDH_INVALID_PUBLIC_KEY" });
    const key = format === undefined || format === "uncompressed" ? this.publicKey : (callHost("ecdh", "convert", this.curve, this.publicKey, format) as Uint8Array);
    return output(key, encoding ?? undefined);
  }

  getPrivateKey(encoding?: string): unknown {
    if (!this.privateKey) throw new Error("Failed to get ECDH private key");
    return output(this.privateKey, encoding);
  }

  setPrivateKey(key: unknown, encoding?: string): this {
    const bytes = bytesOf(key, encoding);
    this.publicKey = callHost("ecdh", "public", this.curve, bytes) as Uint8Array;
    this.privateKey = bytes;
    return this;
  }

  setPublicKey(key: unknown, encoding?: string): this {
    this.publicKey = bytesOf(key, encoding);
    return this;
  }

  computeSecret(other: unknown, inputEncoding?: string, outputEncoding?: string): unknown {
    if (!this.privateKey) throw new Error("Failed to get ECDH private key");
    return output(callHost("ecdh", "secret", this.curve, this.privateKey, bytesOf(other, inputEncoding)) as Uint8Array, outputEncoding);
  }
}

function diffieHellman(options: { privateKey?: unknown; publicKey?: unknown }): unknown {
  const { privateKey, publicKey } = record(options);
  if (!(privateKey instanceof KeyObject) || privateKey.type !== "private") throw Object.assign(new TypeError('The "options.privateKey" property must be a private KeyObject'), { code: "ERR_INVALID_ARG_VALUE" });
  if (!(publicKey instanceof KeyObject) || publicKey.type === "secret") throw Object.assign(new TypeError('The "options.publicKey" property must be a public KeyObject'), { code: "ERR_INVALID_ARG_VALUE" });
  return Buffer().from(callHost("key.agree", derOf(privateKey), publicKey.type, derOf(publicKey)) as Uint8Array);
}

export function createKeyPairCrypto(): Record<string, unknown> {
  return {
    generateKeyPair,
    generateKeyPairSync,
    publicEncrypt: rsa("publicEncrypt", "public"),
    publicDecrypt: rsa("publicDecrypt", "public"),
    privateEncrypt: rsa("privateEncrypt", "private"),
    privateDecrypt: rsa("privateDecrypt", "private"),
    createECDH: (curve: unknown) => new ECDH(curve),
    ECDH,
    getCurves: () => [...CURVES],
    diffieHellman,
  };
}

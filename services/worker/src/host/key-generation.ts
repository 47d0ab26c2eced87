// Key pairs, key agreement and RSA encryption for the sandbox's `crypto`: generateKeyPair (run with the
// host's async generateKeyPair, on libuv's pool, while the isolate waits), publicEncrypt and its kin,
// ECDH, diffieHellman, and keys exported as PKCS #1, SEC 1, encrypted PEM or JWK. Generation cannot be
// stopped once started, so its work is capped: RSA moduli up to MAX_GENERATED_RSA_BITS, named curves only.
import {
  createECDH,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  ECDH,
  generateKeyPair,
  privateDecrypt,
  privateEncrypt,
  publicDecrypt,
  publicEncrypt,
  type JsonWebKey,
  type KeyObject,
} from "node:crypto";
import { MAX_RSA_BITS, parsedKeyOf, type ParsedKey } from "./key-crypto.js";

/** An RSA key this size takes up to a few seconds of one pool thread to generate; larger ones are refused. */
export const MAX_GENERATED_RSA_BITS = 4096;
const CURVES: Record<string, string> = { "P-256": "prime256v1", "P-384": "secp384r1", "P-521": "secp521r1", prime256v1: "prime256v1", secp384r1: "secp384r1", secp521r1: "secp521r1", secp256k1: "secp256k1" };
const GENERATED_TYPES = new Set(["rsa", "ec", "ed25519", "x25519"]);
const EXPORT_TYPES = new Set(["pkcs1", "spki", "pkcs8", "sec1"]);

/** What generateKeyPair answers: each half described, and encoded when the function asked for an encoding. */
export interface GeneratedPair {
  publicKey: ParsedKey;
  privateKey: ParsedKey;
  publicEncoded?: string | Uint8Array;
  privateEncoded?: string | Uint8Array;
}

function outOfRange(what: string, value: unknown, bounds: string): RangeError {
  return Object.assign(new RangeError(`The value of "${what}" is out of range. It must be ${bounds}. Received ${String(value)}`), { code: "ERR_OUT_OF_RANGE" });
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

function curveOf(value: unknown): string {
  const curve = CURVES[String(value)];
  if (!curve) throw Object.assign(new TypeError(`Invalid EC curve name ${String(value)}: P-256, P-384, P-521 and secp256k1 are supported`), { code: "ERR_CRYPTO_INVALID_CURVE" });
  return curve;
}

function exportOptions(value: unknown): { format: "pem" | "der" | "jwk"; type?: "pkcs1" | "spki" | "pkcs8" | "sec1"; cipher?: string; passphrase?: string | Buffer } {
  const given = record(value);
  const format = given["format"] === "der" ? "der" : given["format"] === "jwk" ? "jwk" : "pem";
  const type = given["type"];
  if (type !== undefined && !EXPORT_TYPES.has(String(type))) throw Object.assign(new TypeError(`Invalid key encoding type ${String(type)}`), { code: "ERR_INVALID_ARG_VALUE" });
  const passphrase = given["passphrase"];
  return {
    format,
    ...(type !== undefined ? { type: type as "pkcs1" } : {}),
    ...(typeof given["cipher"] === "string" ? { cipher: given["cipher"] } : {}),
    ...(typeof passphrase === "string" ? { passphrase } : passphrase instanceof Uint8Array ? { passphrase: Buffer.from(passphrase) } : {}),
  };
}

/** A key as the function asked for it: PEM text, DER bytes or a JWK. */
function encoded(key: KeyObject, options: unknown): string | Uint8Array | JsonWebKey {
  const settings = exportOptions(options);
  if (settings.format === "jwk") return key.export({ format: "jwk" });
  const out = key.export(settings as Parameters<KeyObject["export"]>[0] & { format: "pem" });
  return typeof out === "string" ? out : new Uint8Array(out);
}

function keyOf(kind: unknown, der: unknown): KeyObject {
  if (!(der instanceof Uint8Array)) throw new TypeError("the key must be bytes");
  const input = { key: Buffer.from(der), format: "der" as const };
  return kind === "private" ? createPrivateKey({ ...input, type: "pkcs8" }) : createPublicKey({ ...input, type: "spki" });
}

/** `key.export()` of an asymmetric KeyObject in a form the sandbox cannot make itself (PKCS #1, SEC 1, a cipher, JWK). */
export function exportKey(kind: unknown, der: unknown, options: unknown): string | Uint8Array | JsonWebKey {
  return encoded(keyOf(kind, der), options);
}

function generationOptions(type: string, options: unknown): Record<string, unknown> {
  const given = record(options);
  if (type === "rsa") {
    const bits = Number(given["modulusLength"]);
    if (!Number.isSafeInteger(bits) || bits < 512 || bits > MAX_GENERATED_RSA_BITS) throw outOfRange("options.modulusLength", given["modulusLength"], `>= 512 && <= ${MAX_GENERATED_RSA_BITS}`);
    const exponent = given["publicExponent"] ?? 0x10001;
    if (!Number.isSafeInteger(exponent) || (exponent as number) < 3 || (exponent as number) > 0xffffffff || (exponent as number) % 2 === 0) {
      throw outOfRange("options.publicExponent", exponent, "an odd integer >= 3 && <= 4294967295");
    }
    return { modulusLength: bits, publicExponent: exponent };
  }
  if (type === "ec") return { namedCurve: curveOf(given["namedCurve"]) };
  return {};
}

/** generateKeyPair(type, options) with Node's async form: the work runs on libuv's pool, off the main thread. */
export function generatePair(type: unknown, options: unknown): Promise<GeneratedPair> {
  const name = String(type);
  if (!GENERATED_TYPES.has(name)) {
    return Promise.reject(Object.assign(new TypeError(`The argument 'type' must be one of: 'rsa', 'ec', 'ed25519', 'x25519'. Received ${String(type)}`), { code: "ERR_INVALID_ARG_VALUE" }));
  }
  let settings: Record<string, unknown>;
  const given = record(options);
  try {
    settings = generationOptions(name, options);
    // Checked before the work starts, so a bad encoding costs nothing.
    if (given["publicKeyEncoding"] !== undefined) exportOptions(given["publicKeyEncoding"]);
    if (given["privateKeyEncoding"] !== undefined) exportOptions(given["privateKeyEncoding"]);
  } catch (error) {
    return Promise.reject(error as Error);
  }
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, publicKey: KeyObject, privateKey: KeyObject): void => {
      if (error) return reject(error);
      try {
        const pair: GeneratedPair = { publicKey: parsedKeyOf(publicKey), privateKey: parsedKeyOf(privateKey) };
        if (given["publicKeyEncoding"] !== undefined) pair.publicEncoded = encoded(publicKey, given["publicKeyEncoding"]) as string | Uint8Array;
        if (given["privateKeyEncoding"] !== undefined) pair.privateEncoded = encoded(privateKey, given["privateKeyEncoding"]) as string | Uint8Array;
        resolve(pair);
      } catch (failure) {
        reject(failure as Error);
      }
    };
    (generateKeyPair as unknown as (type: string, options: Record<string, unknown>, done: (error: Error | null, publicKey: KeyObject, privateKey: KeyObject) => void) => void)(name, settings, done);
  });
}

/** `work`'s answer, or the abort's reason as soon as `signal` fires (the work itself runs to its end). */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const abort = (): void => reject(signal.reason as Error);
    if (signal.aborted) abort();
    signal.addEventListener("abort", abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}

const RSA_OPERATIONS = { publicEncrypt, publicDecrypt, privateEncrypt, privateDecrypt } as const;

/** publicEncrypt, privateDecrypt, privateEncrypt, publicDecrypt with an RSA key: PKCS #1 v1.5 or OAEP padding. */
export function rsaCrypt(operation: unknown, kind: unknown, der: unknown, options: unknown, data: unknown): Uint8Array {
  const act = RSA_OPERATIONS[String(operation) as keyof typeof RSA_OPERATIONS];
  if (!act) throw new Error(`unknown RSA operation ${String(operation)}`);
  if (!(data instanceof Uint8Array)) throw new TypeError("the data must be bytes");
  const key = keyOf(kind, der);
  if (key.asymmetricKeyType !== "rsa") throw Object.assign(new Error(`publicEncrypt and its kin take RSA keys, not ${key.asymmetricKeyType ?? "this key"}`), { code: "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE" });
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) > MAX_RSA_BITS) throw new RangeError(`RSA keys may be at most ${MAX_RSA_BITS} bits`);
  const given = record(options);
  const settings = {
    key,
    ...(typeof given["padding"] === "number" ? { padding: given["padding"] } : {}),
    ...(typeof given["oaepHash"] === "string" ? { oaepHash: given["oaepHash"] } : {}),
    ...(given["oaepLabel"] instanceof Uint8Array ? { oaepLabel: given["oaepLabel"] } : {}),
  };
  return new Uint8Array(act(settings, data));
}

/** diffieHellman({ privateKey, publicKey }) for EC and X25519 keys. */
export function agreeSecret(privateDer: unknown, publicKind: unknown, publicDer: unknown): Uint8Array {
  const given = keyOf(publicKind, publicDer);
  return new Uint8Array(diffieHellman({ privateKey: keyOf("private", privateDer), publicKey: given.type === "private" ? createPublicKey(given) : given }));
}

function bytes(value: unknown, what: string): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value);
  throw new TypeError(`${what} must be bytes`);
}

function pointFormat(value: unknown): "uncompressed" | "compressed" | "hybrid" {
  if (value === undefined || value === null || value === "uncompressed") return "uncompressed";
  if (value === "compressed" || value === "hybrid") return value;
  throw Object.assign(new TypeError(`Invalid ECDH format: ${String(value)}`), { code: "ERR_CRYPTO_ECDH_INVALID_FORMAT" });
}

/** createECDH's work, stateless: the isolate holds the keys and sends them with each call. */
export function ecdh(action: unknown, args: unknown[]): unknown {
  const curve = curveOf(args[0]);
  switch (action) {
    case "generate": {
      const pair = createECDH(curve);
      pair.generateKeys();
      return { privateKey: new Uint8Array(pair.getPrivateKey()), publicKey: new Uint8Array(pair.getPublicKey()) };
    }
    case "public": {
      const pair = createECDH(curve);
      pair.setPrivateKey(bytes(args[1], "the private key"));
      return new Uint8Array(pair.getPublicKey());
    }
    case "secret": {
      const pair = createECDH(curve);
      pair.setPrivateKey(bytes(args[1], "the private key"));
      return new Uint8Array(pair.computeSecret(bytes(args[2], "the public key")));
    }
    case "convert":
      return new Uint8Array(ECDH.convertKey(bytes(args[1], "the key"), curve, undefined, undefined, pointFormat(args[2])) as Buffer);
    default:
      throw new Error(`unknown ECDH call ${String(action)}`);
  }
}

// Asymmetric keys and signatures for the sandbox's `crypto` (KeyObject, createSign/createVerify, sign,
// verify): the host parses keys and signs with Node's crypto, the isolate holds only a key's DER bytes.
// Every input has been copied out of the isolate and is checked here; keys are held to sizes whose work
// is short (RSA up to 8192 bits), so one call cannot hold the host's main thread for long.
import { createPrivateKey, createPublicKey, sign, verify, type JsonWebKey, type KeyObject, type PrivateKeyInput, type PublicKeyInput } from "node:crypto";

/** An RSA key this size signs in tens of milliseconds; larger ones are refused. */
export const MAX_RSA_BITS = 8192;
const JWK_FIELDS = ["kty", "crv", "x", "y", "d", "n", "e", "p", "q", "dp", "dq", "qi"];
const KEY_TYPES = new Set(["rsa", "rsa-pss", "ec", "ed25519", "ed448", "x25519", "x448"]);

export interface ParsedKey {
  type: "public" | "private";
  asymmetricKeyType: string;
  details: { modulusLength?: number; publicExponent?: number; namedCurve?: string };
  /** SPKI DER for a public key, PKCS #8 DER for a private one. */
  der: Uint8Array;
}

function bytes(value: unknown, what: string): Uint8Array | string {
  if (typeof value === "string" || value instanceof Uint8Array) return value;
  throw new TypeError(`${what} must be a string or bytes`);
}

function checked(key: KeyObject): KeyObject {
  const type = key.asymmetricKeyType ?? "";
  if (!KEY_TYPES.has(type)) throw new Error(`Unsupported key type ${type || "unknown"}: RSA, RSA-PSS, EC, Ed25519, Ed448, X25519 and X448 keys are supported`);
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (bits !== undefined && bits > MAX_RSA_BITS) throw new RangeError(`RSA keys may be at most ${MAX_RSA_BITS} bits; this one has ${bits}`);
  return key;
}

function describe(key: KeyObject): ParsedKey {
  const details = key.asymmetricKeyDetails ?? {};
  const der = key.type === "private" ? key.export({ format: "der", type: "pkcs8" }) : key.export({ format: "der", type: "spki" });
  return {
    type: key.type as "public" | "private",
    asymmetricKeyType: key.asymmetricKeyType ?? "",
    details: {
      ...(details.modulusLength !== undefined ? { modulusLength: details.modulusLength } : {}),
      ...(details.publicExponent !== undefined ? { publicExponent: Number(details.publicExponent) } : {}),
      ...(details.namedCurve !== undefined ? { namedCurve: details.namedCurve } : {}),
    },
    der: new Uint8Array(der),
  };
}

/** A key Node made (generateKeyPair), described as parseKey describes the keys it parses. */
export function parsedKeyOf(key: KeyObject): ParsedKey {
  return describe(checked(key));
}

/** A JWK as the function gave it, reduced to the members keys are built from. */
export function jwkOf(value: unknown): JsonWebKey {
  const given = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof given["kty"] !== "string") throw Object.assign(new TypeError('The "key.kty" property must be of type string'), { code: "ERR_INVALID_ARG_TYPE" });
  const jwk: Record<string, string> = {};
  for (const field of JWK_FIELDS) if (typeof given[field] === "string") jwk[field] = given[field];
  return jwk;
}

interface KeyInput {
  key: unknown;
  format?: unknown;
  type?: unknown;
  passphrase?: unknown;
}

/** A key as the function gave it (PEM text, DER bytes with its type, a JWK, or a private key for its public half). */
export function parseKey(kind: unknown, input: unknown): ParsedKey {
  const given = (typeof input === "object" && input !== null ? input : {}) as KeyInput;
  if (given.format === "jwk") {
    const jwk = { key: jwkOf(given.key), format: "jwk" as const };
    if (kind === "private") return describe(checked(createPrivateKey(jwk)));
    if (kind === "public") return describe(checked(createPublicKey(jwk)));
  }
  const format = given.format === "der" ? "der" : "pem";
  const options = {
    key: bytes(given.key, "the key") as string | Buffer,
    format,
    ...(format === "der" && typeof given.type === "string" ? { type: given.type as "pkcs1" | "spki" | "pkcs8" | "sec1" } : {}),
    ...(typeof given.passphrase === "string" || given.passphrase instanceof Uint8Array ? { passphrase: given.passphrase as string } : {}),
  };
  // A private key's input serves createPublicKey too: Node takes the public half of it.
  if (kind === "private") return describe(checked(createPrivateKey(options as PrivateKeyInput)));
  if (kind === "public") return describe(checked(createPublicKey(options as PrivateKeyInput as PublicKeyInput)));
  throw new TypeError("a key is public or private");
}

function keyOf(kind: unknown, der: unknown): KeyObject {
  if (!(der instanceof Uint8Array)) throw new TypeError("the key must be bytes");
  const key = kind === "private" ? createPrivateKey({ key: Buffer.from(der), format: "der", type: "pkcs8" }) : createPublicKey({ key: Buffer.from(der), format: "der", type: "spki" });
  return checked(key);
}

interface SignOptions {
  padding?: number;
  saltLength?: number;
  dsaEncoding?: "der" | "ieee-p1363";
}

function signOptions(options: unknown): SignOptions {
  const given = (typeof options === "object" && options !== null ? options : {}) as Record<string, unknown>;
  return {
    ...(typeof given["padding"] === "number" ? { padding: given["padding"] } : {}),
    ...(typeof given["saltLength"] === "number" ? { saltLength: given["saltLength"] } : {}),
    ...(given["dsaEncoding"] === "ieee-p1363" ? { dsaEncoding: "ieee-p1363" as const } : {}),
  };
}

/** `algorithm` is a digest name, or null for Ed25519 and Ed448. */
export function signData(algorithm: unknown, data: unknown, der: unknown, options: unknown): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new TypeError("the data must be bytes");
  return new Uint8Array(sign(algorithm === null ? null : String(algorithm), data, { key: keyOf("private", der), ...signOptions(options) }));
}

/** Verifies with a public key, or with the public half of a private one (`kind`). */
export function verifyData(algorithm: unknown, data: unknown, kind: unknown, der: unknown, signature: unknown, options: unknown): boolean {
  if (!(data instanceof Uint8Array) || !(signature instanceof Uint8Array)) throw new TypeError("the data and the signature must be bytes");
  return verify(algorithm === null ? null : String(algorithm), data, { key: keyOf(kind, der), ...signOptions(options) }, signature);
}

/** The public half of a private key, as SPKI DER. */
export function publicHalf(der: unknown): ParsedKey {
  return describe(createPublicKey(keyOf("private", der)));
}

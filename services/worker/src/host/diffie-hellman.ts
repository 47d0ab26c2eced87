// Finite-field Diffie-Hellman for the isolate's crypto.createDiffieHellman and getDiffieHellman, done with
// Node's own. Stateless: the isolate holds the prime, generator and keys and sends them with each call.
// Work is bounded: primes of at most MAX_PRIME_BITS (modp18's 8192, as RSA's cap), and a new safe prime of
// at most MAX_GENERATED_PRIME_BITS, found on libuv's pool while the isolate waits.
import { createDiffieHellman, generatePrime, getDiffieHellman } from "node:crypto";

export const MAX_PRIME_BITS = 8192;
export const MAX_GENERATED_PRIME_BITS = 2048;
/** OpenSSL 3 refuses Diffie-Hellman parameters below this. */
export const MIN_GENERATED_PRIME_BITS = 512;
const GROUPS = ["modp1", "modp2", "modp5", "modp14", "modp15", "modp16", "modp17", "modp18"];

function bytes(value: unknown, what: string): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value);
  throw new TypeError(`${what} must be bytes`);
}

function prime(value: unknown): Buffer {
  const given = bytes(value, "the prime");
  if (given.length * 8 > MAX_PRIME_BITS) {
    throw Object.assign(new RangeError(`Diffie-Hellman primes may be at most ${MAX_PRIME_BITS} bits in Lambent's isolate runtime`), { code: "ERR_OUT_OF_RANGE" });
  }
  return given;
}

/** A group's prime and generator (getDiffieHellman). */
export function diffieHellmanGroup(name: unknown): { prime: Uint8Array; generator: Uint8Array } {
  const group = String(name);
  if (!GROUPS.includes(group)) throw Object.assign(new Error("Unknown DH group"), { code: "ERR_CRYPTO_UNKNOWN_DH_GROUP" });
  const dh = getDiffieHellman(group);
  return { prime: new Uint8Array(dh.getPrime()), generator: new Uint8Array(dh.getGenerator()) };
}

/**
 * A value no longer than the prime: an exponent as long as a host call (a megabyte) would make one modular
 * exponentiation minutes of the host's time.
 */
function boundedBy(modulus: Buffer, value: unknown, what: string): Buffer {
  const given = bytes(value, what);
  if (given.length > modulus.length) throw Object.assign(new RangeError(`${what} may be no longer than the prime`), { code: "ERR_OUT_OF_RANGE" });
  return given;
}

/** The calls a DiffieHellman object makes: keys (the private key kept when given), secret, check. */
export function diffieHellmanCall(action: unknown, args: unknown[]): unknown {
  const modulus = prime(args[0]);
  const dh = createDiffieHellman(modulus, boundedBy(modulus, args[1], "the generator"));
  switch (action) {
    case "keys": {
      if (args[2] !== null && args[2] !== undefined) dh.setPrivateKey(boundedBy(modulus, args[2], "the private key"));
      dh.generateKeys();
      return { privateKey: new Uint8Array(dh.getPrivateKey()), publicKey: new Uint8Array(dh.getPublicKey()) };
    }
    case "secret":
      dh.setPrivateKey(boundedBy(modulus, args[2], "the private key"));
      return new Uint8Array(dh.computeSecret(boundedBy(modulus, args[3], "the other public key")));
    case "check":
      return dh.verifyError;
    default:
      throw new Error(`unknown Diffie-Hellman call ${String(action)}`);
  }
}

/** A new safe prime of `bits` bits, for createDiffieHellman(primeLength). */
export function generateSafePrime(bits: unknown): Promise<Uint8Array> {
  if (typeof bits !== "number" || !Number.isInteger(bits) || bits < MIN_GENERATED_PRIME_BITS || bits > MAX_GENERATED_PRIME_BITS) {
    return Promise.reject(
      Object.assign(new RangeError(`The prime length must be an integer from ${MIN_GENERATED_PRIME_BITS} to ${MAX_GENERATED_PRIME_BITS} in Lambent's isolate runtime. Received ${String(bits)}`), { code: "ERR_OUT_OF_RANGE" }),
    );
  }
  return new Promise((resolve, reject) => generatePrime(bits, { safe: true }, (error, found) => (error ? reject(error) : resolve(new Uint8Array(found)))));
}

// crypto's finite-field Diffie-Hellman: createDiffieHellman (a prime given, or a new safe prime of a
// length), getDiffieHellman/createDiffieHellmanGroup (the RFC 2409/3526 groups), with Node's methods.
// The object holds the prime, generator and keys; the host computes with them (src/host/diffie-hellman.ts).
import { callHost, callHostWaiting } from "../host-access.js";
import { bytesOf, output } from "./crypto-bytes.js";

/** A generator given as a number, as Node takes it, in the big-endian bytes the host takes. */
function generatorBytes(generator: unknown, encoding?: string): Uint8Array {
  if (generator === undefined) return new Uint8Array([2]);
  if (typeof generator === "number") {
    if (!Number.isSafeInteger(generator) || generator < 2) throw Object.assign(new RangeError(`The value of "generator" is out of range. It must be >= 2. Received ${generator}`), { code: "ERR_OUT_OF_RANGE" });
    const out: number[] = [];
    for (let rest = generator; rest > 0; rest = Math.floor(rest / 256)) out.unshift(rest % 256);
    return new Uint8Array(out);
  }
  return bytesOf(generator, encoding);
}

class DiffieHellman {
  #prime: Uint8Array;
  #generator: Uint8Array;
  #privateKey: Uint8Array | undefined;
  #publicKey: Uint8Array | undefined;
  #verifyError: number | undefined;

  constructor(prime: Uint8Array, generator: Uint8Array) {
    this.#prime = prime;
    this.#generator = generator;
  }

  /** DH_check's flags, worked out when first asked (a primality test). */
  get verifyError(): number {
    return (this.#verifyError ??= callHost("dh", "check", this.#prime, this.#generator) as number);
  }

  generateKeys(encoding?: string): unknown {
    const keys = callHost("dh", "keys", this.#prime, this.#generator, this.#privateKey ?? null) as { privateKey: Uint8Array; publicKey: Uint8Array };
    this.#privateKey = keys.privateKey;
    this.#publicKey = keys.publicKey;
    return output(keys.publicKey, encoding);
  }

  computeSecret(otherPublicKey: unknown, inputEncoding?: string, outputEncoding?: string): unknown {
    if (!this.#privateKey) throw new Error("Failed to get DH private key");
    return output(callHost("dh", "secret", this.#prime, this.#generator, this.#privateKey, bytesOf(otherPublicKey, inputEncoding)) as Uint8Array, outputEncoding);
  }

  getPrime(encoding?: string): unknown {
    return output(this.#prime, encoding);
  }

  getGenerator(encoding?: string): unknown {
    return output(this.#generator, encoding);
  }

  getPublicKey(encoding?: string): unknown {
    if (!this.#publicKey) throw Object.assign(new Error("No public key - did you forget to generate one?"), { code: "ERR_CRYPTO_INVALID_STATE" });
    return output(this.#publicKey, encoding);
  }

  getPrivateKey(encoding?: string): unknown {
    if (!this.#privateKey) throw Object.assign(new Error("No private key - did you forget to generate one?"), { code: "ERR_CRYPTO_INVALID_STATE" });
    return output(this.#privateKey, encoding);
  }

  setPublicKey(key: unknown, encoding?: string): void {
    this.#publicKey = bytesOf(key, encoding);
  }

  setPrivateKey(key: unknown, encoding?: string): void {
    this.#privateKey = bytesOf(key, encoding);
  }
}

/** A named group's object: its keys cannot be set, as in Node. */
class DiffieHellmanGroup extends DiffieHellman {
  constructor(name: unknown) {
    const group = callHost("dh.group", String(name)) as { prime: Uint8Array; generator: Uint8Array };
    super(group.prime, group.generator);
  }
}
for (const name of ["setPublicKey", "setPrivateKey"]) Object.defineProperty(DiffieHellmanGroup.prototype, name, { value: undefined });

function createDiffieHellman(prime: unknown, primeEncoding?: unknown, generator?: unknown, generatorEncoding?: unknown): DiffieHellman {
  if (typeof prime === "number") {
    // createDiffieHellman(primeLength[, generator]): a new safe prime, found by the host while the function waits.
    const found = callHostWaiting("dhprime", prime) as Uint8Array;
    return new DiffieHellman(found, generatorBytes(primeEncoding));
  }
  if (typeof primeEncoding !== "string") return new DiffieHellman(bytesOf(prime), generatorBytes(primeEncoding, typeof generator === "string" ? generator : undefined));
  return new DiffieHellman(bytesOf(prime, primeEncoding), generatorBytes(generator, typeof generatorEncoding === "string" ? generatorEncoding : undefined));
}

export function createDiffieHellmanCrypto(): Record<string, unknown> {
  const getDiffieHellman = (name: unknown): DiffieHellman => new DiffieHellmanGroup(name);
  return {
    createDiffieHellman,
    getDiffieHellman,
    createDiffieHellmanGroup: getDiffieHellman,
    DiffieHellman,
    DiffieHellmanGroup,
  };
}

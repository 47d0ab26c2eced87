// pbkdf2, scrypt and hkdf for the sandbox's `crypto`, run on libuv's pool (Node's async forms) while the
// isolate waits, so a slow derivation holds no thread the host's other environments need. A derivation
// cannot be stopped once started, so its work is capped: iterations, scrypt's cost and memory, key length.
import { hkdf, pbkdf2, scrypt } from "node:crypto";

export const MAX_PBKDF2_ITERATIONS = 1_000_000;
/** scrypt's N·r·128 bytes: 64 MB, twice Node's default maxmem. */
export const MAX_SCRYPT_MEMORY = 64 * 1024 * 1024;
export const MAX_DERIVED_BYTES = 1024;
const DIGESTS = new Set(["sha1", "sha224", "sha256", "sha384", "sha512", "md5"]);

function bytes(value: unknown, what: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw new TypeError(`${what} must be bytes`);
}

function whole(value: unknown, what: string, min: number, max: number): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw Object.assign(new RangeError(`The value of "${what}" is out of range. It must be >= ${min} && <= ${max}. Received ${String(value)}`), { code: "ERR_OUT_OF_RANGE" });
  }
  return number;
}

function digestOf(value: unknown): string {
  const digest = String(value).toLowerCase();
  if (!DIGESTS.has(digest)) throw Object.assign(new TypeError(`Invalid digest: ${String(value)}`), { code: "ERR_CRYPTO_INVALID_DIGEST" });
  return digest;
}

/** `kind` with its arguments as the sandbox sends them; resolves to the derived key. */
export function deriveKey(kind: unknown, args: unknown[]): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, key?: ArrayBuffer | Buffer): void => (error ? reject(error) : resolve(new Uint8Array(key as ArrayBuffer)));
    switch (kind) {
      case "pbkdf2": {
        const [password, salt, iterations, length, digest] = args;
        pbkdf2(bytes(password, "password"), bytes(salt, "salt"), whole(iterations, "iterations", 1, MAX_PBKDF2_ITERATIONS), whole(length, "keylen", 0, MAX_DERIVED_BYTES), digestOf(digest), done);
        return;
      }
      case "scrypt": {
        const [password, salt, length, options] = args;
        const given = (typeof options === "object" && options !== null ? options : {}) as Record<string, unknown>;
        const cost = whole(given["N"] ?? given["cost"] ?? 16384, "N", 2, 2 ** 20);
        const blockSize = whole(given["r"] ?? given["blockSize"] ?? 8, "r", 1, 64);
        const parallelization = whole(given["p"] ?? given["parallelization"] ?? 1, "p", 1, 16);
        if (128 * cost * blockSize > MAX_SCRYPT_MEMORY) throw Object.assign(new RangeError(`scrypt may use at most ${MAX_SCRYPT_MEMORY} bytes (128 * N * r)`), { code: "ERR_CRYPTO_INVALID_SCRYPT_PARAMS" });
        scrypt(bytes(password, "password"), bytes(salt, "salt"), whole(length, "keylen", 0, MAX_DERIVED_BYTES), { N: cost, r: blockSize, p: parallelization, maxmem: MAX_SCRYPT_MEMORY + 1024 * 1024 }, done);
        return;
      }
      case "hkdf": {
        const [digest, key, salt, info, length] = args;
        hkdf(digestOf(digest), bytes(key, "key"), bytes(salt, "salt"), bytes(info, "info"), whole(length, "keylen", 0, MAX_DERIVED_BYTES), done);
        return;
      }
      default:
        throw new Error(`unknown key derivation ${String(kind)}`);
    }
  });
}

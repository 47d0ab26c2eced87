// `crypto`: createHash, createHmac, random bytes and UUIDs, timingSafeEqual, webcrypto, keys and
// signatures (crypto-keys.ts), key pairs, RSA encryption and ECDH (crypto-key-pairs.ts), and finite-field
// Diffie-Hellman (crypto-dh.ts). The host
// computes every digest and random byte (web/crypto.ts); input is gathered here until `digest`.
import { getRandomValues, hostDigest, randomBytes as hostRandomBytes, randomUUID, subtle, webcrypto } from "../web/crypto.js";
import { Buffer } from "./buffer.js";
import { createCipherCrypto } from "./crypto-ciphers.js";
import { createDiffieHellmanCrypto } from "./crypto-dh.js";
import { createKeyPairCrypto } from "./crypto-key-pairs.js";
import { createKeyCrypto, secretOf } from "./crypto-keys.js";

const HASHES = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"];
const ALIASES: Record<string, string> = { "sha-1": "sha1", "sha-224": "sha224", "sha-256": "sha256", "sha-384": "sha384", "sha-512": "sha512", rsa_sha256: "sha256" };

function algorithmOf(name: unknown): string {
  const lower = String(name).toLowerCase();
  const algorithm = ALIASES[lower] ?? lower;
  if (!HASHES.includes(algorithm)) throw new Error(`Digest method not supported: ${String(name)}`);
  return algorithm;
}

function bytesOf(data: unknown, encoding?: string): Uint8Array {
  if (typeof data === "string") return new Uint8Array(Buffer().from(data, encoding ?? "utf8"));
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    const view = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
    return view.slice();
  }
  throw new TypeError(`The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ${typeof data}`);
}

function output(bytes: Uint8Array, encoding?: string): unknown {
  const buffer = Buffer().from(bytes);
  return encoding === undefined || encoding === "buffer" ? buffer : buffer.toString(encoding);
}

class Digest {
  private chunks: Uint8Array[] = [];
  private finished = false;
  constructor(
    private readonly op: "hash" | "hmac",
    private readonly algorithm: string,
    private readonly key?: Uint8Array,
  ) {}
  update(data: unknown, encoding?: string): this {
    if (this.finished) throw Object.assign(new Error("Digest already called"), { code: "ERR_CRYPTO_HASH_FINALIZED" });
    this.chunks.push(bytesOf(data, encoding));
    return this;
  }
  digest(encoding?: string): unknown {
    if (this.finished) throw Object.assign(new Error("Digest already called"), { code: "ERR_CRYPTO_HASH_FINALIZED" });
    this.finished = true;
    const chunks = this.chunks;
    this.chunks = [];
    return output(hostDigest(this.algorithm, this.op === "hmac" ? (this.key ?? new Uint8Array(0)) : undefined, chunks), encoding);
  }
  copy(): Digest {
    const copy = new Digest(this.op, this.algorithm, this.key);
    copy.chunks = [...this.chunks];
    return copy;
  }
}


function randomBytes(size: number, callback?: (error: Error | null, bytes?: unknown) => void): unknown {
  if (typeof size !== "number" || !(size >= 0)) throw new RangeError(`The "size" argument must be >= 0. Received ${String(size)}`);
  const bytes = Buffer().from(hostRandomBytes(size));
  if (callback) {
    queueMicrotask(() => callback(null, bytes));
    return undefined;
  }
  return bytes;
}

function randomInt(min: number, max?: number, callback?: (error: Error | null, value?: number) => void): number | undefined {
  if (max === undefined || typeof max === "function") {
    callback = max as typeof callback;
    max = min;
    min = 0;
  }
  const range = max - min;
  if (!(range > 0) || range > 2 ** 48) throw new RangeError('The value of "max" is out of range. It must be greater than the value of "min"');
  const bytes = hostRandomBytes(6);
  const value = min + Math.floor((bytes.reduce((sum, byte) => sum * 256 + byte, 0) / 2 ** 48) * range);
  if (callback) {
    queueMicrotask(() => callback?.(null, value));
    return undefined;
  }
  return value;
}

function timingSafeEqual(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b)) throw new TypeError('The "buf1" and "buf2" arguments must be Buffer, TypedArray or DataView');
  if (a.byteLength !== b.byteLength) throw new RangeError("Input buffers must have the same byte length");
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  let difference = 0;
  for (let i = 0; i < x.length; i++) difference |= (x[i] as number) ^ (y[i] as number);
  return difference === 0;
}

export function createCrypto(): Record<string, unknown> {
  return {
    createHash: (algorithm: string) => new Digest("hash", algorithmOf(algorithm)),
    createHmac: (algorithm: string, key: unknown) => new Digest("hmac", algorithmOf(algorithm), secretOf(key)),
    hash: (algorithm: string, data: unknown, encoding = "hex") => new Digest("hash", algorithmOf(algorithm)).update(data).digest(encoding),
    getHashes: () => [...HASHES],
    randomBytes,
    pseudoRandomBytes: randomBytes,
    randomFillSync: <T extends ArrayBufferView>(buffer: T, offset = 0, size?: number): T => {
      const view = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      const length = size ?? view.length - offset;
      view.set(hostRandomBytes(length), offset);
      return buffer;
    },
    randomInt,
    randomUUID,
    getRandomValues,
    timingSafeEqual,
    webcrypto,
    subtle,
    ...createKeyCrypto(),
    ...createCipherCrypto(),
    ...createKeyPairCrypto(),
    ...createDiffieHellmanCrypto(),
    constants: { RSA_PKCS1_PADDING: 1, RSA_NO_PADDING: 3, RSA_PKCS1_OAEP_PADDING: 4, RSA_PKCS1_PSS_PADDING: 6, RSA_PSS_SALTLEN_DIGEST: -1, RSA_PSS_SALTLEN_MAX_SIGN: -2, RSA_PSS_SALTLEN_AUTO: -2 },
  };
}

// `crypto`'s ciphers and key derivations: createCipheriv/createDecipheriv (AES CBC, CTR, GCM, ECB and
// ChaCha20-Poly1305; the host holds each open cipher, src/host/cipher-sessions.ts) and pbkdf2, scrypt and
// hkdf, which run on the host's thread pool while the isolate waits (src/host/key-derivation.ts).
import { callHost, callHostWaiting, hostCallBytes } from "../host-access.js";
import { Buffer } from "./buffer.js";
import { answerLater, secretOf } from "./crypto-keys.js";
import { bytesOf, output } from "./crypto-bytes.js";

class CipherBase {
  protected readonly id: number;
  private finished = false;
  private tag: Uint8Array | undefined;

  constructor(direction: "encrypt" | "decrypt", algorithm: unknown, key: unknown, iv: unknown, options?: { authTagLength?: number }) {
    const ivBytes = iv === null || iv === undefined ? null : bytesOf(iv);
    this.id = callHost("cipher.start", direction, String(algorithm), secretOf(key), ivBytes, options?.authTagLength ?? null) as number;
  }

  private open(): void {
    if (this.finished) throw Object.assign(new Error("Unsupported state"), { code: "ERR_CRYPTO_INVALID_STATE" });
  }

  update(data: unknown, inputEncoding?: string, outputEncoding?: string): unknown {
    this.open();
    const input = bytesOf(data, inputEncoding);
    // One host call carries at most hostCallBytes: longer input goes in pieces, their outputs joined.
    const piece = hostCallBytes();
    if (input.length <= piece) return output(callHost("cipher.update", this.id, input) as Uint8Array, outputEncoding);
    const outputs: Uint8Array[] = [];
    for (let start = 0; start < input.length; start += piece) outputs.push(callHost("cipher.update", this.id, input.subarray(start, start + piece)) as Uint8Array);
    return output(Buffer().concat(outputs), outputEncoding);
  }

  final(outputEncoding?: string): unknown {
    this.open();
    this.finished = true;
    const { output: last, authTag } = callHost("cipher.final", this.id) as { output: Uint8Array; authTag?: Uint8Array };
    this.tag = authTag;
    return output(last, outputEncoding);
  }

  setAAD(data: unknown, options?: { plaintextLength?: number }): this {
    this.open();
    callHost("cipher.aad", this.id, bytesOf(data), options?.plaintextLength ?? null);
    return this;
  }

  setAutoPadding(on = true): this {
    this.open();
    callHost("cipher.padding", this.id, on);
    return this;
  }

  protected authTag(): Uint8Array | undefined {
    return this.tag;
  }

  protected setTag(tag: unknown): void {
    this.open();
    callHost("cipher.tag", this.id, bytesOf(tag));
  }
}

class Cipheriv extends CipherBase {
  constructor(algorithm: unknown, key: unknown, iv: unknown, options?: { authTagLength?: number }) {
    super("encrypt", algorithm, key, iv, options);
  }
  getAuthTag(): unknown {
    const tag = this.authTag();
    if (!tag) throw Object.assign(new Error("Invalid state for operation getAuthTag"), { code: "ERR_CRYPTO_INVALID_STATE" });
    return Buffer().from(tag);
  }
}

class Decipheriv extends CipherBase {
  constructor(algorithm: unknown, key: unknown, iv: unknown, options?: { authTagLength?: number }) {
    super("decrypt", algorithm, key, iv, options);
  }
  setAuthTag(tag: unknown): this {
    this.setTag(tag);
    return this;
  }
}

type Callback = (error: Error | null, key?: unknown) => void;

function derive(kind: string, args: unknown[]): unknown {
  return Buffer().from(callHostWaiting("kdf", kind, ...args) as Uint8Array);
}

const later = (callback: Callback, compute: () => unknown): void => answerLater(callback, compute);

const pbkdf2Sync = (password: unknown, salt: unknown, iterations: number, keylen: number, digest: string): unknown =>
  derive("pbkdf2", [bytesOf(password), bytesOf(salt), iterations, keylen, digest]);
const scryptSync = (password: unknown, salt: unknown, keylen: number, options?: Record<string, unknown>): unknown =>
  derive("scrypt", [bytesOf(password), bytesOf(salt), keylen, options ?? {}]);
const hkdfSync = (digest: string, key: unknown, salt: unknown, info: unknown, keylen: number): ArrayBuffer => {
  const derived = derive("hkdf", [digest, secretOf(key), bytesOf(salt), bytesOf(info), keylen]) as Uint8Array;
  return derived.buffer.slice(derived.byteOffset, derived.byteOffset + derived.byteLength) as ArrayBuffer;
};

export function createCipherCrypto(): Record<string, unknown> {
  return {
    createCipheriv: (algorithm: unknown, key: unknown, iv: unknown, options?: { authTagLength?: number }) => new Cipheriv(algorithm, key, iv, options),
    createDecipheriv: (algorithm: unknown, key: unknown, iv: unknown, options?: { authTagLength?: number }) => new Decipheriv(algorithm, key, iv, options),
    getCiphers: () => ["aes-128-cbc", "aes-128-ctr", "aes-128-ecb", "aes-128-gcm", "aes-192-cbc", "aes-192-ctr", "aes-192-ecb", "aes-192-gcm", "aes-256-cbc", "aes-256-ctr", "aes-256-ecb", "aes-256-gcm", "chacha20-poly1305"],
    pbkdf2Sync,
    pbkdf2: (password: unknown, salt: unknown, iterations: number, keylen: number, digest: string, callback: Callback) =>
      later(callback, () => pbkdf2Sync(password, salt, iterations, keylen, digest)),
    scryptSync,
    scrypt: (password: unknown, salt: unknown, keylen: number, options: Record<string, unknown> | Callback, callback?: Callback) =>
      typeof options === "function" ? later(options, () => scryptSync(password, salt, keylen)) : later(callback as Callback, () => scryptSync(password, salt, keylen, options)),
    hkdfSync,
    hkdf: (digest: string, key: unknown, salt: unknown, info: unknown, keylen: number, callback: Callback) => later(callback, () => hkdfSync(digest, key, salt, info, keylen)),
  };
}

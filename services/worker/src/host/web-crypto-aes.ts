// AES-GCM, AES-CBC and AES-CTR for the isolate's `crypto.subtle`, as a plan: the node:crypto cipher, key,
// IV (or, for a counter that wraps, one IV per stretch of blocks), tag length and additional data, checked
// here once. Data of at most one host call's size is enciphered at once by runAesPlan; longer data the
// sandbox feeds through the environment's cipher sessions (cipher.start, cipher.update…, cipher.final)
// a host call's worth at a time, following the same plan.
import { createCipheriv, createDecipheriv, type CipherGCMTypes } from "node:crypto";
import { bytesOf, webCryptoError, type AlgorithmName, type WebKey } from "./web-crypto-algorithms.js";

const GCM_TAG_BITS = [32, 64, 96, 104, 112, 120, 128];
/** An AES-GCM IV this long is far past any real use; the cap keeps the call's work small. */
const MAX_GCM_IV_BYTES = 1024;
/** The most data one plan covers: the most a function could hold, and then some. */
const MAX_PLANNED_BYTES = 2 ** 40;

/** One stretch of the data enciphered from one IV; only a wrapping AES-CTR counter has two. */
export interface AesStretch {
  iv: Uint8Array;
  bytes: number;
}

export interface AesPlan {
  cipher: string;
  key: Uint8Array;
  stretches: AesStretch[];
  /** AES-GCM's tag length in bytes; a ciphertext ends with its tag. */
  tagBytes?: number;
  additionalData?: Uint8Array;
}

export function failed(): Error {
  return webCryptoError("OperationError", "The operation failed for an operation-specific reason");
}

export function aesName(key: WebKey, mode: string): string {
  const bits = key.material.length * 8;
  if (bits !== 128 && bits !== 192 && bits !== 256) throw webCryptoError("DataError", "Invalid key length");
  return `aes-${bits}-${mode}`;
}

function hexBlock(value: bigint): Uint8Array {
  return new Uint8Array(Buffer.from(value.toString(16).padStart(32, "0"), "hex"));
}

/**
 * AES-CTR with Web Crypto's counter: only the block's low `length` bits count, so when they would wrap
 * the rest is enciphered from the block with those bits cleared, as Node does. More blocks than the
 * counter has values is an error.
 */
function counterStretches(counter: Uint8Array, length: number, dataBytes: number): AesStretch[] {
  const block = BigInt(`0x${Buffer.from(counter).toString("hex")}`);
  const span = 1n << BigInt(length);
  const low = block & (span - 1n);
  const blocks = BigInt(Math.ceil(dataBytes / 16));
  if (blocks > span) throw webCryptoError("OperationError", "The AES-CTR counter would repeat");
  const beforeWrap = span - low;
  if (blocks <= beforeWrap) return [{ iv: counter, bytes: dataBytes }];
  const first = Number(beforeWrap) * 16;
  return [
    { iv: counter, bytes: first },
    { iv: hexBlock(block - low), bytes: dataBytes - first },
  ];
}

/** The plan for enciphering (or deciphering) `dataBytes` bytes with an AES mode, every parameter checked. */
export function aesPlan(name: AlgorithmName, given: Record<string, unknown>, key: WebKey, encrypting: boolean, dataBytes: unknown): AesPlan {
  if (typeof dataBytes !== "number" || !Number.isSafeInteger(dataBytes) || dataBytes < 0 || dataBytes > MAX_PLANNED_BYTES) throw new TypeError("the data's length must be a byte count");
  switch (name) {
    case "AES-CBC": {
      const iv = bytesOf(given["iv"], "iv", 64);
      if (iv.length !== 16) throw webCryptoError("OperationError", "algorithm.iv must contain exactly 16 bytes");
      return { cipher: aesName(key, "cbc"), key: key.material, stretches: [{ iv, bytes: dataBytes }] };
    }
    case "AES-CTR": {
      const counter = bytesOf(given["counter"], "counter", 64);
      if (counter.length !== 16) throw webCryptoError("OperationError", "algorithm.counter must contain exactly 16 bytes");
      const length = given["length"];
      if (typeof length !== "number" || !(length >= 1 && length <= 128)) throw webCryptoError("OperationError", "AES-CTR algorithm.length must be between 1 and 128");
      return { cipher: aesName(key, "ctr"), key: key.material, stretches: counterStretches(counter, Math.floor(length), dataBytes) };
    }
    case "AES-GCM": {
      const iv = bytesOf(given["iv"], "iv", MAX_GCM_IV_BYTES);
      if (iv.length === 0) throw failed();
      const tagBits = given["tagLength"] === undefined ? 128 : Number(given["tagLength"]);
      if (!GCM_TAG_BITS.includes(tagBits)) throw webCryptoError("OperationError", `${String(given["tagLength"])} is not a valid AES-GCM tag length`);
      const tagBytes = tagBits / 8;
      if (!encrypting && dataBytes < tagBytes) throw webCryptoError("OperationError", "The provided data is too small.");
      const aad = given["additionalData"] === undefined ? undefined : bytesOf(given["additionalData"], "additionalData");
      return { cipher: aesName(key, "gcm"), key: key.material, stretches: [{ iv, bytes: encrypting ? dataBytes : dataBytes - tagBytes }], tagBytes, ...(aad ? { additionalData: aad } : {}) };
    }
    default:
      throw webCryptoError("NotSupportedError", "Unrecognized algorithm name");
  }
}

/** Carries out a plan on data of at most one host call's size; failures are the OperationError Web Crypto reports. */
export function runAesPlan(plan: AesPlan, input: Uint8Array, encrypting: boolean): Uint8Array {
  try {
    const out: Buffer[] = [];
    let offset = 0;
    for (const stretch of plan.stretches) {
      const part = input.subarray(offset, offset + stretch.bytes);
      offset += stretch.bytes;
      const options = plan.tagBytes ? { authTagLength: plan.tagBytes } : {};
      const cipher = plan.cipher as CipherGCMTypes;
      if (encrypting) {
        const stream = createCipheriv(cipher, plan.key, stretch.iv, options);
        if (plan.additionalData) stream.setAAD(plan.additionalData);
        out.push(stream.update(part), stream.final());
        if (plan.tagBytes) out.push(stream.getAuthTag());
      } else {
        const stream = createDecipheriv(cipher, plan.key, stretch.iv, options);
        if (plan.tagBytes) stream.setAuthTag(input.subarray(input.length - plan.tagBytes));
        if (plan.additionalData) stream.setAAD(plan.additionalData);
        out.push(stream.update(part), stream.final());
      }
    }
    return new Uint8Array(Buffer.concat(out));
  } catch {
    throw failed();
  }
}

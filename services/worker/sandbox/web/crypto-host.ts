// Random bytes and digests from the host (node:crypto), for the Web Crypto global and node's `crypto`:
// input and output larger than one host call carries cross in pieces.
import { callHost, hostCallBytes } from "../host-access.js";

export function randomBytes(size: number): Uint8Array {
  const piece = hostCallBytes();
  if (!(size > piece)) return callHost("random", size) as Uint8Array;
  const out = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += piece) out.set(callHost("random", Math.min(piece, size - offset)) as Uint8Array, offset);
  return out;
}

/** The digest (an HMAC when `key` is given) of `pieces` taken together, fed to the host a call's worth at a time. */
export function hostDigest(algorithm: string, key: Uint8Array | undefined, pieces: Uint8Array[]): Uint8Array {
  const piece = hostCallBytes();
  const total = pieces.reduce((sum, part) => sum + part.length, 0);
  if (total <= piece) {
    const data = pieces.length === 1 ? (pieces[0] as Uint8Array) : concatBytes(pieces);
    return (key ? callHost("hmac", algorithm, key, data) : callHost("hash", algorithm, data)) as Uint8Array;
  }
  callHost("hash.start", algorithm, key ?? null);
  for (const part of pieces) {
    // Copies, not views: a view would carry its whole buffer across.
    for (let offset = 0; offset < part.length; offset += piece) callHost("hash.update", part.length <= piece ? part : part.slice(offset, offset + piece));
  }
  return callHost("hash.end") as Uint8Array;
}

export function concatBytes(pieces: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(pieces.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of pieces) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

// The isolate's `crypto.subtle` as one host call, `subtle` (action, …arguments): what each action does is
// in web-crypto-keys.ts and web-crypto-operations.ts. Stateless: keys cross with each call as their
// material, so nothing a function holds lives on the host, and no call can name another function's key.
import { adoptPair, exportKey, generateKey, importKey } from "./web-crypto-keys.js";
import { cryptData, deriveBits, derivedKeyLength, planCipher, signData, verifyData } from "./web-crypto-operations.js";
import { webKeyOf } from "./web-crypto-algorithms.js";

export function webCryptoCall(action: unknown, args: unknown[]): unknown {
  switch (action) {
    case "importKey":
      return importKey(args[0], args[1], args[2], args[3], args[4]);
    case "exportKey":
      return exportKey(args[0], webKeyOf(args[1]));
    case "generateKey":
      return generateKey(args[0], args[1], args[2]);
    case "adoptPair":
      return adoptPair(args[0], args[1], args[2], args[3], args[4]);
    case "sign":
      return signData(args[0], args[1], args[2]);
    case "verify":
      return verifyData(args[0], args[1], args[2], args[3]);
    case "crypt":
      return cryptData(args[0], args[1], args[2], args[3]);
    case "planCipher":
      return planCipher(args[0], args[1], args[2], args[3]);
    case "deriveBits":
      return deriveBits(args[0], args[1], args[2], args[3]);
    case "derivedKeyLength":
      return derivedKeyLength(args[0]);
    default:
      throw new TypeError(`unknown Web Crypto call ${String(action)}`);
  }
}

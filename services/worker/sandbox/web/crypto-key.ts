// Web Crypto's CryptoKey: what a key is (type, extractable, algorithm, usages) and its material (a
// secret's bytes, SPKI or PKCS #8 DER), which the host made and checks again at each use. The material
// sits in a private field no function code can read; only a CryptoKey the host described can be made.
import { DOMException } from "./event-target.js";

/** A key as it crosses to and from the host. */
export interface KeyDescription {
  type: "secret" | "public" | "private";
  extractable: boolean;
  algorithm: Record<string, unknown>;
  usages: string[];
  material: Uint8Array;
}

/** Held by this module alone: `new CryptoKey()` from function code is refused, as in Node. */
const CONSTRUCTING = Symbol("CryptoKey");

let describe: (key: CryptoKey) => KeyDescription;
let isKey: (value: object) => boolean;

export class CryptoKey {
  readonly #type: KeyDescription["type"];
  readonly #extractable: boolean;
  readonly #algorithm: Record<string, unknown>;
  readonly #usages: string[];
  readonly #material: Uint8Array;

  constructor(token?: unknown, description?: KeyDescription) {
    if (token !== CONSTRUCTING || !description) throw new TypeError("Illegal constructor");
    this.#type = description.type;
    this.#extractable = description.extractable;
    this.#algorithm = description.algorithm;
    this.#usages = [...description.usages];
    this.#material = description.material;
  }

  get type(): string {
    return this.#type;
  }
  get extractable(): boolean {
    return this.#extractable;
  }
  get algorithm(): Record<string, unknown> {
    return this.#algorithm;
  }
  get usages(): string[] {
    return [...this.#usages];
  }
  get [Symbol.toStringTag](): string {
    return "CryptoKey";
  }

  static {
    describe = (key) => ({ type: key.#type, extractable: key.#extractable, algorithm: key.#algorithm, usages: [...key.#usages], material: key.#material });
    isKey = (value) => #material in value;
  }
}

export function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof value === "object" && value !== null && isKey(value);
}

/** A key the host described (importKey, generateKey). */
export function cryptoKeyOf(description: KeyDescription): CryptoKey {
  return new CryptoKey(CONSTRUCTING, description);
}

/** A real CryptoKey's description for the host; anything else is the TypeError Node gives. */
export function keyDescription(key: unknown, what = "key"): KeyDescription {
  if (!isCryptoKey(key)) throw new TypeError(`The "${what}" argument must be an instance of CryptoKey`);
  return describe(key);
}

/** An HMAC key's bytes, for node:crypto's createHmac, which takes a CryptoKey as Node does. */
export function secretOfCryptoKey(key: CryptoKey): Uint8Array {
  const description = describe(key);
  if (description.type !== "secret") throw new DOMException("The key is not a secret key", "InvalidAccessError");
  return description.material;
}

// createCipheriv and createDecipheriv for the sandbox's `crypto`: each open cipher is a Node Cipher kept
// here under a number, fed and finished by the isolate's calls, so `update` answers as it goes, as in
// Node. An environment holds a bounded number open; one finished or failed is dropped.
import { createCipheriv, createDecipheriv, type CipherGCM, type CipherGCMTypes, type DecipherGCM } from "node:crypto";

/** A function that opens ciphers and never finishes them holds at most this many. */
export const MAX_OPEN_CIPHERS = 256;
const ALGORITHMS = new Set([
  "aes-128-cbc", "aes-192-cbc", "aes-256-cbc",
  "aes-128-ctr", "aes-192-ctr", "aes-256-ctr",
  "aes-128-gcm", "aes-192-gcm", "aes-256-gcm",
  "aes-128-ecb", "aes-192-ecb", "aes-256-ecb",
  "chacha20-poly1305",
]);

type Session = (CipherGCM | DecipherGCM) & { encrypting: boolean };

function bytes(value: unknown, what: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw new TypeError(`${what} must be bytes`);
}

export class CipherSessions {
  private readonly open = new Map<number, Session>();
  private next = 1;

  start(direction: unknown, algorithm: unknown, key: unknown, iv: unknown, authTagLength: unknown): number {
    const name = String(algorithm).toLowerCase();
    if (!ALGORITHMS.has(name)) throw Object.assign(new Error(`Unsupported cipher ${String(algorithm)}: AES (CBC, CTR, GCM, ECB) and ChaCha20-Poly1305 are supported`), { code: "ERR_CRYPTO_UNKNOWN_CIPHER" });
    if (this.open.size >= MAX_OPEN_CIPHERS) throw new RangeError(`At most ${MAX_OPEN_CIPHERS} ciphers may be open at once; finish one with final()`);
    const aead = name.endsWith("gcm") || name === "chacha20-poly1305";
    const options = aead ? { authTagLength: typeof authTagLength === "number" ? authTagLength : 16 } : {};
    // ECB takes no IV (null); the types want one, Node takes null.
    const vector = (iv === null ? null : bytes(iv, "iv")) as Uint8Array;
    const gcm = name as CipherGCMTypes;
    const session = (direction === "encrypt" ? createCipheriv(gcm, bytes(key, "key"), vector, options) : createDecipheriv(gcm, bytes(key, "key"), vector, options)) as Session;
    session.encrypting = direction === "encrypt";
    const id = this.next++;
    this.open.set(id, session);
    return id;
  }

  private session(id: unknown): Session {
    const session = this.open.get(Number(id));
    if (!session) throw new Error("the cipher is finished");
    return session;
  }

  update(id: unknown, data: unknown): Uint8Array {
    return this.guarded(id, (session) => new Uint8Array(session.update(bytes(data, "data"))));
  }

  setAAD(id: unknown, data: unknown, plaintextLength: unknown): void {
    this.guarded(id, (session) => session.setAAD(bytes(data, "aad"), typeof plaintextLength === "number" ? { plaintextLength } : undefined));
  }

  setAuthTag(id: unknown, tag: unknown): void {
    this.guarded(id, (session) => {
      if (session.encrypting) throw new Error("setAuthTag is for deciphering");
      (session as DecipherGCM).setAuthTag(bytes(tag, "authTag"));
    });
  }

  setAutoPadding(id: unknown, on: unknown): void {
    this.guarded(id, (session) => session.setAutoPadding(on !== false));
  }

  /** The last output, and the authentication tag when enciphering with an AEAD mode. */
  final(id: unknown): { output: Uint8Array; authTag?: Uint8Array } {
    const session = this.session(id);
    this.open.delete(Number(id));
    const output = new Uint8Array(session.final());
    if (!session.encrypting) return { output };
    try {
      return { output, authTag: new Uint8Array((session as CipherGCM).getAuthTag()) };
    } catch {
      return { output };
    }
  }

  /** A session whose call fails is dropped, as Node's cipher is unusable after an error. */
  private guarded<T>(id: unknown, act: (session: Session) => T): T {
    const session = this.session(id);
    try {
      return act(session);
    } catch (error) {
      this.open.delete(Number(id));
      throw error;
    }
  }
}

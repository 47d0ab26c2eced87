// crypto.subtle in the isolate, checked against Node's own Web Crypto in this process: the same code gives
// the same answers (keys' attributes, derived bits, deterministic signatures, errors' names), what one side
// signs or encrypts the other verifies or decrypts, and keys cross both ways as JWK, SPKI, PKCS #8 and raw.
// Then the hostile side: wrong types, inputs past the host's caps, forged keys and keys from elsewhere.
import { createHmac, generateKeyPairSync, webcrypto, type JsonWebKey } from "node:crypto";
import { buildSync } from "esbuild";
import type { JWK } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_PBKDF2_ITERATIONS } from "../host/key-derivation.js";
import { webCryptoCall } from "../host/web-crypto.js";
import { answerInNode, answerOf, functionRecord, handlerBundle, testInvoker } from "../testing/fixtures.js";

const { subtle } = webcrypto;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
const t = testInvoker();
afterAll(() => t.close());

let counter = 0;
function deploy(body: string, timeout = 10): string {
  const name = `web-crypto-${++counter}`;
  t.deploy(functionRecord({ functionName: name, timeout }), handlerBundle(body));
  return name;
}

/** Runs `body` (an async handler body with `event` and the runtime's `require`) in a fresh function. */
async function run(body: string, event: unknown = {}): Promise<Record<string, unknown>> {
  return (await answerOf(t, deploy(body), event)) as Record<string, unknown>;
}

/** The same body in the isolate and in this Node process. */
async function both(body: string, event: unknown = {}): Promise<[unknown, unknown]> {
  return [await run(body, event), await answerInNode(body, event)];
}

const b64 = (bytes: ArrayBuffer | Uint8Array): string => Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString("base64");
const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "base64"));
const message = new TextEncoder().encode("signed in one place, verified in the other");

/** Helpers both sides' bodies use. */
const PRELUDE = `const subtle = globalThis.crypto.subtle;
const b64 = (b) => Buffer.from(b instanceof ArrayBuffer ? new Uint8Array(b) : b).toString("base64");
const fromB64 = (s) => new Uint8Array(Buffer.from(s, "base64"));
const describeKey = (k) => ({ type: k.type, extractable: k.extractable, algorithm: { ...k.algorithm, ...(k.algorithm.publicExponent ? { publicExponent: [...k.algorithm.publicExponent] } : {}) }, usages: k.usages, tag: Object.prototype.toString.call(k) });
const failure = async (work) => { try { await work(); return "no error"; } catch (e) { return e.name + (e instanceof DOMException ? " (DOMException)" : ""); } };
`;

describe("crypto.subtle in the isolate", () => {
  it("generates keys with the attributes Node gives them", async () => {
    const body = `${PRELUDE}
      const out = {};
      const hmac = await subtle.generateKey({ name: "HMAC", hash: "SHA-384" }, true, ["sign", "verify"]);
      out.hmac = [describeKey(hmac), (await subtle.exportKey("raw", hmac)).byteLength];
      out.aes = describeKey(await subtle.generateKey({ name: "AES-GCM", length: 192 }, false, ["encrypt", "decrypt"]));
      out.kw = describeKey(await subtle.generateKey({ name: "AES-KW", length: 256 }, true, ["wrapKey", "unwrapKey"]));
      for (const [name, algorithm, usages] of [
        ["rsa", { name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, ["sign", "verify"]],
        ["pss", { name: "RSA-PSS", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: { name: "SHA-512" } }, ["verify", "sign"]],
        ["oaep", { name: "RSA-OAEP", modulusLength: 1024, publicExponent: new Uint8Array([3]), hash: "SHA-1" }, ["encrypt", "decrypt", "wrapKey", "unwrapKey"]],
        ["ecdsa", { name: "ECDSA", namedCurve: "P-521" }, ["sign", "verify"]],
        ["ecdh", { name: "ECDH", namedCurve: "P-256" }, ["deriveBits", "deriveKey"]],
        ["ed", { name: "Ed25519" }, ["sign", "verify"]],
        ["x", { name: "X25519" }, ["deriveKey"]],
      ]) {
        const pair = await subtle.generateKey(algorithm, false, usages);
        out[name] = [describeKey(pair.publicKey), describeKey(pair.privateKey), Object.keys(pair)];
      }
      return out;`;
    const [isolate, node] = await both(body);
    expect(isolate).toEqual(node);
  });

  it("gives the errors Node gives, as DOMExceptions of the same names", async () => {
    const body = `${PRELUDE}
      const aes = await subtle.generateKey({ name: "AES-GCM", length: 128 }, false, ["encrypt", "decrypt"]);
      const ec = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
      const hkdf = await subtle.importKey("raw", new Uint8Array(16), "HKDF", false, ["deriveBits"]);
      const iv = new Uint8Array(12);
      return {
        unknownAlgorithm: await failure(() => subtle.generateKey({ name: "FOO" }, true, ["sign"])),
        unknownHash: await failure(() => subtle.digest("SHA-3", new Uint8Array(1))),
        noName: await failure(() => subtle.digest({}, new Uint8Array(1))),
        notBytes: await failure(() => subtle.digest("SHA-256", "text")),
        badUsage: await failure(() => subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["encrypt"])),
        noUsages: await failure(() => subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, [])),
        importNoUsages: await failure(() => subtle.importKey("raw", new Uint8Array(16), "AES-CBC", true, [])),
        aesLength: await failure(() => subtle.generateKey({ name: "AES-GCM", length: 100 }, true, ["encrypt"])),
        aesKeyLength: await failure(() => subtle.importKey("raw", new Uint8Array(17), "AES-GCM", true, ["encrypt"])),
        notExtractable: await failure(() => subtle.exportKey("raw", aes)),
        wrongKey: await failure(() => subtle.sign({ name: "HMAC" }, ec.privateKey, new Uint8Array(4))),
        signWithPublic: await failure(() => subtle.sign({ name: "ECDSA", hash: "SHA-256" }, ec.publicKey, new Uint8Array(4))),
        notAKey: await failure(() => subtle.sign({ name: "ECDSA", hash: "SHA-256" }, {}, new Uint8Array(4))),
        badTag: await failure(() => subtle.decrypt({ name: "AES-GCM", iv }, aes, new Uint8Array(40))),
        tooShort: await failure(() => subtle.decrypt({ name: "AES-GCM", iv }, aes, new Uint8Array(4))),
        tagLength: await failure(() => subtle.encrypt({ name: "AES-GCM", iv, tagLength: 100 }, aes, new Uint8Array(4))),
        cbcIv: await failure(async () => subtle.decrypt({ name: "AES-CBC", iv: new Uint8Array(15) }, await subtle.importKey("raw", new Uint8Array(16), "AES-CBC", false, ["decrypt"]), new Uint8Array(16))),
        cbcPadding: await failure(async () => subtle.decrypt({ name: "AES-CBC", iv: new Uint8Array(16) }, await subtle.importKey("raw", new Uint8Array(16), "AES-CBC", false, ["decrypt"]), new Uint8Array(16))),
        badSpki: await failure(() => subtle.importKey("spki", new Uint8Array(10), { name: "ECDSA", namedCurve: "P-384" }, true, ["verify"])),
        curveMismatch: await failure(async () => subtle.importKey("jwk", { kty: "EC", crv: "P-256", x: "AA", y: "AA" }, { name: "ECDSA", namedCurve: "P-384" }, true, ["verify"])),
        hkdfExtractable: await failure(() => subtle.importKey("raw", new Uint8Array(16), "HKDF", true, ["deriveBits"])),
        hkdfNull: await failure(() => subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(), info: new Uint8Array() }, hkdf, null)),
        hkdfOdd: await failure(() => subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(), info: new Uint8Array() }, hkdf, 7)),
        kwEncrypt: await failure(async () => subtle.encrypt("AES-KW", await subtle.generateKey({ name: "AES-KW", length: 128 }, true, ["wrapKey"]), new Uint8Array(16))),
        badSignature: await subtle.verify({ name: "ECDSA", hash: "SHA-256" }, ec.publicKey, new Uint8Array(3), new Uint8Array(4)),
        illegal: await failure(() => new CryptoKey()),
      };`;
    const [isolate, node] = await both(body);
    // Node 20 names one failure "InvalidAccessException", a typo later versions fixed; the isolate gives the standard name.
    expect(isolate).toEqual({ ...(node as Record<string, unknown>), notExtractable: "InvalidAccessError (DOMException)" });
  });

  it("derives the same bits as Node: ECDH, X25519, HKDF, PBKDF2, and keys from them", async () => {
    const ecdh = (await subtle.generateKey({ name: "ECDH", namedCurve: "P-384" }, true, ["deriveBits"])) as CryptoKeyPair;
    const x = (await subtle.generateKey({ name: "X25519" }, true, ["deriveBits"])) as CryptoKeyPair;
    const event = {
      ecdhPublic: b64(await subtle.exportKey("spki", ecdh.publicKey)),
      ecdhPrivate: b64(await subtle.exportKey("pkcs8", ecdh.privateKey)),
      xPublic: b64(await subtle.exportKey("raw", x.publicKey)),
      xPrivate: b64(await subtle.exportKey("pkcs8", x.privateKey)),
    };
    const body = `${PRELUDE}
      const ecdhPrivate = await subtle.importKey("pkcs8", fromB64(event.ecdhPrivate), { name: "ECDH", namedCurve: "P-384" }, false, ["deriveBits"]);
      const ecdhPublic = await subtle.importKey("spki", fromB64(event.ecdhPublic), { name: "ECDH", namedCurve: "P-384" }, true, []);
      const xPrivate = await subtle.importKey("pkcs8", fromB64(event.xPrivate), "X25519", false, ["deriveBits", "deriveKey"]);
      const xPublic = await subtle.importKey("raw", fromB64(event.xPublic), "X25519", true, []);
      const password = await subtle.importKey("raw", new TextEncoder().encode("correct horse"), "PBKDF2", false, ["deriveBits", "deriveKey"]);
      const ikm = await subtle.importKey("raw", new Uint8Array(32).fill(7), { name: "HKDF" }, false, ["deriveBits", "deriveKey"]);
      const hkdf = { name: "HKDF", hash: "SHA-512", salt: new Uint8Array(16).fill(1), info: new TextEncoder().encode("info") };
      const pbkdf2 = { name: "PBKDF2", hash: "SHA-256", salt: new Uint8Array(8).fill(2), iterations: 1000 };
      const derivedAes = await subtle.deriveKey(pbkdf2, password, { name: "AES-GCM", length: 256 }, true, ["encrypt"]);
      const derivedHmac = await subtle.deriveKey({ name: "X25519", public: xPublic }, xPrivate, { name: "HMAC", hash: "SHA-1", length: 160 }, true, ["sign"]);
      return {
        ecdh: b64(await subtle.deriveBits({ name: "ECDH", public: ecdhPublic }, ecdhPrivate, 384)),
        ecdhAll: b64(await subtle.deriveBits({ name: "ECDH", public: ecdhPublic }, ecdhPrivate, null)),
        ecdhShort: b64(await subtle.deriveBits({ name: "ECDH", public: ecdhPublic }, ecdhPrivate, 128)),
        x: b64(await subtle.deriveBits({ name: "X25519", public: xPublic }, xPrivate, 256)),
        hkdf: b64(await subtle.deriveBits(hkdf, ikm, 512)),
        pbkdf2: b64(await subtle.deriveBits(pbkdf2, password, 256)),
        derivedAes: [describeKey(derivedAes), b64(await subtle.exportKey("raw", derivedAes))],
        derivedHmac: [describeKey(derivedHmac), await subtle.exportKey("jwk", derivedHmac)],
        hkdfKey: describeKey(await subtle.deriveKey(hkdf, ikm, { name: "AES-CTR", length: 128 }, false, ["encrypt"])),
      };`;
    const [isolate, node] = await both(body, event);
    expect(isolate).toEqual(node);
  });

  it("encrypts and decrypts with AES-GCM, AES-CBC, AES-CTR and AES-KW as Node does", async () => {
    const body = `${PRELUDE}
      const raw = new Uint8Array(32).map((_, i) => i);
      const gcm = await subtle.importKey("raw", raw, "AES-GCM", true, ["encrypt", "decrypt", "wrapKey", "unwrapKey"]);
      const cbc = await subtle.importKey("jwk", { kty: "oct", k: "AAECAwQFBgcICQoLDA0ODw", alg: "A128CBC" }, "AES-CBC", true, ["encrypt", "decrypt"]);
      const ctr = await subtle.importKey("raw", raw.slice(0, 24), "AES-CTR", true, ["encrypt", "decrypt"]);
      const kw = await subtle.importKey("raw", raw.slice(0, 16), "AES-KW", true, ["wrapKey", "unwrapKey"]);
      const text = new TextEncoder().encode("a message of some length, longer than one block of sixteen bytes");
      const iv = new Uint8Array(12).fill(9);
      const gcmOut = await subtle.encrypt({ name: "AES-GCM", iv, additionalData: new Uint8Array([1, 2, 3]), tagLength: 96 }, gcm, text);
      const cbcOut = await subtle.encrypt({ name: "AES-CBC", iv: new Uint8Array(16).fill(4) }, cbc, text);
      // A counter whose low 8 bits wrap within the message: the rest starts from those bits cleared.
      const counter = new Uint8Array(16).fill(255);
      const ctrOut = await subtle.encrypt({ name: "AES-CTR", counter, length: 2 }, ctr, text);
      const hmac = await subtle.importKey("raw", new Uint8Array(24).fill(5), { name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
      const wrapped = await subtle.wrapKey("raw", hmac, kw, "AES-KW");
      const wrappedJwk = await subtle.wrapKey("jwk", hmac, gcm, { name: "AES-GCM", iv });
      const unwrapped = await subtle.unwrapKey("raw", wrapped, kw, "AES-KW", { name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
      const unwrappedJwk = await subtle.unwrapKey("jwk", wrappedJwk, gcm, { name: "AES-GCM", iv }, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      return {
        gcm: b64(gcmOut),
        gcmBack: new TextDecoder().decode(await subtle.decrypt({ name: "AES-GCM", iv, additionalData: new Uint8Array([1, 2, 3]), tagLength: 96 }, gcm, gcmOut)),
        cbc: b64(cbcOut),
        cbcBack: new TextDecoder().decode(await subtle.decrypt({ name: "AES-CBC", iv: new Uint8Array(16).fill(4) }, cbc, cbcOut)),
        ctr: b64(ctrOut),
        ctrBack: new TextDecoder().decode(await subtle.decrypt({ name: "AES-CTR", counter, length: 2 }, ctr, ctrOut)),
        ctrRepeats: await failure(() => subtle.encrypt({ name: "AES-CTR", counter, length: 1 }, ctr, text)),
        jwks: [await subtle.exportKey("jwk", gcm), await subtle.exportKey("jwk", cbc), await subtle.exportKey("jwk", ctr), await subtle.exportKey("jwk", kw)],
        wrapped: b64(wrapped),
        wrappedJwk: b64(wrappedJwk),
        unwrapped: [describeKey(unwrapped), b64(await subtle.exportKey("raw", unwrapped)), describeKey(unwrappedJwk)],
      };`;
    const [isolate, node] = await both(body);
    expect(isolate).toEqual(node);
  });

  it("enciphers data longer than one host call in pieces, with the answers Node gives", async () => {
    const body = `${PRELUDE}
      const raw = new Uint8Array(32).map((_, i) => i * 3);
      const size = 3 * 1024 * 1024 + 7;
      const data = new Uint8Array(size).map((_, i) => i % 251);
      const digest = async (bytes) => b64(await subtle.digest("SHA-256", bytes));
      const out = {};
      const gcm = await subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
      const gcmParams = { name: "AES-GCM", iv: new Uint8Array(12).fill(1), additionalData: new Uint8Array([9, 9]), tagLength: 96 };
      const gcmOut = await subtle.encrypt(gcmParams, gcm, data);
      out.gcm = [gcmOut.byteLength, await digest(gcmOut), await digest(await subtle.decrypt(gcmParams, gcm, gcmOut))];
      const tampered = new Uint8Array(gcmOut); tampered[5] ^= 1;
      out.gcmTampered = await failure(() => subtle.decrypt(gcmParams, gcm, tampered));
      const cbc = await subtle.importKey("raw", raw.slice(0, 16), "AES-CBC", false, ["encrypt", "decrypt"]);
      const cbcParams = { name: "AES-CBC", iv: new Uint8Array(16).fill(2) };
      const cbcOut = await subtle.encrypt(cbcParams, cbc, data);
      out.cbc = [cbcOut.byteLength, await digest(cbcOut), await digest(await subtle.decrypt(cbcParams, cbc, cbcOut))];
      const ctr = await subtle.importKey("raw", raw.slice(0, 24), "AES-CTR", false, ["encrypt", "decrypt"]);
      // The counter's low 20 bits (0xe7960) wrap after 100,000 blocks, inside the data's second host call.
      const ctrParams = { name: "AES-CTR", counter: new Uint8Array([255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0xfe, 0x79, 0x60]), length: 20 };
      const ctrOut = await subtle.encrypt(ctrParams, ctr, data);
      out.ctr = [ctrOut.byteLength, await digest(ctrOut), await digest(await subtle.decrypt(ctrParams, ctr, ctrOut))];
      out.ctrRepeats = await failure(() => subtle.encrypt({ ...ctrParams, length: 16 }, ctr, data));
      out.plain = await digest(data);
      return out;`;
    const [isolate, node] = await both(body);
    expect(isolate).toEqual(node);
  });

  it("decrypts what Node encrypted, and Node decrypts what the isolate encrypted (AES-GCM, RSA-OAEP)", async () => {
    const aes = await subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"]);
    const iv = webcrypto.getRandomValues(new Uint8Array(12));
    const rsa = (await subtle.generateKey({ name: "RSA-OAEP", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["encrypt", "decrypt"])) as CryptoKeyPair;
    const event = {
      aes: await subtle.exportKey("jwk", aes),
      iv: b64(iv),
      sealed: b64(await subtle.encrypt({ name: "AES-GCM", iv }, aes, new TextEncoder().encode("from node"))),
      rsaPublic: await subtle.exportKey("jwk", rsa.publicKey),
      rsaSealed: b64(await subtle.encrypt({ name: "RSA-OAEP", label: new Uint8Array([7]) }, rsa.publicKey, new TextEncoder().encode("to the isolate"))),
      rsaPrivate: b64(await subtle.exportKey("pkcs8", rsa.privateKey)),
    };
    const answer = await run(
      `${PRELUDE}
      const aes = await subtle.importKey("jwk", event.aes, "AES-GCM", false, ["encrypt", "decrypt"]);
      const rsaPublic = await subtle.importKey("jwk", event.rsaPublic, { name: "RSA-OAEP", hash: "SHA-256" }, true, ["encrypt"]);
      const rsaPrivate = await subtle.importKey("pkcs8", fromB64(event.rsaPrivate), { name: "RSA-OAEP", hash: "SHA-256" }, false, ["decrypt"]);
      const iv = crypto.getRandomValues(new Uint8Array(12));
      return {
        opened: new TextDecoder().decode(await subtle.decrypt({ name: "AES-GCM", iv: fromB64(event.iv) }, aes, fromB64(event.sealed))),
        rsaOpened: new TextDecoder().decode(await subtle.decrypt({ name: "RSA-OAEP", label: new Uint8Array([7]) }, rsaPrivate, fromB64(event.rsaSealed))),
        iv: b64(iv),
        sealed: b64(await subtle.encrypt({ name: "AES-GCM", iv }, aes, new TextEncoder().encode("from the isolate"))),
        rsaSealed: b64(await subtle.encrypt({ name: "RSA-OAEP" }, rsaPublic, new TextEncoder().encode("to node"))),
        tooLong: await failure(() => subtle.encrypt({ name: "RSA-OAEP" }, rsaPublic, new Uint8Array(300))),
      };`,
      event,
    );
    expect(answer).toMatchObject({ opened: "from node", rsaOpened: "to the isolate", tooLong: "OperationError (DOMException)" });
    const opened = await subtle.decrypt({ name: "AES-GCM", iv: bytes(answer["iv"] as string) }, aes, bytes(answer["sealed"] as string));
    expect(new TextDecoder().decode(opened)).toBe("from the isolate");
    const rsaOpened = await subtle.decrypt({ name: "RSA-OAEP" }, rsa.privateKey, bytes(answer["rsaSealed"] as string));
    expect(new TextDecoder().decode(rsaOpened)).toBe("to node");
  });

  it("signs what Node verifies and verifies what Node signs: RSASSA-PKCS1-v1_5, RSA-PSS, ECDSA on three curves, Ed25519, HMAC", async () => {
    const cases = [
      { generate: { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, params: { name: "RSASSA-PKCS1-v1_5" } },
      { generate: { name: "RSA-PSS", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-384" }, params: { name: "RSA-PSS", saltLength: 48 } },
      { generate: { name: "ECDSA", namedCurve: "P-256" }, params: { name: "ECDSA", hash: "SHA-256" } },
      { generate: { name: "ECDSA", namedCurve: "P-384" }, params: { name: "ECDSA", hash: "SHA-384" } },
      { generate: { name: "ECDSA", namedCurve: "P-521" }, params: { name: "ECDSA", hash: "SHA-512" } },
      { generate: { name: "Ed25519" }, params: { name: "Ed25519" } },
    ];
    const event = [];
    const pairs = [];
    for (const { generate, params } of cases) {
      const pair = (await subtle.generateKey(generate, true, ["sign", "verify"])) as CryptoKeyPair;
      pairs.push(pair);
      event.push({
        generate: { ...generate, ...("publicExponent" in generate ? { publicExponent: undefined } : {}) },
        params,
        spki: b64(await subtle.exportKey("spki", pair.publicKey)),
        jwk: await subtle.exportKey("jwk", pair.privateKey),
        signature: b64(await subtle.sign(params, pair.privateKey, message)),
      });
    }
    const answer = (await run(
      `${PRELUDE}
      const message = new TextEncoder().encode(${JSON.stringify(new TextDecoder().decode(message))});
      const out = [];
      for (const { generate, params, spki, jwk, signature } of event.cases) {
        const publicKey = await subtle.importKey("spki", fromB64(spki), generate, true, ["verify"]);
        const privateKey = await subtle.importKey("jwk", jwk, generate, false, ["sign"]);
        const mine = await subtle.sign(params, privateKey, message);
        const own = await subtle.generateKey(generate.name.startsWith("RSA") ? { ...generate, modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]) } : generate, true, ["sign", "verify"]);
        out.push({
          verifiesNode: await subtle.verify(params, publicKey, fromB64(signature), message),
          rejectsTampered: await subtle.verify(params, publicKey, fromB64(signature), new Uint8Array([1, ...message])),
          signature: b64(mine),
          ownSpki: b64(await subtle.exportKey("spki", own.publicKey)),
          ownSignature: b64(await subtle.sign(params, own.privateKey, message)),
          ownJwk: await subtle.exportKey("jwk", own.publicKey),
        });
      }
      const hmac = await subtle.importKey("jwk", { kty: "oct", k: "c2VjcmV0LXNlY3JldA", alg: "HS512" }, { name: "HMAC", hash: "SHA-512" }, false, ["sign", "verify"]);
      const big = new Uint8Array(3 * 1024 * 1024 + 5).fill(3);
      return { out, hmac: b64(await subtle.sign("HMAC", hmac, message)), bigHmac: b64(await subtle.sign("HMAC", hmac, big)), bigVerify: await subtle.verify("HMAC", hmac, await subtle.sign("HMAC", hmac, big), big) };`,
      { cases: event },
    )) as { out: Record<string, unknown>[]; hmac: string; bigHmac: string; bigVerify: boolean };
    for (const [index, result] of answer.out.entries()) {
      const { generate, params } = cases[index] as (typeof cases)[number];
      expect(result).toMatchObject({ verifiesNode: true, rejectsTampered: false });
      expect(await subtle.verify(params, (pairs[index] as CryptoKeyPair).publicKey, bytes(result["signature"] as string), message)).toBe(true);
      const own = await subtle.importKey("spki", bytes(result["ownSpki"] as string), generate, true, ["verify"]);
      expect(await subtle.verify(params, own, bytes(result["ownSignature"] as string), message)).toBe(true);
      const fromJwk = await subtle.importKey("jwk", result["ownJwk"] as JsonWebKey, generate, true, ["verify"]);
      expect(await subtle.verify(params, fromJwk, bytes(result["ownSignature"] as string), message)).toBe(true);
    }
    const hmac = await subtle.importKey("raw", new TextEncoder().encode("secret-secret"), { name: "HMAC", hash: "SHA-512" }, false, ["sign"]);
    expect(answer.hmac).toBe(b64(await subtle.sign("HMAC", hmac, message)));
    expect(answer.bigHmac).toBe(b64(await subtle.sign("HMAC", hmac, new Uint8Array(3 * 1024 * 1024 + 5).fill(3))));
    expect(answer.bigVerify).toBe(true);
  });

  it("exports keys in every form Node reads, and reads Node's (raw EC points, compressed too)", async () => {
    const ec = (await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const raw = new Uint8Array(await subtle.exportKey("raw", ec.publicKey));
    const compressed = new Uint8Array([2 + ((raw[64] as number) & 1), ...raw.subarray(1, 33)]);
    const answer = await run(
      `${PRELUDE}
      const fromRaw = await subtle.importKey("raw", fromB64(event.raw), { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]);
      const fromCompressed = await subtle.importKey("raw", fromB64(event.compressed), { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"]);
      const ed = await subtle.generateKey("Ed25519", true, ["sign", "verify"]);
      return {
        same: b64(await subtle.exportKey("raw", fromCompressed)) === event.raw,
        spki: b64(await subtle.exportKey("spki", fromRaw)),
        edPkcs8: b64(await subtle.exportKey("pkcs8", ed.privateKey)),
        edRaw: b64(await subtle.exportKey("raw", ed.publicKey)),
        edJwk: await subtle.exportKey("jwk", ed.privateKey),
        rawPrivate: await failure(() => subtle.exportKey("raw", ed.privateKey)),
        spkiOfPrivate: await failure(() => subtle.exportKey("spki", ed.privateKey)),
      };`,
      { raw: b64(raw), compressed: b64(compressed) },
    );
    expect(answer).toMatchObject({ same: true, rawPrivate: "InvalidAccessError (DOMException)", spkiOfPrivate: "InvalidAccessError (DOMException)" });
    expect(answer["spki"]).toBe(b64(await subtle.exportKey("spki", ec.publicKey)));
    const edPrivate = await subtle.importKey("pkcs8", bytes(answer["edPkcs8"] as string), "Ed25519", true, ["sign"]);
    const edPublic = await subtle.importKey("raw", bytes(answer["edRaw"] as string), "Ed25519", true, ["verify"]);
    expect(await subtle.verify("Ed25519", edPublic, await subtle.sign("Ed25519", edPrivate, message), message)).toBe(true);
    expect(await subtle.exportKey("jwk", edPrivate)).toEqual(answer["edJwk"]);
  });

  it("lets node:crypto take a CryptoKey: KeyObject.from, createHmac", async () => {
    const answer = await run(`${PRELUDE}
      const crypto = require("crypto");
      const hmac = await subtle.importKey("raw", new TextEncoder().encode("key"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      const ec = await subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, true, ["sign", "verify"]);
      const object = crypto.KeyObject.from(ec.privateKey);
      const signature = crypto.sign("sha384", Buffer.from("m"), { key: object, dsaEncoding: "ieee-p1363" });
      return {
        hmac: crypto.createHmac("sha256", hmac).update("m").digest("hex"),
        secret: crypto.KeyObject.from(hmac).export().toString(),
        object: [object.type, object.asymmetricKeyType, object.asymmetricKeyDetails, Object.prototype.toString.call(object)],
        verified: await subtle.verify({ name: "ECDSA", hash: "SHA-384" }, ec.publicKey, signature, Buffer.from("m")),
      };`);
    expect(answer).toEqual({
      hmac: createHmac("sha256", "key").update("m").digest("hex"),
      secret: "key",
      object: ["private", "ec", { namedCurve: "secp384r1" }, "[object KeyObject]"],
      verified: true,
    });
  });
});

describe("crypto.subtle against a hostile function", () => {
  it("refuses wrong types, inputs past the host's caps and forged keys, and the function runs on", async () => {
    const started = Date.now();
    const answer = await run(
      `${PRELUDE}
      const aes = await subtle.generateKey({ name: "AES-GCM", length: 128 }, true, ["encrypt", "decrypt"]);
      const password = await subtle.importKey("raw", new Uint8Array(8), "PBKDF2", false, ["deriveBits"]);
      const forged = Object.create(CryptoKey.prototype);
      const lookalike = { type: "secret", extractable: true, algorithm: { name: "AES-GCM", length: 128 }, usages: ["encrypt"], material: new Uint8Array(16), [Symbol.toStringTag]: "CryptoKey" };
      const cloned = await failure(async () => subtle.encrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, structuredClone(aes), new Uint8Array(1)));
      return {
        forged: await failure(() => subtle.encrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, forged, new Uint8Array(1))),
        lookalike: await failure(() => subtle.encrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, lookalike, new Uint8Array(1))),
        forgedPublic: await failure(async () => subtle.deriveBits({ name: "ECDH", public: lookalike }, (await subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"])).privateKey, 256)),
        cloned,
        stringData: await failure(() => subtle.encrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, aes, "text")),
        numberKey: await failure(() => subtle.exportKey("raw", 42)),
        symbolName: await failure(() => subtle.generateKey({ name: Symbol("x") }, true, ["sign"])),
        badUsages: await failure(() => subtle.generateKey({ name: "AES-GCM", length: 128 }, true, "encrypt")),
        hugeData: await failure(async () => subtle.sign({ name: "ECDSA", hash: "SHA-256" }, (await subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign"])).privateKey, new Uint8Array(2 * 1024 * 1024))),
        hugeIv: await failure(() => subtle.encrypt({ name: "AES-GCM", iv: new Uint8Array(4096) }, aes, new Uint8Array(1))),
        hugeRsa: await failure(() => subtle.generateKey({ name: "RSA-PSS", modulusLength: 16384, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["sign"])),
        hugeExponent: await failure(() => subtle.generateKey({ name: "RSA-PSS", modulusLength: 1024, publicExponent: new Uint8Array(64).fill(255), hash: "SHA-256" }, true, ["sign"])),
        manyIterations: await failure(() => subtle.deriveBits({ name: "PBKDF2", hash: "SHA-512", salt: new Uint8Array(8), iterations: ${MAX_PBKDF2_ITERATIONS + 1} }, password, 256)),
        longDerivation: await failure(() => subtle.deriveBits({ name: "PBKDF2", hash: "SHA-1", salt: new Uint8Array(8), iterations: 1 }, password, 1024 * 1024 * 8)),
        hugeJwk: await failure(() => subtle.importKey("jwk", { kty: "RSA", n: "A".repeat(3 * 1024 * 1024), e: "AQAB" }, { name: "RSA-PSS", hash: "SHA-256" }, true, ["verify"])),
        hugeHmacLength: await failure(() => subtle.generateKey({ name: "HMAC", hash: "SHA-256", length: 2 ** 40 }, true, ["sign"])),
        still: new TextDecoder().decode(await subtle.decrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, aes, await subtle.encrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, aes, new TextEncoder().encode("fine")))),
      };`,
    );
    expect(answer).toEqual({
      forged: "TypeError",
      lookalike: "TypeError",
      forgedPublic: "TypeError",
      cloned: expect.stringMatching(/Error/) as unknown,
      stringData: "TypeError",
      numberKey: "TypeError",
      symbolName: "TypeError",
      badUsages: "TypeError",
      hugeData: "OperationError (DOMException)",
      hugeIv: "OperationError (DOMException)",
      hugeRsa: "OperationError (DOMException)",
      hugeExponent: "OperationError (DOMException)",
      manyIterations: "OperationError (DOMException)",
      longDerivation: "OperationError (DOMException)",
      hugeJwk: "DataError (DOMException)",
      hugeHmacLength: "OperationError (DOMException)",
      still: "fine",
    });
    expect(answer["cloned"]).not.toBe("no error");
    // None of it was long work on the host.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("gives no key of one function to another: a key is the isolate's own object, and the host keeps none", async () => {
    const owner = deploy(`${PRELUDE}
      globalThis.key ??= await subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
      return { json: JSON.stringify(globalThis.key), keys: Object.keys(globalThis.key), clone: await failure(() => structuredClone(globalThis.key)), signature: b64(await subtle.sign("HMAC", globalThis.key, new Uint8Array(1))) };`);
    const first = (await answerOf(t, owner)) as Record<string, unknown>;
    expect(first).toMatchObject({ json: "{}", keys: [] });
    // The same environment signs with the same key again; nothing about the key left the isolate.
    expect(((await answerOf(t, owner)) as Record<string, unknown>)["signature"]).toBe(first["signature"]);
    const other = await run(
      `${PRELUDE}
      const given = JSON.parse(event.json);
      return { sign: await failure(() => subtle.sign("HMAC", given, new Uint8Array(1))), withTag: await failure(() => subtle.sign("HMAC", Object.assign(given, { [Symbol.toStringTag]: "CryptoKey" }), new Uint8Array(1))) };`,
      { json: first["json"] },
    );
    expect(other).toEqual({ sign: "TypeError", withTag: "TypeError" });
  });

  it("checks on the host what a key claims against its material", () => {
    const call = (action: string, ...args: unknown[]): string => {
      try {
        webCryptoCall(action, args);
        return "no error";
      } catch (error) {
        return (error as Error).name;
      }
    };
    const aesKey = { type: "secret", extractable: true, algorithm: { name: "AES-GCM", length: 128 }, usages: ["encrypt"], material: new Uint8Array(16) };
    const rsaJwk = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ format: "jwk" });
    const rsa = webCryptoCall("importKey", ["jwk", rsaJwk, { name: "RSA-PSS", hash: "SHA-256" }, true, ["verify"]]) as Record<string, unknown>;
    expect(call("crypt", "encrypt", { name: "AES-GCM", iv: new Uint8Array(12) }, aesKey, new Uint8Array(1))).toBe("no error");
    // The same material under claims it does not fit, or a usage it was not given.
    expect(call("crypt", "encrypt", { name: "AES-GCM", iv: new Uint8Array(12) }, { ...aesKey, material: new Uint8Array(15) }, new Uint8Array(1))).toBe("DataError");
    expect(call("crypt", "decrypt", { name: "AES-GCM", iv: new Uint8Array(28) }, aesKey, new Uint8Array(16))).toBe("InvalidAccessError");
    expect(call("sign", { name: "ECDSA", hash: "SHA-256" }, { ...rsa, type: "private", algorithm: { name: "ECDSA", namedCurve: "P-256" }, usages: ["sign"] }, new Uint8Array(1))).toBe("DataError");
    expect(call("verify", { name: "RSA-PSS", saltLength: 32 }, { ...rsa, algorithm: { name: "RSA-PSS", hash: "SHA-256" } }, new Uint8Array(256), new Uint8Array(1))).toBe("no error");
    expect(call("verify", { name: "RSA-PSS", saltLength: 32 }, { ...rsa, material: new Uint8Array(64).fill(48) }, new Uint8Array(256), new Uint8Array(1))).toBe("DataError");
    expect(call("verify", { name: "RSA-PSS", saltLength: 32 }, { ...rsa, material: "not bytes" }, new Uint8Array(256), new Uint8Array(1))).toBe("TypeError");
    expect(call("verify", { name: "RSA-PSS", saltLength: 32 }, { ...rsa, material: new Uint8Array(64 * 1024) }, new Uint8Array(256), new Uint8Array(1))).toBe("OperationError");
    expect(call("crypt", "sideways", { name: "AES-GCM" }, aesKey, new Uint8Array(1))).toBe("TypeError");
    expect(call("nonsense")).toBe("TypeError");
  });
});

/** jose's browser build, bundled as a script that defines `jose`: it does all its work through crypto.subtle. */
function joseScript(): string {
  const result = buildSync({ stdin: { contents: `export * from "jose";`, resolveDir: process.cwd() }, bundle: true, format: "iife", globalName: "jose", platform: "browser", write: false });
  return (result.outputFiles[0] as { text: string }).text;
}

const SIGNING_ALGS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
/** Each JWE key management algorithm with a content encryption, and the key it needs. */
const ENCRYPTION: [alg: string, enc: string][] = [
  ["dir", "A128CBC-HS256"],
  ["dir", "A256GCM"],
  ["A128KW", "A192CBC-HS384"],
  ["A256GCMKW", "A256CBC-HS512"],
  ["RSA-OAEP", "A128GCM"],
  ["RSA-OAEP-256", "A256GCM"],
  ["ECDH-ES", "A256GCM"],
  ["ECDH-ES+A128KW", "A128GCM"],
  ["PBES2-HS256+A128KW", "A128GCM"],
];

describe("jose in the isolate", () => {
  it("signs, verifies, encrypts and decrypts with every JOSE algorithm Node 20 has, as Node reads them", async () => {
    const jose = await import("jose");
    const text = new TextEncoder().encode("It's a dangerous business, Frodo, going out your door.");
    const signing: { alg: string; privateJwk: unknown; publicJwk: unknown; token: string }[] = [];
    for (const alg of SIGNING_ALGS) {
      const { privateJwk, publicJwk } = alg.startsWith("HS")
        ? await jose.generateSecret(alg, { extractable: true }).then(async (key) => ({ privateJwk: await jose.exportJWK(key), publicJwk: await jose.exportJWK(key) }))
        : await jose.generateKeyPair(alg, { extractable: true, ...(alg === "EdDSA" ? { crv: "Ed25519" } : {}) }).then(async (pair) => ({ privateJwk: await jose.exportJWK(pair.privateKey), publicJwk: await jose.exportJWK(pair.publicKey) }));
      const token = await new jose.CompactSign(text).setProtectedHeader({ alg }).sign(await jose.importJWK(privateJwk, alg));
      signing.push({ alg, privateJwk, publicJwk, token });
    }
    const encryption: { alg: string; enc: string; privateJwk: unknown; publicJwk: unknown; token: string }[] = [];
    for (const [alg, enc] of ENCRYPTION) {
      let privateJwk: unknown;
      let publicJwk: unknown;
      if (alg.startsWith("RSA") || alg.startsWith("ECDH")) {
        const pair = await jose.generateKeyPair(alg, { extractable: true, ...(alg === "ECDH-ES" ? { crv: "X25519" } : {}) });
        [privateJwk, publicJwk] = [await jose.exportJWK(pair.privateKey), await jose.exportJWK(pair.publicKey)];
      } else if (alg.startsWith("PBES2")) {
        privateJwk = publicJwk = { kty: "oct", k: Buffer.from("correct horse battery staple").toString("base64url") };
      } else {
        privateJwk = publicJwk = await jose.exportJWK(await jose.generateSecret(alg === "dir" ? enc : alg, { extractable: true }));
      }
      const token = await new jose.CompactEncrypt(text).setProtectedHeader({ alg, enc }).encrypt(await jose.importJWK(publicJwk as JWK, alg === "dir" ? enc : alg));
      encryption.push({ alg, enc, privateJwk, publicJwk, token });
    }
    const name = `web-crypto-jose`;
    t.deploy(
      functionRecord({ functionName: name, timeout: 30 }),
      handlerBundle(
        `const text = new TextEncoder().encode(event.text);
        const signed = {}, verified = {}, encrypted = {}, decrypted = {};
        for (const { alg, privateJwk, publicJwk, token } of event.signing) {
          signed[alg] = await new jose.CompactSign(text).setProtectedHeader({ alg }).sign(await jose.importJWK(privateJwk, alg));
          verified[alg] = new TextDecoder().decode((await jose.compactVerify(token, await jose.importJWK(publicJwk, alg))).payload);
        }
        for (const { alg, enc, privateJwk, publicJwk, token } of event.encryption) {
          const keyAlg = alg === "dir" ? enc : alg;
          encrypted[alg + " " + enc] = await new jose.CompactEncrypt(text).setProtectedHeader({ alg, enc }).encrypt(await jose.importJWK(publicJwk, keyAlg));
          decrypted[alg + " " + enc] = new TextDecoder().decode((await jose.compactDecrypt(token, await jose.importJWK(privateJwk, keyAlg), { keyManagementAlgorithms: [alg] })).plaintext);
        }
        return { signed, verified, encrypted, decrypted };`,
        joseScript(),
      ),
    );
    // PBES2 is decrypted only when allowed by name, as jose asks.
    const answer = (await answerOf(t, name, { text: new TextDecoder().decode(text), signing, encryption })) as Record<string, Record<string, string>>;
    const plain = new TextDecoder().decode(text);
    for (const { alg, publicJwk } of signing) {
      expect(answer["verified"]?.[alg], alg).toBe(plain);
      const { payload } = await jose.compactVerify(answer["signed"]?.[alg] as string, await jose.importJWK(publicJwk as JWK, alg));
      expect(new TextDecoder().decode(payload), alg).toBe(plain);
    }
    for (const { alg, enc, privateJwk } of encryption) {
      expect(answer["decrypted"]?.[`${alg} ${enc}`], alg).toBe(plain);
      const { plaintext } = await jose.compactDecrypt(answer["encrypted"]?.[`${alg} ${enc}`] as string, await jose.importJWK(privateJwk as JWK, alg === "dir" ? enc : alg), { keyManagementAlgorithms: [alg] });
      expect(new TextDecoder().decode(plaintext), `${alg} ${enc}`).toBe(plain);
    }
  }, 60_000);
});

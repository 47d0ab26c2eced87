// The host's key pairs, RSA encryption and ECDH: what Node makes of them, and what is refused before any work starts.
import { createECDH, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, privateDecrypt, publicEncrypt, sign, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseKey } from "./key-crypto.js";
import { agreeSecret, ecdh, exportKey, generatePair, MAX_GENERATED_RSA_BITS, rsaCrypt, untilAborted } from "./key-generation.js";

const der = (bytes: Uint8Array): Buffer => Buffer.from(bytes);

describe("host key generation", () => {
  it("generates EC and Ed25519 pairs Node signs and verifies with, encoded as asked", async () => {
    const ec = await generatePair("ec", { namedCurve: "P-256" });
    expect(ec.publicKey).toMatchObject({ type: "public", asymmetricKeyType: "ec", details: { namedCurve: "prime256v1" } });
    const privateKey = createPrivateKey({ key: der(ec.privateKey.der), format: "der", type: "pkcs8" });
    const signature = sign("sha256", Buffer.from("m"), privateKey);
    expect(verify("sha256", Buffer.from("m"), createPublicKey({ key: der(ec.publicKey.der), format: "der", type: "spki" }), signature)).toBe(true);

    const ed = await generatePair("ed25519", { publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "der" } });
    expect(ed.publicEncoded).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(ed.privateEncoded).toBeInstanceOf(Uint8Array);
    const sealed = await generatePair("ec", { namedCurve: "secp256k1", privateKeyEncoding: { type: "sec1", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" } });
    expect(sealed.privateEncoded).toMatch(/ENCRYPTED/);
    expect(createPrivateKey({ key: sealed.privateEncoded as string, passphrase: "pw" }).asymmetricKeyDetails).toEqual({ namedCurve: "secp256k1" });
  });

  it("refuses RSA moduli past the cap, unknown curves and types, and bad encodings before generating", async () => {
    await expect(generatePair("rsa", { modulusLength: MAX_GENERATED_RSA_BITS * 2 })).rejects.toMatchObject({ code: "ERR_OUT_OF_RANGE" });
    await expect(generatePair("rsa", { modulusLength: 2048, publicExponent: 4 })).rejects.toMatchObject({ code: "ERR_OUT_OF_RANGE" });
    await expect(generatePair("ec", { namedCurve: "brainpoolP512r1" })).rejects.toMatchObject({ code: "ERR_CRYPTO_INVALID_CURVE" });
    await expect(generatePair("dsa", { modulusLength: 2048 })).rejects.toMatchObject({ code: "ERR_INVALID_ARG_VALUE" });
    await expect(generatePair("ed25519", { publicKeyEncoding: { type: "pkcs9" } })).rejects.toMatchObject({ code: "ERR_INVALID_ARG_VALUE" });
  });

  it("stops waiting when aborted, while the work runs on", async () => {
    const controller = new AbortController();
    const waiting = untilAborted(new Promise(() => undefined), controller.signal);
    controller.abort(new Error("the invocation ended"));
    await expect(waiting).rejects.toThrow(/the invocation ended/);
  });

  it("exports PKCS #1, SEC 1 and JWK, and imports JWK", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const pkcs8 = new Uint8Array(rsa.privateKey.export({ format: "der", type: "pkcs8" }));
    expect(exportKey("private", pkcs8, { format: "pem", type: "pkcs1" })).toBe(rsa.privateKey.export({ format: "pem", type: "pkcs1" }));
    const jwk = exportKey("private", pkcs8, { format: "jwk" });
    expect(jwk).toEqual(rsa.privateKey.export({ format: "jwk" }));
    const imported = parseKey("public", { key: { ...(jwk as object), extra: { nested: 1 } }, format: "jwk" });
    expect(der(imported.der)).toEqual(rsa.publicKey.export({ format: "der", type: "spki" }));
    expect(() => parseKey("public", { key: { n: "x" }, format: "jwk" })).toThrow(/kty/);
  });

  it("encrypts with OAEP and PKCS #1 as Node does", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const spki = new Uint8Array(rsa.publicKey.export({ format: "der", type: "spki" }));
    const pkcs8 = new Uint8Array(rsa.privateKey.export({ format: "der", type: "pkcs8" }));
    const sealed = rsaCrypt("publicEncrypt", "public", spki, { oaepHash: "sha256" }, new Uint8Array(Buffer.from("hi")));
    expect(privateDecrypt({ key: rsa.privateKey, oaepHash: "sha256" }, sealed).toString()).toBe("hi");
    const fromNode = publicEncrypt({ key: rsa.publicKey, oaepHash: "sha1" }, Buffer.from("yo"));
    expect(der(rsaCrypt("privateDecrypt", "private", pkcs8, {}, new Uint8Array(fromNode))).toString()).toBe("yo");
    const signed = rsaCrypt("privateEncrypt", "private", pkcs8, { padding: 1 }, new Uint8Array(Buffer.from("pk1")));
    expect(der(rsaCrypt("publicDecrypt", "public", spki, {}, signed)).toString()).toBe("pk1");
    // Node 20 refuses PKCS #1 v1.5 decryption with a private key (CVE-2023-46809), and so does the host.
    expect(() => rsaCrypt("privateDecrypt", "private", pkcs8, { padding: 1 }, new Uint8Array(publicEncrypt({ key: rsa.publicKey, padding: 1 }, Buffer.from("x"))))).toThrow(/no longer supported/);
    const ed = new Uint8Array(generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" }));
    expect(() => rsaCrypt("publicEncrypt", "public", ed, {}, new Uint8Array(1))).toThrow(/RSA keys/);
  });

  it("agrees on ECDH and X25519 secrets with Node", () => {
    const node = createECDH("prime256v1");
    node.generateKeys();
    const ours = ecdh("generate", ["P-256"]) as { privateKey: Uint8Array; publicKey: Uint8Array };
    expect(der(ecdh("secret", ["prime256v1", ours.privateKey, new Uint8Array(node.getPublicKey())]) as Uint8Array)).toEqual(node.computeSecret(der(ours.publicKey)));
    expect(der(ecdh("public", ["prime256v1", new Uint8Array(node.getPrivateKey())]) as Uint8Array)).toEqual(node.getPublicKey());
    expect((ecdh("convert", ["prime256v1", ours.publicKey, "compressed"]) as Uint8Array).length).toBe(33);
    const a = generateKeyPairSync("x25519");
    const b = generateKeyPairSync("x25519");
    const secret = agreeSecret(new Uint8Array(a.privateKey.export({ format: "der", type: "pkcs8" })), "public", new Uint8Array(b.publicKey.export({ format: "der", type: "spki" })));
    expect(der(secret)).toEqual(diffieHellman({ privateKey: b.privateKey, publicKey: a.publicKey }));
  });
});

// The host's side of the sandbox's keys: what it parses, what it refuses, and signatures Node agrees with.
import { generateKeyPairSync, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseKey, publicHalf, signData, verifyData } from "./key-crypto.js";

const ed = generateKeyPairSync("ed25519");
const edPem = String(ed.privateKey.export({ format: "pem", type: "pkcs8" }));

describe("host key crypto", () => {
  it("parses a PEM private key to PKCS #8 DER, and its public half to SPKI", () => {
    const parsed = parseKey("private", { key: edPem });
    expect(parsed).toMatchObject({ type: "private", asymmetricKeyType: "ed25519" });
    const half = publicHalf(parsed.der);
    expect(Buffer.from(half.der)).toEqual(ed.publicKey.export({ format: "der", type: "spki" }));
  });

  it("signs what Node verifies, and verifies with the public or the private half", () => {
    const { der } = parseKey("private", { key: edPem });
    const data = new Uint8Array(Buffer.from("payload"));
    const signature = signData(null, data, der, {});
    expect(verify(null, data, ed.publicKey, signature)).toBe(true);
    expect(verifyData(null, data, "private", der, signature, {})).toBe(true);
    expect(verifyData(null, new Uint8Array(Buffer.from("other")), "public", publicHalf(der).der, signature, {})).toBe(false);
  });

  it("refuses keys of other types, garbage, and input that is not bytes", () => {
    const dsa = String(generateKeyPairSync("dsa", { modulusLength: 1024, divisorLength: 160 }).privateKey.export({ format: "pem", type: "pkcs8" }));
    expect(() => parseKey("private", { key: dsa })).toThrow(/Unsupported key type dsa/);
    expect(() => parseKey("private", { key: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----" })).toThrow();
    expect(() => parseKey("private", { key: 42 })).toThrow(/must be a string or bytes/);
    expect(() => signData(null, "text", new Uint8Array(1), {})).toThrow(/must be bytes/);
    expect(() => parseKey("neither", { key: edPem })).toThrow(/public or private/);
  });
});

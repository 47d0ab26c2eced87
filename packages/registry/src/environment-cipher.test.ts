import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EnvironmentCipher, EnvironmentCipherError, environmentKeyId } from "./environment-cipher.js";

const scope = { functionName: "billing", version: "$LATEST" };
const variables = { DB_PASSWORD: "hunter2-very-secret", REGION: "eu-west-1" };

describe("EnvironmentCipher", () => {
  it("round-trips a map, with a fresh IV on every seal", () => {
    const cipher = new EnvironmentCipher([randomBytes(32)]);
    const first = cipher.seal(scope, variables);
    const second = cipher.seal(scope, variables);
    expect(first).toMatchObject({ alg: "AES-256-GCM", keyId: cipher.keyId });
    expect(Buffer.from(first.iv, "base64")).toHaveLength(12);
    expect(Buffer.from(first.tag, "base64")).toHaveLength(16);
    expect(first.iv).not.toBe(second.iv);
    expect(first.data).not.toBe(second.data);
    expect(cipher.open(scope, first)).toEqual(variables);
    expect(cipher.open(scope, second)).toEqual(variables);
  });

  it("leaves no plaintext in the sealed form", () => {
    const sealed = JSON.stringify(new EnvironmentCipher([randomBytes(32)]).seal(scope, variables));
    expect(sealed).not.toContain("hunter2");
    expect(sealed).not.toContain("DB_PASSWORD");
  });

  it("fails clearly with a key it does not have", () => {
    const sealed = new EnvironmentCipher([randomBytes(32)]).seal(scope, variables);
    const other = new EnvironmentCipher([randomBytes(32)]);
    expect(() => other.open(scope, sealed)).toThrow(EnvironmentCipherError);
    expect(() => other.open(scope, sealed)).toThrow(/billing:\$LATEST.*sealed with key .*LAMBENT_SECRETS_KEY/);
  });

  it("fails authentication when a different key claims the same id", () => {
    const sealed = new EnvironmentCipher([randomBytes(32)]).seal(scope, variables);
    const other = new EnvironmentCipher([randomBytes(32)]);
    expect(() => other.open(scope, { ...sealed, keyId: other.keyId })).toThrow(/failed authentication/);
  });

  it("detects altered ciphertext, IV or tag", () => {
    const cipher = new EnvironmentCipher([randomBytes(32)]);
    const sealed = cipher.seal(scope, variables);
    const flip = (base64: string): string => {
      const bytes = Buffer.from(base64, "base64");
      bytes.writeUInt8(bytes.readUInt8(0) ^ 1, 0);
      return bytes.toString("base64");
    };
    expect(() => cipher.open(scope, { ...sealed, data: flip(sealed.data) })).toThrow(/failed authentication/);
    expect(() => cipher.open(scope, { ...sealed, iv: flip(sealed.iv) })).toThrow(/failed authentication/);
    expect(() => cipher.open(scope, { ...sealed, tag: flip(sealed.tag) })).toThrow(/failed authentication/);
    expect(() => cipher.open(scope, { ...sealed, tag: "" })).toThrow(/malformed/);
  });

  it("refuses a map moved to another function or version", () => {
    const cipher = new EnvironmentCipher([randomBytes(32)]);
    const sealed = cipher.seal(scope, variables);
    expect(() => cipher.open({ functionName: "reports", version: "$LATEST" }, sealed)).toThrow(/reports:\$LATEST failed authentication/);
    expect(() => cipher.open({ functionName: "billing", version: "1" }, sealed)).toThrow(/billing:1 failed authentication/);
  });

  it("opens what an older listed key sealed, and seals with the first", () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const sealedWithOld = new EnvironmentCipher([oldKey]).seal(scope, variables);
    const rotated = new EnvironmentCipher([newKey, oldKey]);
    expect(rotated.open(scope, sealedWithOld)).toEqual(variables);
    expect(rotated.seal(scope, variables).keyId).toBe(environmentKeyId(newKey));
  });

  it("wants 32-byte keys", () => {
    expect(() => new EnvironmentCipher([randomBytes(16)])).toThrow(/32 bytes/);
    expect(() => new EnvironmentCipher([])).toThrow(EnvironmentCipherError);
  });

  it("warns once about the development key", () => {
    const warnings: string[] = [];
    EnvironmentCipher.fromSecrets({ key: randomBytes(32), isDevelopmentKey: false }, (message) => warnings.push(message));
    expect(warnings).toEqual([]);
    EnvironmentCipher.fromSecrets({ key: randomBytes(32), isDevelopmentKey: true }, (message) => warnings.push(message));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/not protected.*LAMBENT_SECRETS_KEY/);
  });
});

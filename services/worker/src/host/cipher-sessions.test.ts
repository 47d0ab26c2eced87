// The host's ciphers and key derivations: bounded in number and in work, whatever the function asks.
import { describe, expect, it } from "vitest";
import { CipherSessions, MAX_OPEN_CIPHERS } from "./cipher-sessions.js";
import { deriveKey } from "./key-derivation.js";

const key = new Uint8Array(32);
const iv = new Uint8Array(12);

describe("cipher sessions", () => {
  it("holds at most a bounded number open, and frees one at final", () => {
    const sessions = new CipherSessions();
    const ids = Array.from({ length: MAX_OPEN_CIPHERS }, () => sessions.start("encrypt", "aes-256-gcm", key, iv, null));
    expect(() => sessions.start("encrypt", "aes-256-gcm", key, iv, null)).toThrow(/At most 256 ciphers/);
    sessions.final(ids[0]);
    expect(() => sessions.final(ids[0])).toThrow(/finished/);
    expect(sessions.start("encrypt", "aes-256-gcm", key, iv, null)).toBeGreaterThan(0);
  });

  it("refuses ciphers it does not offer and input that is not bytes", () => {
    const sessions = new CipherSessions();
    expect(() => sessions.start("encrypt", "rc4", key, null, null)).toThrow(/Unsupported cipher rc4/);
    const id = sessions.start("decrypt", "aes-256-gcm", key, iv, null);
    expect(() => sessions.update(id, "text")).toThrow(/must be bytes/);
    // A failed call drops the session, as Node's cipher is unusable after an error.
    expect(() => sessions.update(id, new Uint8Array(1))).toThrow(/finished/);
  });
});

describe("key derivations", () => {
  it("cap the work one derivation may take", async () => {
    const bytes = new Uint8Array(4);
    await expect(deriveKey("pbkdf2", [bytes, bytes, 2_000_000, 32, "sha256"])).rejects.toThrow(/iterations/);
    await expect(deriveKey("scrypt", [bytes, bytes, 32, { N: 2 ** 20, r: 8 }])).rejects.toThrow(/at most 67108864 bytes/);
    await expect(deriveKey("pbkdf2", [bytes, bytes, 1, 4096, "sha256"])).rejects.toThrow(/keylen/);
    await expect(deriveKey("pbkdf2", [bytes, bytes, 1, 16, "whirlpool"])).rejects.toThrow(/Invalid digest/);
    expect((await deriveKey("hkdf", ["sha256", bytes, bytes, bytes, 16])).length).toBe(16);
  });
});

// Seals a function's environment variables for the functions KV bucket with AES-256-GCM. The function
// name and version are authenticated with the ciphertext, so a sealed map moved to another function
// or version fails to open; the key id says which key sealed it, so keys can be rotated.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

export const ENVIRONMENT_CIPHER_ALGORITHM = "AES-256-GCM";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The stored, sealed form of an environment map (all binary fields base64). */
export interface SealedEnvironment {
  alg: typeof ENVIRONMENT_CIPHER_ALGORITHM;
  /** Which key sealed it: see `environmentKeyId`. */
  keyId: string;
  /** 96-bit IV, random per write. */
  iv: string;
  /** 128-bit GCM authentication tag. */
  tag: string;
  /** The ciphertext of the map as JSON. */
  data: string;
}

/** Which function version a sealed map belongs to; authenticated, never stored inside the ciphertext. */
export interface EnvironmentScope {
  functionName: string;
  version: string;
}

/** The secrets a service was configured with (see `SecretsConfig` in @lambent/config). */
export interface EnvironmentSecrets {
  key: Uint8Array;
  /** The fixed, public development key: variables are stored unreadably but not secretly. */
  isDevelopmentKey: boolean;
}

export class EnvironmentCipherError extends Error {
  override readonly name = "EnvironmentCipherError";
}

/** A key's public id: the first 8 bytes of its SHA-256, hex. It tells keys apart without revealing them. */
export function environmentKeyId(key: Uint8Array): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

export function isSealedEnvironment(value: unknown): value is SealedEnvironment {
  if (typeof value !== "object" || value === null) return false;
  const sealed = value as Record<string, unknown>;
  return (
    sealed["alg"] === ENVIRONMENT_CIPHER_ALGORITHM &&
    typeof sealed["keyId"] === "string" &&
    typeof sealed["iv"] === "string" &&
    typeof sealed["tag"] === "string" &&
    typeof sealed["data"] === "string"
  );
}

const describe = (scope: EnvironmentScope): string => `${scope.functionName}:${scope.version}`;

/** Binds a ciphertext to its function and version; the prefix versions the scheme. */
const additionalData = (scope: EnvironmentScope): Buffer =>
  Buffer.from(JSON.stringify(["lambent.environment.v1", scope.functionName, scope.version]), "utf8");

export class EnvironmentCipher {
  private readonly keys = new Map<string, Buffer>();
  /** The id of the key new writes are sealed with. */
  readonly keyId: string;

  /**
   * `keys[0]` seals new writes; every listed key opens what it sealed, so a rotated-out key can stay
   * listed until the records it sealed are rewritten.
   */
  constructor(keys: readonly Uint8Array[]) {
    if (keys.length === 0) throw new EnvironmentCipherError("An environment cipher needs at least one key");
    for (const key of keys) {
      if (key.length !== KEY_BYTES) throw new EnvironmentCipherError(`An AES-256 key has ${KEY_BYTES} bytes, got ${key.length}`);
      this.keys.set(environmentKeyId(key), Buffer.from(key));
    }
    this.keyId = environmentKeyId(keys[0]!);
  }

  /**
   * The cipher for a service's configured secrets. `warn` hears once when the key is the public
   * development key, so an operator sees that secrets are not protected.
   */
  static fromSecrets(secrets: EnvironmentSecrets, warn: (message: string, fields: Record<string, unknown>) => void): EnvironmentCipher {
    const cipher = new EnvironmentCipher([secrets.key]);
    if (secrets.isDevelopmentKey) {
      warn("environment variables are sealed with the public development key and are not protected; set LAMBENT_SECRETS_KEY", {
        keyId: cipher.keyId,
      });
    }
    return cipher;
  }

  seal(scope: EnvironmentScope, environment: Readonly<Record<string, string>>): SealedEnvironment {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.keys.get(this.keyId)!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(additionalData(scope));
    const data = Buffer.concat([cipher.update(JSON.stringify(environment), "utf8"), cipher.final()]);
    return {
      alg: ENVIRONMENT_CIPHER_ALGORITHM,
      keyId: this.keyId,
      iv: iv.toString("base64"),
      tag: cipher.getAuthTag().toString("base64"),
      data: data.toString("base64"),
    };
  }

  /** The plaintext map; throws EnvironmentCipherError for an unknown key, a wrong scope or altered data. */
  open(scope: EnvironmentScope, sealed: SealedEnvironment): Record<string, string> {
    if (!isSealedEnvironment(sealed)) {
      throw new EnvironmentCipherError(`Environment variables of ${describe(scope)} are not in a known sealed format`);
    }
    const key = this.keys.get(sealed.keyId);
    if (!key) {
      throw new EnvironmentCipherError(
        `Environment variables of ${describe(scope)} were sealed with key ${sealed.keyId}, which this service does not have ` +
          `(its key is ${this.keyId}); every service needs the same LAMBENT_SECRETS_KEY`,
      );
    }
    const iv = Buffer.from(sealed.iv, "base64");
    const tag = Buffer.from(sealed.tag, "base64");
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
      throw new EnvironmentCipherError(`Environment variables of ${describe(scope)} have a malformed IV or authentication tag`);
    }
    let plaintext: string;
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(additionalData(scope));
      decipher.setAuthTag(tag);
      plaintext = Buffer.concat([decipher.update(Buffer.from(sealed.data, "base64")), decipher.final()]).toString("utf8");
    } catch {
      // GCM reports every failure alike; the cause is one of these, and the key id already matched.
      throw new EnvironmentCipherError(
        `Environment variables of ${describe(scope)} failed authentication: altered, or sealed for another function or version`,
      );
    }
    return parseEnvironment(scope, plaintext);
  }
}

function parseEnvironment(scope: EnvironmentScope, plaintext: string): Record<string, string> {
  const parsed: unknown = JSON.parse(plaintext);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((value) => typeof value !== "string")) {
    throw new EnvironmentCipherError(`Environment variables of ${describe(scope)} did not decrypt to a map of strings`);
  }
  return parsed as Record<string, string>;
}

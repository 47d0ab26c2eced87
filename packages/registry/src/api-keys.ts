// The API's access keys beyond the operator's own (LAMBENT_ACCESS_KEYS): each belongs to a named user
// (`arn:aws:iam::<account>:user/<name>`) and carries an IAM-style identity policy saying what it may do.
// Kept in the functions bucket under `api-key.<access key id>`; the secret is sealed like environment
// variables, bound to its key id, and shown once, when the key is made. Frontends watch the key space,
// so a key made, changed or deleted takes effect on every frontend without a restart.
import { randomBytes } from "node:crypto";
import type { KV } from "@nats-io/kv";
import { KeySpaceView } from "./key-space-view.js";
import { isSealedEnvironment, type EnvironmentCipher, type EnvironmentScope, type SealedEnvironment } from "./environment-cipher.js";
import { listKeys } from "./kv-keys.js";

export const API_KEY_KEYS = "api-key.>";
const KEY_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** What a listing shows of a key: never its secret. */
export interface ApiKeySummary {
  accessKeyId: string;
  userName: string;
  /** The identity policy document, as stored (checked when written). */
  policy: unknown;
  createdAt: string;
  updatedAt: string;
}

/** What a frontend needs to check a request signed with the key. */
export interface ApiKeyGrant {
  accessKeyId: string;
  userName: string;
  secretAccessKey: string;
  policy: unknown;
}

interface StoredApiKey extends ApiKeySummary {
  /** `{ SECRET_ACCESS_KEY }` sealed for the key id. */
  sealed: SealedEnvironment;
}

export const apiKeyKey = (accessKeyId: string): string => `api-key.${accessKeyId}`;
const scopeOf = (accessKeyId: string): EnvironmentScope => ({ functionName: accessKeyId, version: "api-key" });

/** `AKIA` and 16 characters, as IAM's long-term keys look. */
function newAccessKeyId(): string {
  return `AKIA${[...randomBytes(16)].map((byte) => KEY_ID_ALPHABET[byte % 32]).join("")}`;
}

function decodeStored(bytes: Uint8Array): StoredApiKey | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as Partial<StoredApiKey>;
    if (typeof value.accessKeyId !== "string" || typeof value.userName !== "string" || typeof value.createdAt !== "string" || typeof value.updatedAt !== "string") return undefined;
    if (!isSealedEnvironment(value.sealed)) return undefined;
    return value as StoredApiKey;
  } catch {
    return undefined;
  }
}

const summaryOf = ({ accessKeyId, userName, policy, createdAt, updatedAt }: StoredApiKey): ApiKeySummary => ({ accessKeyId, userName, policy, createdAt, updatedAt });

/** The admin API's writes and reads. Names and policies are checked by the caller. */
export class ApiKeyStore {
  constructor(
    private readonly kv: KV,
    private readonly cipher: EnvironmentCipher,
  ) {}

  /** Makes a key; the answer is the only place its secret is ever shown. */
  async create(userName: string, policy: unknown, now = new Date()): Promise<ApiKeySummary & { secretAccessKey: string }> {
    const accessKeyId = newAccessKeyId();
    const secretAccessKey = randomBytes(30).toString("base64");
    const stored: StoredApiKey = {
      accessKeyId,
      userName,
      policy,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      sealed: this.cipher.seal(scopeOf(accessKeyId), { SECRET_ACCESS_KEY: secretAccessKey }),
    };
    await this.kv.create(apiKeyKey(accessKeyId), JSON.stringify(stored));
    return { ...summaryOf(stored), secretAccessKey };
  }

  /** Replaces a key's policy; undefined when there is no such key. */
  async putPolicy(accessKeyId: string, policy: unknown, now = new Date()): Promise<ApiKeySummary | undefined> {
    const entry = await this.kv.get(apiKeyKey(accessKeyId));
    const stored = entry?.operation === "PUT" ? decodeStored(entry.value) : undefined;
    if (!entry || !stored) return undefined;
    const updated: StoredApiKey = { ...stored, policy, updatedAt: now.toISOString() };
    await this.kv.update(apiKeyKey(accessKeyId), JSON.stringify(updated), entry.revision);
    return summaryOf(updated);
  }

  /** False when there was no such key. */
  async delete(accessKeyId: string): Promise<boolean> {
    const key = apiKeyKey(accessKeyId);
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== "PUT") return false;
    await this.kv.delete(key);
    return true;
  }

  async list(): Promise<ApiKeySummary[]> {
    const keys: string[] = [];
    keys.push(...(await listKeys(this.kv, API_KEY_KEYS)));
    const summaries: ApiKeySummary[] = [];
    for (const key of keys) {
      const entry = await this.kv.get(key);
      const stored = entry?.operation === "PUT" ? decodeStored(entry.value) : undefined;
      if (stored) summaries.push(summaryOf(stored));
    }
    return summaries.sort((a, b) => a.userName.localeCompare(b.userName) || a.accessKeyId.localeCompare(b.accessKeyId));
  }
}

/** Every key with its secret opened (the frontend's view), loaded whole before `start` resolves. */
export class ApiKeysView {
  private readonly view: KeySpaceView<Readonly<ApiKeyGrant>>;

  constructor(kv: KV, cipher: EnvironmentCipher, onUnreadable: (key: string, error: unknown) => void) {
    this.view = new KeySpaceView<Readonly<ApiKeyGrant>>(kv, {
      filter: API_KEY_KEYS,
      decode: (_key, value) => {
        const stored = decodeStored(value);
        if (!stored) throw new Error("not an API key document");
        const { SECRET_ACCESS_KEY: secretAccessKey } = cipher.open(scopeOf(stored.accessKeyId), stored.sealed);
        if (secretAccessKey === undefined) throw new Error("the sealed secret is missing");
        return Object.freeze({ accessKeyId: stored.accessKeyId, userName: stored.userName, secretAccessKey, policy: stored.policy });
      },
      onMalformed: onUnreadable,
    });
  }

  start(): Promise<void> {
    return this.view.start();
  }

  stop(): void {
    this.view.stop();
  }

  get(accessKeyId: string): Readonly<ApiKeyGrant> | undefined {
    return this.view.get(apiKeyKey(accessKeyId));
  }
}

// Credentials an operator gives an execution role (a function's `Role` ARN): the runtime puts them in
// the environment of every function with that role as AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN, as Lambda does, so the AWS SDK's default credential chain finds them. Kept in the
// functions bucket under `role-credentials.<hash of the ARN>`; the secret parts are sealed like
// environment variables, bound to the role's ARN.
import { createHash } from "node:crypto";
import type { KV } from "@nats-io/kv";
import { invalidParameter } from "@lambent/errors";
import { KeySpaceView } from "./key-space-view.js";
import { isSealedEnvironment, type EnvironmentCipher, type EnvironmentScope, type SealedEnvironment } from "./environment-cipher.js";
import { listKeys } from "./kv-keys.js";

export const ROLE_CREDENTIALS_KEYS = "role-credentials.>";

/** Lambda's pattern for a function's `Role`. */
const ROLE_ARN = /^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-/]+$/;
/** IAM's access key ids: 16–128 word characters. */
// AWS's own keys are 16 to 128 characters; S3-compatible stores an operator maps roles to use shorter ones.
const ACCESS_KEY_ID = /^[\w]{3,128}$/;
const MAX_SECRET_LENGTH = 1024;
const MAX_SESSION_TOKEN_LENGTH = 8192;

export interface RoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

/** What a listing shows of a role's credentials: never the secret parts. */
export interface RoleCredentialsSummary {
  roleArn: string;
  accessKeyId: string;
  hasSessionToken: boolean;
  updatedAt: string;
}

/** The stored document. */
interface StoredRoleCredentials {
  roleArn: string;
  accessKeyId: string;
  hasSessionToken: boolean;
  updatedAt: string;
  /** `{ AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN? }` sealed for the role. */
  sealed: SealedEnvironment;
}

export function roleCredentialsKey(roleArn: string): string {
  return `role-credentials.${createHash("sha256").update(roleArn).digest("hex").slice(0, 40)}`;
}

export function isValidRoleArn(roleArn: string): boolean {
  return roleArn.length <= 2048 && ROLE_ARN.test(roleArn);
}

/** The sealing scope: a sealed secret copied under another role's key fails to open. */
const scopeOf = (roleArn: string): EnvironmentScope => ({ functionName: roleArn, version: "role-credentials" });

/** Checks an operator's input, throwing InvalidParameterValueException as Lambda's API does. */
export function validateRoleCredentials(roleArn: unknown, credentials: Partial<Record<keyof RoleCredentials, unknown>>): RoleCredentials {
  if (typeof roleArn !== "string" || !isValidRoleArn(roleArn)) {
    throw invalidParameter(`RoleArn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got ${JSON.stringify(roleArn)}`);
  }
  const { accessKeyId, secretAccessKey, sessionToken } = credentials;
  if (typeof accessKeyId !== "string" || !ACCESS_KEY_ID.test(accessKeyId)) {
    throw invalidParameter("AccessKeyId must be 3 to 128 letters, digits or underscores");
  }
  if (typeof secretAccessKey !== "string" || secretAccessKey.length === 0 || secretAccessKey.length > MAX_SECRET_LENGTH) {
    throw invalidParameter(`SecretAccessKey must be a string of 1 to ${MAX_SECRET_LENGTH} characters`);
  }
  if (sessionToken !== undefined && (typeof sessionToken !== "string" || sessionToken.length === 0 || sessionToken.length > MAX_SESSION_TOKEN_LENGTH)) {
    throw invalidParameter(`SessionToken must be a string of 1 to ${MAX_SESSION_TOKEN_LENGTH} characters`);
  }
  return { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) };
}

function decodeStored(bytes: Uint8Array): StoredRoleCredentials | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as Partial<StoredRoleCredentials>;
    if (typeof value.roleArn !== "string" || typeof value.accessKeyId !== "string" || typeof value.updatedAt !== "string") return undefined;
    if (typeof value.hasSessionToken !== "boolean" || !isSealedEnvironment(value.sealed)) return undefined;
    return value as StoredRoleCredentials;
  } catch {
    return undefined;
  }
}

const summaryOf = (stored: StoredRoleCredentials): RoleCredentialsSummary => ({
  roleArn: stored.roleArn,
  accessKeyId: stored.accessKeyId,
  hasSessionToken: stored.hasSessionToken,
  updatedAt: stored.updatedAt,
});

/** The operator's writes and reads (the frontend's admin API). */
export class RoleCredentialsStore {
  constructor(
    private readonly kv: KV,
    private readonly cipher: EnvironmentCipher,
  ) {}

  async put(roleArn: string, credentials: RoleCredentials, now = new Date()): Promise<RoleCredentialsSummary> {
    const secrets: Record<string, string> = { AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey };
    if (credentials.sessionToken !== undefined) secrets["AWS_SESSION_TOKEN"] = credentials.sessionToken;
    const stored: StoredRoleCredentials = {
      roleArn,
      accessKeyId: credentials.accessKeyId,
      hasSessionToken: credentials.sessionToken !== undefined,
      updatedAt: now.toISOString(),
      sealed: this.cipher.seal(scopeOf(roleArn), secrets),
    };
    await this.kv.put(roleCredentialsKey(roleArn), JSON.stringify(stored));
    return summaryOf(stored);
  }

  /** False when the role had none. */
  async delete(roleArn: string): Promise<boolean> {
    const key = roleCredentialsKey(roleArn);
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== "PUT") return false;
    await this.kv.delete(key);
    return true;
  }

  async list(): Promise<RoleCredentialsSummary[]> {
    const keys: string[] = [];
    keys.push(...(await listKeys(this.kv, ROLE_CREDENTIALS_KEYS)));
    const summaries: RoleCredentialsSummary[] = [];
    for (const key of keys) {
      const entry = await this.kv.get(key);
      const stored = entry?.operation === "PUT" ? decodeStored(entry.value) : undefined;
      if (stored) summaries.push(summaryOf(stored));
    }
    return summaries.sort((a, b) => a.roleArn.localeCompare(b.roleArn));
  }
}

/**
 * Every role's credentials as environment variables (the worker's view), opened once as an entry arrives,
 * never per environment. Loaded whole before `start` resolves, so a miss means the role has none.
 */
export class RoleCredentialsView {
  private readonly view: KeySpaceView<Readonly<Record<string, string>>>;

  constructor(kv: KV, cipher: EnvironmentCipher, onUnreadable: (key: string, error: unknown) => void) {
    this.view = new KeySpaceView<Readonly<Record<string, string>>>(kv, {
      filter: ROLE_CREDENTIALS_KEYS,
      decode: (_key, value) => {
        const stored = decodeStored(value);
        if (!stored) throw new Error("not a role credentials document");
        const secrets = cipher.open(scopeOf(stored.roleArn), stored.sealed);
        return Object.freeze({ AWS_ACCESS_KEY_ID: stored.accessKeyId, ...secrets });
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

  /** AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN for the role, when it has credentials. */
  environmentOf(roleArn: string): Readonly<Record<string, string>> | undefined {
    return this.view.get(roleCredentialsKey(roleArn));
  }
}

// Identity policies an operator gives an execution role (a function's `Role` ARN): what the role's
// functions may do when they call Lambent, such as invoking other functions. Kept in the functions
// bucket under `role-policy.<hash of the ARN>`; checked by the caller (a policy is a document of
// @lambent/iam-policy, parsed where it is used). Workers watch the key space, so a change applies to
// the next call without a restart.
import { createHash } from "node:crypto";
import type { KV } from "@nats-io/kv";
import { KeySpaceView } from "./key-space-view.js";
import { listKeys } from "./kv-keys.js";

export const ROLE_POLICY_KEYS = "role-policy.>";

export interface RolePolicySummary {
  roleArn: string;
  policy: unknown;
  updatedAt: string;
}

export function rolePolicyKey(roleArn: string): string {
  return `role-policy.${createHash("sha256").update(roleArn).digest("hex").slice(0, 40)}`;
}

function decode(bytes: Uint8Array): RolePolicySummary | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as Partial<RolePolicySummary>;
    return typeof value.roleArn === "string" && typeof value.updatedAt === "string" && value.policy !== undefined ? (value as RolePolicySummary) : undefined;
  } catch {
    return undefined;
  }
}

export class RolePolicyStore {
  constructor(private readonly kv: KV) {}

  async put(roleArn: string, policy: unknown, now = new Date()): Promise<RolePolicySummary> {
    const stored: RolePolicySummary = { roleArn, policy, updatedAt: now.toISOString() };
    await this.kv.put(rolePolicyKey(roleArn), JSON.stringify(stored));
    return stored;
  }

  /** The role's policy record, when the operator gave it one. */
  async get(roleArn: string): Promise<RolePolicySummary | undefined> {
    const entry = await this.kv.get(rolePolicyKey(roleArn));
    return entry?.operation === "PUT" ? decode(entry.value) : undefined;
  }

  /** False when the role had none. */
  async delete(roleArn: string): Promise<boolean> {
    const key = rolePolicyKey(roleArn);
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== "PUT") return false;
    await this.kv.delete(key);
    return true;
  }

  async list(): Promise<RolePolicySummary[]> {
    const keys: string[] = [];
    keys.push(...(await listKeys(this.kv, ROLE_POLICY_KEYS)));
    const found: RolePolicySummary[] = [];
    for (const key of keys) {
      const entry = await this.kv.get(key);
      const stored = entry?.operation === "PUT" ? decode(entry.value) : undefined;
      if (stored) found.push(stored);
    }
    return found.sort((a, b) => a.roleArn.localeCompare(b.roleArn));
  }
}

/** Every role's policy (the workers' view), loaded whole before `start` resolves. */
export class RolePoliciesView {
  private readonly view: KeySpaceView<Readonly<RolePolicySummary>>;

  constructor(kv: KV, onUnreadable: (key: string, error: unknown) => void) {
    this.view = new KeySpaceView<Readonly<RolePolicySummary>>(kv, {
      filter: ROLE_POLICY_KEYS,
      decode: (_key, value) => {
        const stored = decode(value);
        if (!stored) throw new Error("not a role policy document");
        return Object.freeze(stored);
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

  /** The role's policy record, when the operator gave it one. */
  get(roleArn: string): Readonly<RolePolicySummary> | undefined {
    return this.view.get(rolePolicyKey(roleArn));
  }
}

// Resource-based policies (Lambda's AddPermission, RemovePermission, GetPolicy): one policy per function
// qualifier (`$LATEST` or none, a version, an alias) in the functions KV bucket under
// `policy.<function>.<qualifier>` (`$LATEST` as `LATEST`), its statements in IAM's JSON. Stored here for
// the calls that read and write them; enforcing them on callers is another module's.
import type { KV } from "@nats-io/kv";
import { versionFromKeyToken, versionKeyToken } from "./function-name.js";
import { updateByRevision } from "./compare-and-set.js";
import type { ObservedWrites } from "./observed-writes.js";
import { listKeys } from "./kv-keys.js";

/** One IAM statement as Lambda writes it: `Principal` is `"*"` or `{Service | AWS: …}`. */
export interface PolicyStatement {
  Sid: string;
  Effect: "Allow";
  Principal: "*" | { Service: string } | { AWS: string };
  Action: string;
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

/** The JSON under `policy.<function>.<qualifier>`. */
export interface ResourcePolicy {
  functionName: string;
  /** `$LATEST`, a published version number or an alias name. */
  qualifier: string;
  /** Changes with every statement added or removed; AddPermission and RemovePermission may require it. */
  revisionId: string;
  statements: PolicyStatement[];
}

export const resourcePolicyKey = (functionName: string, qualifier: string): string => `policy.${functionName}.${versionKeyToken(qualifier)}`;

export const RESOURCE_POLICY_KEYS = "policy.>";

/** Parses a KV key back into function name and qualifier; undefined for keys that are not policies. */
export function parseResourcePolicyKey(key: string): { functionName: string; qualifier: string } | undefined {
  const parts = key.split(".");
  if (parts.length !== 3 || parts[0] !== "policy") return undefined;
  return { functionName: parts[1]!, qualifier: versionFromKeyToken(parts[2]!) };
}

const decoder = new TextDecoder();

/** The policy stored under `key`; throws when the value is malformed or belongs to another key. */
export function decodeResourcePolicy(key: string, value: Uint8Array): ResourcePolicy {
  const parsed = JSON.parse(decoder.decode(value)) as unknown;
  const policy = parsed as Partial<ResourcePolicy> | null;
  const valid =
    typeof policy === "object" &&
    policy !== null &&
    typeof policy.functionName === "string" &&
    typeof policy.qualifier === "string" &&
    typeof policy.revisionId === "string" &&
    Array.isArray(policy.statements) &&
    policy.statements.every((statement) => typeof statement === "object" && statement !== null && typeof statement.Sid === "string");
  if (!valid) throw new Error(`The resource policy under ${key} is malformed`);
  const scope = parseResourcePolicyKey(key);
  if (scope && (policy.functionName !== scope.functionName || policy.qualifier !== scope.qualifier)) {
    throw new Error(`The resource policy under ${key} is for ${policy.functionName}:${policy.qualifier}`);
  }
  return policy as ResourcePolicy;
}

/** Reads and writes resource policies by compare-and-set. */
export class ResourcePolicyStore {
  constructor(
    private readonly kv: KV,
    private readonly writes: ObservedWrites,
  ) {}

  async get(functionName: string, qualifier: string): Promise<ResourcePolicy | undefined> {
    const key = resourcePolicyKey(functionName, qualifier);
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== "PUT") return undefined;
    return decodeResourcePolicy(key, entry.value);
  }

  /**
   * Read-modify-write of one qualifier's policy. `change` sees the current policy (undefined when there is
   * none) and returns the next, or throws; a policy left without statements is deleted.
   */
  async update(functionName: string, qualifier: string, change: (current: ResourcePolicy | undefined) => ResourcePolicy): Promise<ResourcePolicy> {
    const key = resourcePolicyKey(functionName, qualifier);
    let result: ResourcePolicy | undefined;
    const { written } = await updateByRevision(this.writes, key, { decode: decodeResourcePolicy }, (current) => {
      const next = change(current);
      if (next.functionName !== functionName || next.qualifier !== qualifier) {
        throw new Error(`An update of the policy of ${functionName}:${qualifier} may not move it to ${next.functionName}:${next.qualifier}`);
      }
      result = next;
      // An empty policy is no policy: delete it below rather than write it.
      return next.statements.length === 0 ? undefined : next;
    });
    if (written === undefined) await this.delete(functionName, qualifier);
    return written ?? result!;
  }

  /** Deletes one qualifier's policy; false when it had none. */
  async delete(functionName: string, qualifier: string): Promise<boolean> {
    const key = resourcePolicyKey(functionName, qualifier);
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== "PUT") return false;
    await this.writes.delete(key);
    return true;
  }

  /** Purges every policy of a function (FunctionStore.deleteFunction does this too, with the rest of the function). */
  async deleteAll(functionName: string): Promise<void> {
    const keys: string[] = [];
    keys.push(...(await listKeys(this.kv, `policy.${functionName}.*`)));
    for (const key of keys) await this.writes.purge(key);
  }
}

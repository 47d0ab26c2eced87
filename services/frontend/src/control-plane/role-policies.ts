// Lambent's role policies calls: what an execution role's functions may do when they call Lambent
// (invoking other functions), held by the workers (@lambent/registry's role policies).
import type { ListRolePoliciesResponse, RolePolicyDescription } from "@lambent/lambda-api";
import { invalidParameter, resourceNotFound } from "@lambent/errors";
import { parsePolicy } from "@lambent/iam-policy";
import { RolePolicyStore, isValidRoleArn, type RolePolicySummary } from "@lambent/registry/functions";

const describe = (summary: RolePolicySummary): RolePolicyDescription => ({ RoleArn: summary.roleArn, Policy: summary.policy, UpdatedAt: summary.updatedAt });

function roleArnOf(value: unknown): string {
  if (typeof value !== "string" || !isValidRoleArn(value)) throw invalidParameter(`RoleArn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got ${JSON.stringify(value)}`);
  return value;
}

export class RolePolicyOperations {
  constructor(private readonly store: RolePolicyStore) {}

  async put(body: unknown): Promise<RolePolicyDescription> {
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalidParameter("The request body must be a JSON object");
    const fields = body as Record<string, unknown>;
    return describe(await this.store.put(roleArnOf(fields["RoleArn"]), parsePolicy(fields["Policy"])));
  }

  async list(): Promise<ListRolePoliciesResponse> {
    return { RolePolicies: (await this.store.list()).map(describe) };
  }

  async delete(roleArn: string | null): Promise<void> {
    if (!(await this.store.delete(roleArnOf(roleArn)))) throw resourceNotFound(`No policy is set for role ${String(roleArn)}`);
  }
}

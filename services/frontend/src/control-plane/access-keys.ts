// Lambent's access keys calls: keys for users of the API, each with an identity policy, kept in KV and
// followed by every frontend (@lambent/registry's API keys). The operator's own keys (LAMBENT_ACCESS_KEYS)
// are not among them and cannot be changed here.
import type { AccessKeyDescription, CreatedAccessKey, ListAccessKeysResponse } from "@lambent/lambda-api";
import { invalidParameter, resourceNotFound } from "@lambent/errors";
import { parsePolicy } from "@lambent/iam-policy";
import type { ApiKeyStore, ApiKeySummary } from "@lambent/registry/functions";

/** IAM's user names. */
const USER_NAME = /^[\w+=,.@-]{1,64}$/;

export class AccessKeyOperations {
  constructor(
    private readonly store: ApiKeyStore,
    private readonly accountId: string,
  ) {}

  userArn(userName: string): string {
    return `arn:aws:iam::${this.accountId}:user/${userName}`;
  }

  private describe(summary: ApiKeySummary): AccessKeyDescription {
    return {
      AccessKeyId: summary.accessKeyId,
      UserName: summary.userName,
      UserArn: this.userArn(summary.userName),
      Policy: summary.policy,
      CreatedAt: summary.createdAt,
      UpdatedAt: summary.updatedAt,
    };
  }

  async create(body: unknown): Promise<CreatedAccessKey> {
    const fields = objectBody(body);
    const userName = fields["UserName"];
    if (typeof userName !== "string" || !USER_NAME.test(userName)) throw invalidParameter("UserName must be 1 to 64 letters, digits or +=,.@_-");
    const made = await this.store.create(userName, parsePolicy(fields["Policy"]));
    return { ...this.describe(made), SecretAccessKey: made.secretAccessKey };
  }

  async list(): Promise<ListAccessKeysResponse> {
    return { AccessKeys: (await this.store.list()).map((summary) => this.describe(summary)) };
  }

  async putPolicy(accessKeyId: string, body: unknown): Promise<AccessKeyDescription> {
    const updated = await this.store.putPolicy(accessKeyId, parsePolicy(objectBody(body)["Policy"]));
    if (!updated) throw resourceNotFound(`No access key ${accessKeyId}`);
    return this.describe(updated);
  }

  async delete(accessKeyId: string): Promise<void> {
    if (!(await this.store.delete(accessKeyId))) throw resourceNotFound(`No access key ${accessKeyId}`);
  }
}

function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalidParameter("The request body must be a JSON object");
  return body as Record<string, unknown>;
}

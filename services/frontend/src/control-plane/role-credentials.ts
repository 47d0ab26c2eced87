// Lambent's role credentials calls: the operator gives an execution role an access key, and every
// function with that `Role` finds it in its environment (@lambent/registry's role credentials).
import type { ListRoleCredentialsResponse, RoleCredentialsDescription } from "@lambent/lambda-api";
import { invalidParameter, resourceNotFound, serviceError } from "@lambent/errors";
import { RoleCredentialsStore, validateRoleCredentials, type RoleCredentialsSummary } from "@lambent/registry/functions";

const describe = (summary: RoleCredentialsSummary): RoleCredentialsDescription => ({
  RoleArn: summary.roleArn,
  AccessKeyId: summary.accessKeyId,
  HasSessionToken: summary.hasSessionToken,
  UpdatedAt: summary.updatedAt,
});

export class RoleCredentialOperations {
  constructor(private readonly store: RoleCredentialsStore) {}

  async put(body: unknown): Promise<RoleCredentialsDescription> {
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalidParameter("The request body must be a JSON object");
    const fields = body as Record<string, unknown>;
    const credentials = validateRoleCredentials(fields["RoleArn"], {
      accessKeyId: fields["AccessKeyId"],
      secretAccessKey: fields["SecretAccessKey"],
      sessionToken: fields["SessionToken"],
    });
    return describe(await this.store.put(fields["RoleArn"] as string, credentials));
  }

  async list(): Promise<ListRoleCredentialsResponse> {
    return { RoleCredentials: (await this.store.list()).map(describe) };
  }

  async delete(roleArn: string | null): Promise<void> {
    if (roleArn === null || roleArn === "") throw invalidParameter("RoleArn is required");
    if (!(await this.store.delete(roleArn))) throw resourceNotFound(`No credentials are set for role ${roleArn}`);
  }
}

/** The API's role credentials calls, or a ServiceException when this frontend was built without them. */
export function roleCredentialsOf(api: { roleCredentials?: RoleCredentialOperations | undefined }): RoleCredentialOperations {
  if (!api.roleCredentials) throw serviceError("Role credentials are not available on this frontend");
  return api.roleCredentials;
}

// Variables the platform adds to a function's environment besides Lambda's own: the AWS endpoints the
// operator configured (beneath the function's own variables, which may point elsewhere) and the
// credentials of the function's execution role (above them: Lambda reserves those names). Read once per
// environment, as it starts, never per call.
import type { FunctionVersionRecord } from "@lambent/registry/functions";

/** The role credentials the worker knows (a started RoleCredentialsView). */
export interface RoleCredentialsLookup {
  environmentOf(roleArn: string): Readonly<Record<string, string>> | undefined;
}

export class PlatformVariables {
  constructor(
    /** `AWS_ENDPOINT_URL[_<SERVICE>]` → URL. */
    private readonly endpoints: Readonly<Record<string, string>>,
    private readonly roles: RoleCredentialsLookup | undefined,
  ) {}

  /** Variables the function's own may replace. */
  defaultsFor(): Readonly<Record<string, string>> {
    return this.endpoints;
  }

  /** Variables set over everything: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN of its role. */
  credentialsFor(record: FunctionVersionRecord): Readonly<Record<string, string>> | undefined {
    return this.roles?.environmentOf(record.role);
  }
}

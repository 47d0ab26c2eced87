// Variables the platform adds to a function's environment besides Lambda's own: the AWS endpoints the
// operator configured and Lambent's own Lambda and CodeDeploy endpoints (beneath the function's own
// variables, which may point elsewhere) and the
// credentials of the function's execution role (above them: Lambda reserves those names). Read once per
// environment, as it starts, never per call.
import type { FunctionVersionRecord } from "@lambent/registry/functions";
import { LAMBDA_ENDPOINT_URL } from "./host/lambda-endpoint.js";
import { CODEDEPLOY_ENDPOINT_URL } from "./host/codedeploy-endpoint.js";

/** The role credentials the worker knows (a started RoleCredentialsView). */
export interface RoleCredentialsLookup {
  environmentOf(roleArn: string): Readonly<Record<string, string>> | undefined;
}

export class PlatformVariables {
  private readonly endpoints: Readonly<Record<string, string>>;

  constructor(
    /** `AWS_ENDPOINT_URL[_<SERVICE>]` → URL, from the operator. */
    endpoints: Readonly<Record<string, string>>,
    private readonly roles: RoleCredentialsLookup | undefined,
  ) {
    // The SDK's LambdaClient and CodeDeployClient reach Lambent itself unless the operator points them elsewhere.
    this.endpoints = Object.freeze({ AWS_ENDPOINT_URL_LAMBDA: LAMBDA_ENDPOINT_URL, AWS_ENDPOINT_URL_CODEDEPLOY: CODEDEPLOY_ENDPOINT_URL, ...endpoints });
  }

  /** Variables the function's own may replace. */
  defaultsFor(): Readonly<Record<string, string>> {
    return this.endpoints;
  }

  /** Variables set over everything: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN of its role. */
  credentialsFor(record: FunctionVersionRecord): Readonly<Record<string, string>> | undefined {
    return this.roles?.environmentOf(record.role);
  }
}

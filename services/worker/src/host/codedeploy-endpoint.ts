// CodeDeploy's API inside functions: the AWS SDK's CodeDeployClient in a function, pointed at
// http://codedeploy.lambent.internal (the runtime's default AWS_ENDPOINT_URL_CODEDEPLOY), reaches Lambent
// itself, as LambdaClient does (lambda-endpoint.ts), without the egress policy opening the cluster's own
// network. Every request goes to the frontends (function-api-calls.ts), which answer a deployment hook's
// PutLifecycleEventHookExecutionStatus as the calling function.
export const CODEDEPLOY_ENDPOINT_HOST = "codedeploy.lambent.internal";
/** Put in every function's environment as AWS_ENDPOINT_URL_CODEDEPLOY unless the operator or the function names another. */
export const CODEDEPLOY_ENDPOINT_URL = `http://${CODEDEPLOY_ENDPOINT_HOST}`;

export function isCodeDeployEndpoint(url: string): boolean {
  try {
    return new URL(url).hostname === CODEDEPLOY_ENDPOINT_HOST;
  } catch {
    return false;
  }
}

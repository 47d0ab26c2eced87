// What a signed caller may do. The operator's keys (LAMBENT_ACCESS_KEYS) may do everything; a user's key
// (CreateAccessKey) only what its identity policy allows: each API call is an IAM action (Lambda's own
// names, `lambda:InvokeFunction` for Invoke; `lambent:<Operation>` for Lambent's own calls, `states:` for
// Step Functions') on a resource (the function's, layer's or mapping's ARN, else `*`), refused with
// AccessDeniedException in AWS's words.
import { LambdaError } from "@lambent/errors";
import { accessDeniedMessage, evaluatePolicy, policyOfRecord, resourcePolicyAllows, type IdentityPolicy } from "@lambent/iam-policy";
export interface ApiAuth {
  /** The operator's keys (LAMBENT_ACCESS_KEYS): they may do everything. */
  accessKeys: ReadonlyMap<string, string>;
  /** Users' keys with their policies (CreateAccessKey), when the frontend follows them. */
  userKeys?: ApiKeyLookup;
  accountId?: string;
  region: string;
  now?: () => number;
}

export interface ApiKeyLookup {
  get(accessKeyId: string): { secretAccessKey: string; userName: string; policy: unknown } | undefined;
}

export interface ApiCaller {
  principalArn: string;
  /** Undefined for the operator, who may do everything. */
  policy: IdentityPolicy | undefined;
}

export function callerOf(auth: ApiAuth, accessKeyId: string): ApiCaller {
  const account = auth.accountId ?? "000000000000";
  if (auth.accessKeys.has(accessKeyId)) return { principalArn: `arn:aws:iam::${account}:root`, policy: undefined };
  const grant = auth.userKeys?.get(accessKeyId);
  if (!grant) return { principalArn: `arn:aws:iam::${account}:user/unknown`, policy: { Version: "2012-10-17", Statement: [] } };
  return { principalArn: `arn:aws:iam::${account}:user/${grant.userName}`, policy: policyOfRecord(grant) };
}

export interface IamRequest {
  action: string;
  resource: string;
}

/** Lambda's IAM action names where they differ from its operations'. */
const LAMBDA_ACTIONS: Record<string, string> = { Invoke: "InvokeFunction", InvokeWithResponseStream: "InvokeFunction" };

/** A Lambda operation's IAM action (`lambda:InvokeFunction` for Invoke), over REST and gRPC alike. */
export const lambdaAction = (operation: string): string => `lambda:${LAMBDA_ACTIONS[operation] ?? operation}`;

/** The IAM action and resource of a REST call: `pathname` as requested, `params` as the route captured them. */
export function iamRequestOf(operation: string, pathname: string, params: readonly string[], query: URLSearchParams, scope: { region: string; accountId: string }): IamRequest {
  if (pathname.startsWith("/lambent")) return { action: `lambent:${operation}`, resource: functionResource(pathname, params, query, scope) ?? "*" };
  return { action: lambdaAction(operation), resource: functionResource(pathname, params, query, scope) ?? otherResource(pathname, params, scope) };
}

function functionResource(pathname: string, params: readonly string[], query: URLSearchParams, scope: { region: string; accountId: string }): string | undefined {
  if (!/\/functions\/[^/]+/.test(pathname) || params.length === 0) return undefined;
  return functionResourceArn(params[0]!, query.get("Qualifier") ?? undefined, scope);
}

/**
 * The ARN a function reference (a name, `name:qualifier`, a partial or full ARN) is authorized as, with
 * the call's qualifier when the reference has none. Lenient: a malformed name is refused by the call's
 * own checks, after this.
 */
export function functionResourceArn(name: string, qualifier: string | undefined, scope: { region: string; accountId: string }): string {
  const arn = name.startsWith("arn:") ? name : `arn:aws:lambda:${scope.region}:${scope.accountId}:function:${name.replace(/^function:/, "")}`;
  return qualifier && !/:function:[^:]+:/.test(arn) ? `${arn}:${qualifier}` : arn;
}

function otherResource(pathname: string, params: readonly string[], scope: { region: string; accountId: string }): string {
  const prefix = `arn:aws:lambda:${scope.region}:${scope.accountId}`;
  if (/\/layers\/[^/]+/.test(pathname) && params[0]) return params[0].startsWith("arn:") ? params[0] : `${prefix}:layer:${params[0]}`;
  if (/\/event-source-mappings\/[^/]+/.test(pathname) && params[0]) return `${prefix}:event-source-mapping:${params[0]}`;
  return "*";
}

/** Throws AccessDeniedException unless the caller's identity policy lets it take `request`. */
export function authorize(caller: ApiCaller, request: IamRequest): void {
  if (!caller.policy) return;
  const decision = evaluatePolicy(caller.policy, request.action, request.resource);
  if (decision !== "allow") throw new LambdaError("AccessDeniedException", accessDeniedMessage(caller.principalArn, request.action, request.resource, decision));
}

/**
 * As `authorize`, and as in Lambda an Invoke the identity policy does not allow (nor deny) is allowed
 * when the function's resource policy (AddPermission) names the caller. `functionPolicy` reads it only
 * then: every other call is decided without a read.
 */
export async function authorizeCall(caller: ApiCaller, request: IamRequest, functionPolicy: () => Promise<unknown>): Promise<void> {
  if (!caller.policy) return;
  const decision = evaluatePolicy(caller.policy, request.action, request.resource);
  if (decision === "allow") return;
  if (decision === "implicit-deny" && request.action === "lambda:InvokeFunction") {
    const document = await functionPolicy().catch(() => undefined);
    if (resourcePolicyAllows(document, caller.principalArn, request.action)) return;
  }
  throw new LambdaError("AccessDeniedException", accessDeniedMessage(caller.principalArn, request.action, request.resource, decision));
}

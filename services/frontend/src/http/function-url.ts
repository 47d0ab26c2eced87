// Serving function URLs: `/lambent-url/<urlId>/<path>` → the config with that url id → Lambda's function URL
// event (payload format 2.0, http-event.ts) → a synchronous invoke → the function's answer as HTTP.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FunctionUrlConfig } from "@lambent/registry/functions";
import type { Invoker } from "../api.js";
import { FUNCTION_URL_PATH } from "../control-plane/function-urls.js";
import { serveHttpInvocation, sendNotFound, type HttpAuthorizer, type HttpEventSource } from "./http-event.js";
import { evaluatePolicy, policyOfRecord } from "@lambent/iam-policy";
import type { ApiKeyLookup } from "./api-authorization.js";
import { verifySigV4 } from "./sigv4.js";

export { FUNCTION_URL_PATH };

export interface FunctionUrlServing {
  /** The config with this url id (the registry view's cache). */
  configOf(urlId: string): FunctionUrlConfig | undefined;
  invoker: Invoker;
  /**
   * Who may call URLs with AuthType AWS_IAM: the operator's access keys, users' keys whose policy allows
   * `lambda:InvokeFunctionUrl` on the function, and the cluster's region and account.
   */
  iam: { accessKeys: ReadonlyMap<string, string>; userKeys?: ApiKeyLookup; region: string; accountId: string; now?: () => number };
}

/** Whether a request is for a function URL; then `serveFunctionUrl` answers it. */
export const isFunctionUrlPath = (pathname: string): boolean => pathname.startsWith(`${FUNCTION_URL_PATH}/`);

export async function serveFunctionUrl(serving: FunctionUrlServing, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const rawUrl = request.url ?? "/";
  const queryAt = rawUrl.indexOf("?");
  const rawPathname = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  const rest = rawPathname.slice(FUNCTION_URL_PATH.length + 1);
  const slash = rest.indexOf("/");
  const urlId = slash === -1 ? rest : rest.slice(0, slash);
  const config = serving.configOf(urlId);
  if (!config) {
    sendNotFound(response);
    return;
  }
  const source = functionUrlSource(urlId, slash === -1 ? "/" : rest.slice(slash), queryAt === -1 ? "" : rawUrl.slice(queryAt + 1));
  await serveHttpInvocation(serving.invoker, config, source, request, response, config.authType === "AWS_IAM" ? iamAuthorizer(serving.iam, config) : undefined);
}

/** A function URL's event: route key `$default`, the path after the url id, account "anonymous" until a signature names one. */
function functionUrlSource(urlId: string, rawPath: string, rawQueryString: string): HttpEventSource {
  return { rawPath, rawQueryString, routeKey: "$default", apiId: urlId, accountId: "anonymous" };
}

/**
 * AuthType AWS_IAM: a SigV4 signature for `lambda` in the cluster's region by a known key, as Lambda checks
 * it; a user's key also needs its policy to allow `lambda:InvokeFunctionUrl` on the function.
 */
function iamAuthorizer(iam: FunctionUrlServing["iam"], config: FunctionUrlConfig): HttpAuthorizer {
  const keys = { get: (id: string) => iam.accessKeys.get(id) ?? iam.userKeys?.get(id)?.secretAccessKey };
  const functionArn = `arn:aws:lambda:${iam.region}:${iam.accountId}:function:${config.functionName}${config.qualifier === "$LATEST" ? "" : `:${config.qualifier}`}`;
  return async (request, body) => {
    const rawUrl = request.url ?? "/";
    const verdict = await verifySigV4({ method: request.method ?? "GET", rawUrl, headers: request.headers, body }, keys, { region: iam.region, service: "lambda" }, (iam.now ?? Date.now)());
    if (!verdict.ok) return undefined;
    const { accessKeyId } = verdict;
    const user = iam.accessKeys.has(accessKeyId) ? undefined : iam.userKeys?.get(accessKeyId);
    if (user && evaluatePolicy(policyOfRecord(user), "lambda:InvokeFunctionUrl", functionArn) !== "allow") return undefined;
    return {
      accountId: iam.accountId,
      authorizer: {
        iam: {
          accessKey: accessKeyId,
          accountId: iam.accountId,
          callerId: accessKeyId,
          cognitoIdentity: null,
          principalOrgId: null,
          userArn: `arn:aws:iam::${iam.accountId}:user/${user?.userName ?? accessKeyId}`,
          userId: accessKeyId,
        },
      },
    };
  };
}


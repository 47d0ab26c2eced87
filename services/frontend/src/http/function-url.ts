// Serving function URLs: `/lambent-url/<urlId>/<path>` → the config with that url id → Lambda's function URL
// event (payload format 2.0, http-event.ts) → a synchronous invoke → the function's answer as HTTP.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FunctionUrlConfig } from "@lambent/registry/functions";
import type { Invoker } from "../api.js";
import { FUNCTION_URL_PATH } from "../control-plane/function-urls.js";
import { serveHttpInvocation, sendNotFound, type HttpAuthorizer, type HttpEventSource } from "./http-event.js";
import { verifySigV4 } from "./sigv4.js";

export { FUNCTION_URL_PATH };

export interface FunctionUrlServing {
  /** The config with this url id (the registry view's cache). */
  configOf(urlId: string): FunctionUrlConfig | undefined;
  invoker: Invoker;
  /** Who may call URLs with AuthType AWS_IAM: access keys, and the cluster's region and account. */
  iam: { accessKeys: ReadonlyMap<string, string>; region: string; accountId: string; now?: () => number };
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
  await serveHttpInvocation(serving.invoker, config, source, request, response, config.authType === "AWS_IAM" ? iamAuthorizer(serving.iam) : undefined);
}

/** A function URL's event: route key `$default`, the path after the url id, account "anonymous" until a signature names one. */
function functionUrlSource(urlId: string, rawPath: string, rawQueryString: string): HttpEventSource {
  return { rawPath, rawQueryString, routeKey: "$default", apiId: urlId, accountId: "anonymous" };
}

/** AuthType AWS_IAM: a SigV4 signature for `lambda` in the cluster's region by a known key, as Lambda checks it. */
function iamAuthorizer(iam: FunctionUrlServing["iam"]): HttpAuthorizer {
  return async (request, body) => {
    const rawUrl = request.url ?? "/";
    const verdict = await verifySigV4({ method: request.method ?? "GET", rawUrl, headers: request.headers, body }, iam.accessKeys, { region: iam.region, service: "lambda" }, (iam.now ?? Date.now)());
    if (!verdict.ok) return undefined;
    const { accessKeyId } = verdict;
    return {
      accountId: iam.accountId,
      authorizer: {
        iam: {
          accessKey: accessKeyId,
          accountId: iam.accountId,
          callerId: accessKeyId,
          cognitoIdentity: null,
          principalOrgId: null,
          userArn: `arn:aws:iam::${iam.accountId}:user/${accessKeyId}`,
          userId: accessKeyId,
        },
      },
    };
  };
}


// Serving function URLs: `/lambent-url/<urlId>/<path>` → the config with that url id → Lambda's function URL
// event (payload format 2.0, http-event.ts) → a synchronous invoke → the function's answer as HTTP.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FunctionUrlConfig } from "@lambent/registry";
import type { Invoker } from "../api.js";
import { FUNCTION_URL_PATH } from "../control-plane/function-urls.js";
import { serveHttpInvocation, sendNotFound, type HttpEventSource } from "./http-event.js";

export { FUNCTION_URL_PATH };

export interface FunctionUrlServing {
  /** The config with this url id (the registry view's cache). */
  configOf(urlId: string): FunctionUrlConfig | undefined;
  invoker: Invoker;
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
  await serveHttpInvocation(serving.invoker, config, source, request, response);
}

/** A function URL's event: route key `$default`, the path after the url id, account "anonymous". */
function functionUrlSource(urlId: string, rawPath: string, rawQueryString: string): HttpEventSource {
  // Lambda reports "anonymous" for AuthType NONE, the only kind Lambent serves.
  return { rawPath, rawQueryString, routeKey: "$default", apiId: urlId, accountId: "anonymous" };
}


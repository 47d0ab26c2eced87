// Serving routes: a request for a path that is not Lambent's own → the route with the longest matching
// prefix for its method (route-table.ts) → the payload 2.0 event with the route's key and `proxy` path
// parameter → a synchronous invoke → the function's answer, exactly as function URLs answer.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Invoker } from "../api.js";
import { header, isPreflight, sendNotFound, serveHttpInvocation } from "./http-event.js";
import type { RouteTable } from "./route-table.js";

export interface RouteServing {
  table: RouteTable;
  invoker: Invoker;
  /** The account that owns the routes, as API Gateway's `requestContext.accountId`. */
  accountId: string;
}

/** Answers a request whose path is not Lambent's own (`isLambentPath` is false); 404 when no route takes it. */
export async function serveRoute(serving: RouteServing, request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
  const method = request.method ?? "GET";
  // A CORS preflight belongs to the route of the method it asks about, when that route has CORS settings.
  const preflight = isPreflight(request) ? serving.table.match(pathname, header(request, "access-control-request-method")!.toUpperCase()) : undefined;
  const match = preflight?.route.cors ? preflight : serving.table.match(pathname, method);
  if (!match) {
    sendNotFound(response);
    return;
  }
  const rawUrl = request.url ?? "/";
  const queryAt = rawUrl.indexOf("?");
  const source = {
    rawPath: pathname,
    rawQueryString: queryAt === -1 ? "" : rawUrl.slice(queryAt + 1),
    routeKey: match.routeKey,
    apiId: match.route.routeId,
    accountId: serving.accountId,
    ...(match.proxy === undefined ? {} : { pathParameters: { proxy: match.proxy } }),
  };
  await serveHttpInvocation(serving.invoker, match.route, source, request, response);
}

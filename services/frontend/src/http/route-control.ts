// Lambent's route operations in the REST table (routes.ts): CreateRoute, GetRoute, ListRoutes and
// DeleteRoute beside Lambda's, dated like Lambent's other operations.
import { routesOf } from "../control-plane/routes.js";
import { parseJsonBody, readBody } from "./body.js";
import { LambdaError } from "@lambent/errors";
import type { Route } from "./api-route.js";

const ROUTES = "/lambent/2024-01-01/routes";
/** A route's body is a few fields; nothing near a deployment package. */
const ROUTE_BODY_LIMIT = 64 * 1024;

export const routeControlRoutes: Route[] = [
  {
    method: "POST",
    path: new RegExp(`^${ROUTES}/?$`),
    operation: "CreateRoute",
    async handle(api, { request }) {
      const body = await readBody(request, ROUTE_BODY_LIMIT, () => new LambdaError("RequestTooLargeException", `Request must be smaller than ${ROUTE_BODY_LIMIT} bytes`));
      return { kind: "json", status: 201, body: await routesOf(api).create(parseJsonBody(body)) };
    },
  },
  {
    method: "GET",
    path: new RegExp(`^${ROUTES}/?$`),
    operation: "ListRoutes",
    handle: async (api, { query }) => ({
      kind: "json",
      status: 200,
      body: await routesOf(api).list({
        ...optional("functionName", query.get("FunctionName")),
        ...optional("marker", query.get("Marker")),
        ...optional("maxItems", query.get("MaxItems")),
      }),
    }),
  },
  {
    method: "GET",
    path: new RegExp(`^${ROUTES}/([^/]+)$`),
    operation: "GetRoute",
    handle: async (api, { params }) => ({ kind: "json", status: 200, body: await routesOf(api).get(params[0]!) }),
  },
  {
    method: "DELETE",
    path: new RegExp(`^${ROUTES}/([^/]+)$`),
    operation: "DeleteRoute",
    async handle(api, { params }) {
      await routesOf(api).delete(params[0]!);
      return { kind: "json", status: 204 };
    },
  },
];

function optional<K extends string>(key: K, value: string | null): { [P in K]?: string } {
  return value === null ? {} : ({ [key]: value } as { [P in K]?: string });
}

// Lambent's route operations in the REST table (routes.ts): CreateRoute, GetRoute, ListRoutes and
// DeleteRoute beside Lambda's, dated like Lambent's other operations.
import { routesOf } from "../control-plane/routes.js";
import { parseJsonBody, readBody } from "./body.js";
import { LambdaError } from "@lambent/errors";
import { ApiPaths } from "@lambent/lambda-api";
import { SEGMENT, exactly, withOptionalSlash, type Route } from "./api-route.js";

/** A route's body is a few fields; nothing near a deployment package. */
const ROUTE_BODY_LIMIT = 64 * 1024;

export const routeControlRoutes: Route[] = [
  {
    method: "POST",
    path: withOptionalSlash(ApiPaths.routes),
    operation: "CreateRoute",
    async handle(api, { request }) {
      const body = await readBody(request, ROUTE_BODY_LIMIT, () => new LambdaError("RequestTooLargeException", `Request must be smaller than ${ROUTE_BODY_LIMIT} bytes`));
      return { kind: "json", status: 201, body: await routesOf(api).create(parseJsonBody(body)) };
    },
  },
  {
    method: "GET",
    path: withOptionalSlash(ApiPaths.routes),
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
    path: exactly(ApiPaths.route(SEGMENT)),
    operation: "GetRoute",
    handle: async (api, { params }) => ({ kind: "json", status: 200, body: await routesOf(api).get(params[0]!) }),
  },
  {
    method: "DELETE",
    path: exactly(ApiPaths.route(SEGMENT)),
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

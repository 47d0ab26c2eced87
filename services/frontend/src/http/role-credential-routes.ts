// Lambent's role credentials calls in the REST table (routes.ts), beside its logs and usage.
import { LambdaError } from "@lambent/errors";
import { ApiPaths } from "@lambent/lambda-api";
import { roleCredentialsOf } from "../control-plane/role-credentials.js";
import { parseJsonBody, readBody } from "./body.js";
import { withOptionalSlash, type Route } from "./api-route.js";

/** An ARN, a key id, a secret and a session token. */
const BODY_LIMIT = 64 * 1024;

export const roleCredentialRoutes: Route[] = [
  {
    method: "PUT",
    path: withOptionalSlash(ApiPaths.roleCredentials),
    operation: "PutRoleCredentials",
    async handle(api, { request }) {
      const body = parseJsonBody(await readBody(request, BODY_LIMIT, () => new LambdaError("RequestTooLargeException", `Request must be smaller than ${BODY_LIMIT} bytes`)));
      return { kind: "json", status: 200, body: await roleCredentialsOf(api).put(body) };
    },
  },
  {
    method: "GET",
    path: withOptionalSlash(ApiPaths.roleCredentials),
    operation: "ListRoleCredentials",
    handle: async (api) => ({ kind: "json", status: 200, body: await roleCredentialsOf(api).list() }),
  },
  {
    method: "DELETE",
    path: withOptionalSlash(ApiPaths.roleCredentials),
    operation: "DeleteRoleCredentials",
    async handle(api, { query }) {
      await roleCredentialsOf(api).delete(query.get("RoleArn"));
      return { kind: "json", status: 204 };
    },
  },
];

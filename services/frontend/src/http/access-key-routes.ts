// Lambent's operator calls in the REST table (routes.ts), beside its role credentials: access keys, role
// policies, and the view of the cluster.
import { LambdaError, serviceError } from "@lambent/errors";
import { ApiPaths } from "@lambent/lambda-api";
import type { FrontendApi } from "../api.js";
import type { AccessKeyOperations } from "../control-plane/access-keys.js";
import type { RolePolicyOperations } from "../control-plane/role-policies.js";
import type { ClusterOperations } from "../control-plane/cluster.js";
import { parseJsonBody, readBody } from "./body.js";
import { SEGMENT, exactly, withOptionalSlash, type Route } from "./api-route.js";

/** A user name and a policy document. */
const BODY_LIMIT = 64 * 1024;

function accessKeysOf(api: FrontendApi): AccessKeyOperations {
  if (!api.accessKeys) throw serviceError("Access keys are not available on this frontend");
  return api.accessKeys;
}

function clusterOf(api: FrontendApi): ClusterOperations {
  if (!api.cluster) throw serviceError("The cluster view is not available on this frontend");
  return api.cluster;
}

function rolePoliciesOf(api: FrontendApi): RolePolicyOperations {
  if (!api.rolePolicies) throw serviceError("Role policies are not available on this frontend");
  return api.rolePolicies;
}

const body = async (request: Parameters<Route["handle"]>[1]["request"]): Promise<unknown> =>
  parseJsonBody(await readBody(request, BODY_LIMIT, () => new LambdaError("RequestTooLargeException", `Request must be smaller than ${BODY_LIMIT} bytes`)));

export const accessKeyRoutes: Route[] = [
  {
    method: "GET",
    path: withOptionalSlash(ApiPaths.cluster),
    operation: "GetCluster",
    handle: async (api) => ({ kind: "json", status: 200, body: await clusterOf(api).describe() }),
  },
  {
    method: "POST",
    path: withOptionalSlash(ApiPaths.accessKeys),
    operation: "CreateAccessKey",
    handle: async (api, { request }) => ({ kind: "json", status: 201, body: await accessKeysOf(api).create(await body(request)) }),
  },
  {
    method: "GET",
    path: withOptionalSlash(ApiPaths.accessKeys),
    operation: "ListAccessKeys",
    handle: async (api) => ({ kind: "json", status: 200, body: await accessKeysOf(api).list() }),
  },
  {
    method: "PUT",
    path: exactly(ApiPaths.accessKeyPolicy(SEGMENT)),
    operation: "PutAccessKeyPolicy",
    handle: async (api, { request, params }) => ({ kind: "json", status: 200, body: await accessKeysOf(api).putPolicy(params[0]!, await body(request)) }),
  },
  {
    method: "DELETE",
    path: exactly(ApiPaths.accessKey(SEGMENT)),
    operation: "DeleteAccessKey",
    async handle(api, { params }) {
      await accessKeysOf(api).delete(params[0]!);
      return { kind: "json", status: 204 };
    },
  },
  {
    method: "PUT",
    path: withOptionalSlash(ApiPaths.rolePolicies),
    operation: "PutRolePolicy",
    handle: async (api, { request }) => ({ kind: "json", status: 200, body: await rolePoliciesOf(api).put(await body(request)) }),
  },
  {
    method: "GET",
    path: withOptionalSlash(ApiPaths.rolePolicies),
    operation: "ListRolePolicies",
    handle: async (api) => ({ kind: "json", status: 200, body: await rolePoliciesOf(api).list() }),
  },
  {
    method: "DELETE",
    path: withOptionalSlash(ApiPaths.rolePolicies),
    operation: "DeleteRolePolicy",
    async handle(api, { query }) {
      await rolePoliciesOf(api).delete(query.get("RoleArn"));
      return { kind: "json", status: 204 };
    },
  },
];

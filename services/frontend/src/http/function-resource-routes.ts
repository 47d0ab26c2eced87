// Lambda's calls about what a function carries beside its configuration, in the REST table (routes.ts):
// tags, resource-based policies, code signing (as for an account without configs) and runtime management.
import { LambdaError, serviceError } from "@lambent/errors";
import { ApiPaths } from "@lambent/lambda-api";
import type { FrontendApi } from "../api.js";
import type { CodeSigningOperations } from "../control-plane/code-signing.js";
import { parseJsonBody, readBody } from "./body.js";
import { SEGMENT, exactly, withOptionalSlash, type Route, type RouteResult } from "./api-route.js";

/** These bodies are a few fields. */
const BODY_LIMIT = 256 * 1024;

const json = (status: number, body?: unknown): RouteResult => ({ kind: "json", status, body });

async function smallBody(request: Parameters<Route["handle"]>[1]["request"]): Promise<unknown> {
  return parseJsonBody(await readBody(request, BODY_LIMIT, () => new LambdaError("RequestTooLargeException", `Request must be smaller than ${BODY_LIMIT} bytes`)));
}

const qualifierOf = (query: URLSearchParams): string | undefined => query.get("Qualifier") ?? undefined;

function listOptions(query: URLSearchParams): { marker?: string; maxItems?: string } {
  const options: { marker?: string; maxItems?: string } = {};
  const marker = query.get("Marker");
  if (marker !== null) options.marker = marker;
  const maxItems = query.get("MaxItems");
  if (maxItems !== null) options.maxItems = maxItems;
  return options;
}

function codeSigningOf(api: FrontendApi): CodeSigningOperations {
  if (!api.codeSigning) throw serviceError("Code signing calls are not available on this frontend");
  return api.codeSigning;
}

export const functionResourceRoutes: Route[] = [
  {
    method: "POST",
    path: exactly(ApiPaths.tags(SEGMENT)),
    operation: "TagResource",
    async handle(api, { request, params }) {
      await api.controlPlane.tagResource(params[0]!, await smallBody(request));
      return json(204);
    },
  },
  {
    method: "DELETE",
    path: exactly(ApiPaths.tags(SEGMENT)),
    operation: "UntagResource",
    async handle(api, { params, query }) {
      const keys = query.getAll("tagKeys");
      await api.controlPlane.untagResource(params[0]!, keys.length === 0 ? undefined : keys);
      return json(204);
    },
  },
  {
    method: "GET",
    path: exactly(ApiPaths.tags(SEGMENT)),
    operation: "ListTags",
    handle: async (api, { params }) => json(200, await api.controlPlane.listTags(params[0]!)),
  },
  {
    method: "POST",
    path: exactly(ApiPaths.policy(SEGMENT)),
    operation: "AddPermission",
    handle: async (api, { request, params, query }) => json(201, await api.controlPlane.addPermission(params[0]!, qualifierOf(query), await smallBody(request))),
  },
  {
    method: "GET",
    path: exactly(ApiPaths.policy(SEGMENT)),
    operation: "GetPolicy",
    handle: async (api, { params, query }) => json(200, await api.controlPlane.getPolicy(params[0]!, qualifierOf(query))),
  },
  {
    method: "DELETE",
    path: exactly(ApiPaths.policyStatement(SEGMENT, SEGMENT)),
    operation: "RemovePermission",
    async handle(api, { params, query }) {
      await api.controlPlane.removePermission(params[0]!, params[1]!, qualifierOf(query), query.get("RevisionId") ?? undefined);
      return json(204);
    },
  },
  {
    method: "GET",
    path: exactly(ApiPaths.runtimeManagementConfig(SEGMENT)),
    operation: "GetRuntimeManagementConfig",
    handle: async (api, { params, query }) => json(200, await api.controlPlane.getRuntimeManagementConfig(params[0]!, qualifierOf(query))),
  },
  {
    method: "GET",
    path: exactly(ApiPaths.functionCodeSigningConfig(SEGMENT)),
    operation: "GetFunctionCodeSigningConfig",
    handle: async (api, { params }) => json(200, await codeSigningOf(api).getFunctionConfig(params[0]!)),
  },
  {
    method: "PUT",
    path: exactly(ApiPaths.functionCodeSigningConfig(SEGMENT)),
    operation: "PutFunctionCodeSigningConfig",
    handle: async (api, { request, params }) => json(200, await codeSigningOf(api).putFunctionConfig(params[0]!, await smallBody(request))),
  },
  {
    method: "DELETE",
    path: exactly(ApiPaths.functionCodeSigningConfig(SEGMENT)),
    operation: "DeleteFunctionCodeSigningConfig",
    async handle(api, { params }) {
      await codeSigningOf(api).deleteFunctionConfig(params[0]!);
      return json(204);
    },
  },
  {
    method: "POST",
    path: withOptionalSlash(ApiPaths.codeSigningConfigs),
    operation: "CreateCodeSigningConfig",
    handle: async (api, { request }) => json(201, await codeSigningOf(api).create(await smallBody(request))),
  },
  {
    method: "GET",
    path: withOptionalSlash(ApiPaths.codeSigningConfigs),
    operation: "ListCodeSigningConfigs",
    handle: async (api, { query }) => json(200, await codeSigningOf(api).list(listOptions(query))),
  },
  {
    method: "GET",
    path: exactly(ApiPaths.codeSigningConfigFunctions(SEGMENT)),
    operation: "ListFunctionsByCodeSigningConfig",
    handle: async (api, { params, query }) => json(200, await codeSigningOf(api).listFunctions(params[0]!, listOptions(query))),
  },
  {
    method: "GET",
    path: exactly(ApiPaths.codeSigningConfig(SEGMENT)),
    operation: "GetCodeSigningConfig",
    handle: async (api, { params }) => json(200, await codeSigningOf(api).get(params[0]!)),
  },
  {
    method: "PUT",
    path: exactly(ApiPaths.codeSigningConfig(SEGMENT)),
    operation: "UpdateCodeSigningConfig",
    handle: async (api, { request, params }) => json(200, await codeSigningOf(api).update(params[0]!, await smallBody(request))),
  },
  {
    method: "DELETE",
    path: exactly(ApiPaths.codeSigningConfig(SEGMENT)),
    operation: "DeleteCodeSigningConfig",
    async handle(api, { params }) {
      await codeSigningOf(api).delete(params[0]!);
      return json(204);
    },
  },
];

// Lambda's layer calls in the REST table (routes.ts): publish, read, list and delete layer versions, and
// their permission policies.
import { LambdaError, serviceError } from "@lambent/errors";
import { ApiPaths } from "@lambent/lambda-api";
import type { FrontendApi } from "../api.js";
import type { LayerFilters, LayerOperations } from "../control-plane/layers.js";
import type { ListOptions } from "../control-plane/pagination.js";
import { parseJsonBody, readBody } from "./body.js";
import { SEGMENT, exactly, withOptionalSlash, type Route, type RouteResult } from "./api-route.js";

/** A layer's zip travels in base64 in the body, up to Lambda's 50 MB zipped. */
const PUBLISH_BODY_LIMIT = 70 * 1024 * 1024;
/** A permission is a few fields. */
const POLICY_BODY_LIMIT = 256 * 1024;

const json = (status: number, body?: unknown): RouteResult => ({ kind: "json", status, body });

async function body(request: Parameters<Route["handle"]>[1]["request"], limit: number): Promise<unknown> {
  return parseJsonBody(await readBody(request, limit, () => new LambdaError("RequestTooLargeException", `Request must be smaller than ${limit} bytes`)));
}

function layersOf(api: FrontendApi): LayerOperations {
  if (!api.layers) throw serviceError("Layer calls are not available on this frontend");
  return api.layers;
}

function listOptions(query: URLSearchParams): ListOptions & LayerFilters {
  const options: ListOptions & LayerFilters = {};
  const marker = query.get("Marker");
  if (marker !== null) options.marker = marker;
  const maxItems = query.get("MaxItems");
  if (maxItems !== null) options.maxItems = maxItems;
  const runtime = query.get("CompatibleRuntime");
  if (runtime !== null) options.compatibleRuntime = runtime;
  const architecture = query.get("CompatibleArchitecture");
  if (architecture !== null) options.compatibleArchitecture = architecture;
  return options;
}

export const layerRoutes: Route[] = [
  {
    method: "GET",
    path: withOptionalSlash(ApiPaths.layers),
    // `?find=LayerVersion&Arn=` makes the same path GetLayerVersionByArn, as in Lambda.
    operation: "ListLayers | GetLayerVersionByArn",
    async handle(api, { query }) {
      if (query.get("find") === "LayerVersion") return json(200, await layersOf(api).getByArn(query.get("Arn") ?? undefined));
      return json(200, await layersOf(api).list(listOptions(query)));
    },
  },
  {
    method: "POST",
    path: exactly(ApiPaths.layerVersions(SEGMENT)),
    operation: "PublishLayerVersion",
    handle: async (api, { request, params }) => json(201, await layersOf(api).publish(params[0]!, await body(request, PUBLISH_BODY_LIMIT))),
  },
  {
    method: "GET",
    path: withOptionalSlash(ApiPaths.layerVersions(SEGMENT)),
    operation: "ListLayerVersions",
    handle: async (api, { params, query }) => json(200, await layersOf(api).listVersions(params[0]!, listOptions(query))),
  },
  {
    method: "GET",
    path: exactly(ApiPaths.layerVersion(SEGMENT, SEGMENT)),
    operation: "GetLayerVersion",
    handle: async (api, { params }) => json(200, await layersOf(api).get(params[0]!, params[1]!)),
  },
  {
    method: "DELETE",
    path: exactly(ApiPaths.layerVersion(SEGMENT, SEGMENT)),
    operation: "DeleteLayerVersion",
    async handle(api, { params }) {
      await layersOf(api).delete(params[0]!, params[1]!);
      return json(204);
    },
  },
  {
    method: "POST",
    path: exactly(ApiPaths.layerVersionPolicy(SEGMENT, SEGMENT)),
    operation: "AddLayerVersionPermission",
    handle: async (api, { request, params, query }) =>
      json(201, await layersOf(api).addPermission(params[0]!, params[1]!, await body(request, POLICY_BODY_LIMIT), query.get("RevisionId") ?? undefined)),
  },
  {
    method: "GET",
    path: exactly(ApiPaths.layerVersionPolicy(SEGMENT, SEGMENT)),
    operation: "GetLayerVersionPolicy",
    handle: async (api, { params }) => json(200, await layersOf(api).getPolicy(params[0]!, params[1]!)),
  },
  {
    method: "DELETE",
    path: exactly(ApiPaths.layerVersionPolicyStatement(SEGMENT, SEGMENT, SEGMENT)),
    operation: "RemoveLayerVersionPermission",
    async handle(api, { params, query }) {
      await layersOf(api).removePermission(params[0]!, params[1]!, params[2]!, query.get("RevisionId") ?? undefined);
      return json(204);
    },
  },
];

// Lambda's event source mapping operations in the REST table (routes.ts): the paths, query parameters
// and status codes (Create, Update and Delete answer 202) the AWS SDK and CLI use.
import { LambdaError } from "@lambent/errors";
import { ApiPaths } from "@lambent/lambda-api";
import { eventSourceMappingsOf } from "../control-plane/event-source-mappings.js";
import { parseJsonBody, readBody } from "./body.js";
import { SEGMENT, exactly, withOptionalSlash, type Route } from "./api-route.js";

/** A mapping's settings are small; anything larger is not one. */
const BODY_LIMIT = 256 * 1024;

const body = async (request: Parameters<Route["handle"]>[1]["request"]): Promise<unknown> =>
  parseJsonBody(await readBody(request, BODY_LIMIT, () => new LambdaError("RequestTooLargeException", `Request must be smaller than ${BODY_LIMIT} bytes`)));

const query = (params: URLSearchParams, name: string): string | undefined => params.get(name) ?? undefined;

export const eventSourceMappingRoutes: Route[] = [
  {
    method: "POST",
    path: withOptionalSlash(ApiPaths.eventSourceMappings),
    operation: "CreateEventSourceMapping",
    handle: async (api, { request }) => ({ kind: "json", status: 202, body: await eventSourceMappingsOf(api).create(await body(request)) }),
  },
  {
    method: "GET",
    path: withOptionalSlash(ApiPaths.eventSourceMappings),
    operation: "ListEventSourceMappings",
    handle: async (api, { query: params }) => {
      const options = {
        functionName: query(params, "FunctionName"),
        eventSourceArn: query(params, "EventSourceArn"),
        marker: query(params, "Marker"),
        maxItems: query(params, "MaxItems"),
      };
      return { kind: "json", status: 200, body: await eventSourceMappingsOf(api).list(options) };
    },
  },
  {
    method: "GET",
    path: exactly(ApiPaths.eventSourceMapping(SEGMENT)),
    operation: "GetEventSourceMapping",
    handle: async (api, { params }) => ({ kind: "json", status: 200, body: await eventSourceMappingsOf(api).get(params[0]!) }),
  },
  {
    method: "PUT",
    path: exactly(ApiPaths.eventSourceMapping(SEGMENT)),
    operation: "UpdateEventSourceMapping",
    handle: async (api, { request, params }) => ({ kind: "json", status: 202, body: await eventSourceMappingsOf(api).update(params[0]!, await body(request)) }),
  },
  {
    method: "DELETE",
    path: exactly(ApiPaths.eventSourceMapping(SEGMENT)),
    operation: "DeleteEventSourceMapping",
    handle: async (api, { params }) => ({ kind: "json", status: 202, body: await eventSourceMappingsOf(api).delete(params[0]!) }),
  },
];

// Lambent's trigger operations in the REST table (routes.ts): beside Lambda's, dated like them.
import type { IncomingMessage } from "node:http";
import { LambdaError } from "@lambent/errors";
import { ApiPaths } from "@lambent/lambda-api";
import { triggersOf } from "../control-plane/triggers.js";
import { parseJsonBody, readBody } from "./body.js";
import { SEGMENT, exactly, withOptionalSlash, type Route } from "./api-route.js";

/** A trigger's body is small: its largest field is a schedule's 8 KB input. */
const TRIGGER_BODY_LIMIT = 64 * 1024;

async function triggerBody(request: IncomingMessage): Promise<unknown> {
  const body = await readBody(request, TRIGGER_BODY_LIMIT, () => new LambdaError("RequestTooLargeException", `Request must be smaller than ${TRIGGER_BODY_LIMIT} bytes`));
  return parseJsonBody(body);
}

export const triggerRoutes: Route[] = [
  {
    method: "POST",
    path: withOptionalSlash(ApiPaths.triggers),
    operation: "CreateTrigger",
    handle: async (api, { request }) => ({ kind: "json", status: 201, body: await triggersOf(api).create(await triggerBody(request)) }),
  },
  {
    method: "GET",
    path: withOptionalSlash(ApiPaths.triggers),
    operation: "ListTriggers",
    handle: async (api, { query }) => ({
      kind: "json",
      status: 200,
      body: await triggersOf(api).list(query.get("FunctionName") || undefined, {
        marker: query.get("Marker") ?? undefined,
        maxItems: query.get("MaxItems") ?? undefined,
      }),
    }),
  },
  {
    method: "GET",
    path: exactly(ApiPaths.trigger(SEGMENT)),
    operation: "GetTrigger",
    handle: async (api, { params }) => ({ kind: "json", status: 200, body: await triggersOf(api).get(params[0]!) }),
  },
  {
    method: "PUT",
    path: exactly(ApiPaths.trigger(SEGMENT)),
    operation: "UpdateTrigger",
    handle: async (api, { request, params }) => ({ kind: "json", status: 200, body: await triggersOf(api).update(params[0]!, await triggerBody(request)) }),
  },
  {
    method: "DELETE",
    path: exactly(ApiPaths.trigger(SEGMENT)),
    operation: "DeleteTrigger",
    handle: async (api, { params }) => {
      await triggersOf(api).delete(params[0]!);
      return { kind: "json", status: 204 };
    },
  },
];

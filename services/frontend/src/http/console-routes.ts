// Lambent's calls the web console needs beside Lambda's, in the REST table (routes.ts): saved test events
// (ListTestEvents, PutTestEvent, DeleteTestEvent), the dead-letter queue (ListDeadLetters,
// RedriveDeadLetters), and the functions list's page with its counts and its rows' sparklines
// (SearchFunctions), the sparklines refreshed in one call (GetFunctionsMetrics).
import type { IncomingMessage } from "node:http";
import { LambdaError } from "@lambent/errors";
import { ApiPaths } from "@lambent/lambda-api";
import { deadLettersOf } from "../control-plane/dead-letters.js";
import { metricsOf } from "../control-plane/metrics-history.js";
import { testEventsOf } from "../control-plane/test-events.js";
import { SEGMENT, exactly, withOptionalSlash, type Route } from "./api-route.js";
import { parseJsonBody, readBody } from "./body.js";

/** A test event is at most 256 KB of JSON text, sent inside a JSON string. */
const BODY_LIMIT = 1024 * 1024;

async function jsonBody(request: IncomingMessage): Promise<unknown> {
  const body = await readBody(request, BODY_LIMIT, () => new LambdaError("RequestTooLargeException", `Request must be smaller than ${BODY_LIMIT} bytes`));
  return parseJsonBody(body);
}

export const consoleRoutes: Route[] = [
  {
    method: "GET",
    path: exactly(ApiPaths.searchFunctions),
    operation: "SearchFunctions",
    async handle(api, { query }) {
      const page = await api.controlPlane.searchFunctions({ search: query.get("Search") ?? undefined, offset: query.get("Offset") ?? undefined, maxItems: query.get("MaxItems") ?? undefined });
      // With MetricsSince the page's sparklines come with it, from a frontend that keeps the metrics history.
      const metricsSince = query.get("MetricsSince");
      const metrics = metricsSince === null || !api.metrics ? undefined : await api.metrics.ofPage(page.Functions.map((fn) => fn.FunctionName), metricsSince);
      return { kind: "json", status: 200, body: metrics ? { ...page, Metrics: metrics } : page };
    },
  },
  {
    method: "GET",
    path: exactly(ApiPaths.metrics),
    operation: "GetFunctionsMetrics",
    handle: async (api, { query }) => ({
      kind: "json",
      status: 200,
      body: await metricsOf(api).getMany({ functionNames: query.get("FunctionNames") ?? undefined, since: query.get("since") ?? undefined }),
    }),
  },
  {
    method: "GET",
    path: withOptionalSlash(ApiPaths.testEvents(SEGMENT)),
    operation: "ListTestEvents",
    handle: async (api, { params }) => ({ kind: "json", status: 200, body: await testEventsOf(api).list(params[0]!) }),
  },
  {
    method: "PUT",
    path: exactly(ApiPaths.testEvent(SEGMENT, SEGMENT)),
    operation: "PutTestEvent",
    handle: async (api, { params, request }) => ({ kind: "json", status: 200, body: await testEventsOf(api).put(params[0]!, params[1]!, await jsonBody(request)) }),
  },
  {
    method: "DELETE",
    path: exactly(ApiPaths.testEvent(SEGMENT, SEGMENT)),
    operation: "DeleteTestEvent",
    async handle(api, { params }) {
      await testEventsOf(api).delete(params[0]!, params[1]!);
      return { kind: "json", status: 204 };
    },
  },
  {
    method: "GET",
    path: withOptionalSlash(ApiPaths.deadLetters(SEGMENT)),
    operation: "ListDeadLetters",
    handle: async (api, { params }) => ({ kind: "json", status: 200, body: await deadLettersOf(api).list(params[0]!) }),
  },
  {
    method: "POST",
    path: exactly(ApiPaths.deadLetterRedrive(SEGMENT)),
    operation: "RedriveDeadLetters",
    handle: async (api, { params, request }) => ({ kind: "json", status: 200, body: await deadLettersOf(api).redrive(params[0]!, await jsonBody(request)) }),
  },
];

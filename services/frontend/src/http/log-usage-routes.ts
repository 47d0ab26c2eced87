// Lambent's log, metrics history and usage operations in the REST table (routes.ts): beside Lambda's, dated like them.
import { invalidParameter } from "@lambent/errors";
import { ApiPaths, type UsagePeriodQuery } from "@lambent/lambda-api";
import { logsOf } from "../control-plane/logs.js";
import { metricsOf } from "../control-plane/metrics-history.js";
import { usageOf } from "../control-plane/usage.js";
import { SEGMENT, exactly, withOptionalSlash, type Route } from "./api-route.js";

export const logAndUsageRoutes: Route[] = [
  {
    method: "GET",
    path: exactly(ApiPaths.logs(SEGMENT)),
    // `follow=true` streams NDJSON lines until the client disconnects; otherwise one JSON answer.
    operation: "GetLogs",
    async handle(api, { params, query }) {
      const request = {
        functionName: params[0]!,
        since: query.get("since") ?? undefined,
        requestId: query.get("requestId") ?? undefined,
        limit: query.get("limit") ?? undefined,
      };
      const follow = query.get("follow");
      if (follow !== null && follow !== "true" && follow !== "false") throw invalidParameter(`follow must be true or false, got '${follow}'`);
      if (follow === "true") return { kind: "ndjson", open: await logsOf(api).follow(request) };
      return { kind: "json", status: 200, body: await logsOf(api).get(request) };
    },
  },
  {
    method: "GET",
    path: exactly(ApiPaths.functionMetrics(SEGMENT)),
    operation: "GetFunctionMetrics",
    handle: async (api, { params, query }) => ({
      kind: "json",
      status: 200,
      body: await metricsOf(api).get({
        functionName: params[0]!,
        since: query.get("since") ?? undefined,
        qualifier: query.get("Qualifier") ?? undefined,
        executedVersion: query.get("ExecutedVersion") ?? undefined,
      }),
    }),
  },
  {
    method: "GET",
    path: withOptionalSlash(ApiPaths.usage),
    operation: "GetUsage",
    handle: async (api, { query }) => ({ kind: "json", status: 200, body: await usageOf(api).all(periodQuery(query)) }),
  },
  {
    method: "GET",
    path: exactly(ApiPaths.functionUsage(SEGMENT)),
    operation: "GetFunctionUsage",
    handle: async (api, { params, query }) => ({ kind: "json", status: 200, body: await usageOf(api).ofFunction(params[0]!, periodQuery(query)) }),
  },
];

/** `?start=&end=` of the usage calls. */
function periodQuery(query: URLSearchParams): UsagePeriodQuery {
  return { Start: query.get("start") ?? undefined, End: query.get("end") ?? undefined };
}

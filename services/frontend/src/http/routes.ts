// The AWS Lambda REST API, one table: method + path → operation. Paths and status codes are Lambda's.
import type { IncomingMessage } from "node:http";
import { LambdaError, invalidParameter } from "@lambent/errors";
import { InvocationTypes, LogTypes, payloadLimit, requestTooLarge, type InvocationType, type LogType } from "@lambent/protocol";
import type { ListOptions } from "../control-plane/pagination.js";
import { parseJsonBody, readBody } from "./body.js";
import type { Route, RouteResult } from "./api-route.js";
import { logAndUsageRoutes } from "./log-usage-routes.js";
import { routeControlRoutes } from "./route-control.js";
import { triggerRoutes } from "./trigger-routes.js";
import { eventSourceMappingRoutes } from "./event-source-mapping-routes.js";

/** CreateFunction carries a base64 zip of up to 50 MB, so control-plane bodies may be large. */
const CONTROL_BODY_LIMIT = 70 * 1024 * 1024;

const json = (status: number, body?: unknown): RouteResult => ({ kind: "json", status, body });

async function controlBody(request: IncomingMessage): Promise<unknown> {
  const body = await readBody(
    request,
    CONTROL_BODY_LIMIT,
    () => new LambdaError("RequestTooLargeException", `Request must be smaller than ${CONTROL_BODY_LIMIT} bytes`),
  );
  return parseJsonBody(body);
}

const qualifierOf = (query: URLSearchParams): string | undefined => query.get("Qualifier") ?? undefined;

const FUNCTION = "/2015-03-31/functions/([^/]+)";
/** Lambda dates each API by the version that introduced it; the concurrency calls live under three. */
const CONCURRENCY_2017 = "/2017-10-31/functions/([^/]+)/concurrency";
const CONCURRENCY_2019 = "/2019-09-30/functions/([^/]+)/concurrency";
const PROVISIONED = "/2019-09-30/functions/([^/]+)/provisioned-concurrency";
const EVENT_INVOKE_CONFIG = "/2019-09-25/functions/([^/]+)/event-invoke-config";
const FUNCTION_URL_CONFIG = "/2021-10-31/functions/([^/]+)/url";
/** Lambent's own operations live beside Lambda's, dated the same way. */
const QUEUE = "/lambent/2024-01-01/functions/([^/]+)/queue";

export const routes: Route[] = [
  {
    method: "POST",
    path: new RegExp(`^${FUNCTION}/invocations$`),
    operation: "Invoke",
    async handle(api, { request, params, query }) {
      const invocationType = headerChoice(request, "x-amz-invocation-type", InvocationTypes, "RequestResponse");
      const logType = headerChoice(request, "x-amz-log-type", LogTypes, "None");
      const limit = payloadLimit(invocationType);
      const payload = await readBody(request, limit, () => requestTooLarge(limit));
      const clientContext = request.headers["x-amz-client-context"];
      const output = await api.invoker.invoke({
        functionName: params[0]!,
        ...optional("qualifier", qualifierOf(query)),
        payload,
        invocationType,
        logType,
        ...optional("clientContext", typeof clientContext === "string" ? clientContext : undefined),
      });
      return { kind: "invoke", output };
    },
  },
  {
    method: "POST",
    path: /^\/2015-03-31\/functions\/?$/,
    operation: "CreateFunction",
    handle: async (api, { request }) => json(201, await api.controlPlane.createFunction(await controlBody(request))),
  },
  {
    method: "GET",
    path: /^\/2015-03-31\/functions\/?$/,
    operation: "ListFunctions",
    handle: async (api, { query }) =>
      json(200, await api.controlPlane.listFunctions(listOptions(query))),
  },
  {
    method: "GET",
    path: new RegExp(`^${FUNCTION}/configuration$`),
    operation: "GetFunctionConfiguration",
    handle: async (api, { params, query }) =>
      json(200, await api.controlPlane.getFunctionConfiguration(params[0]!, qualifierOf(query))),
  },
  {
    method: "PUT",
    path: new RegExp(`^${FUNCTION}/configuration$`),
    operation: "UpdateFunctionConfiguration",
    handle: async (api, { request, params }) =>
      json(200, await api.controlPlane.updateFunctionConfiguration(params[0]!, await controlBody(request))),
  },
  {
    method: "PUT",
    path: new RegExp(`^${FUNCTION}/code$`),
    operation: "UpdateFunctionCode",
    handle: async (api, { request, params }) =>
      json(200, await api.controlPlane.updateFunctionCode(params[0]!, await controlBody(request))),
  },
  {
    method: "GET",
    path: new RegExp(`^${FUNCTION}/?$`),
    operation: "GetFunction",
    handle: async (api, { params, query }) => json(200, await api.controlPlane.getFunction(params[0]!, qualifierOf(query))),
  },
  {
    method: "DELETE",
    path: new RegExp(`^${FUNCTION}/?$`),
    operation: "DeleteFunction",
    handle: async (api, { params, query }) => {
      await api.controlPlane.deleteFunction(params[0]!, qualifierOf(query));
      return json(204);
    },
  },
  {
    method: "POST",
    path: new RegExp(`^${FUNCTION}/versions$`),
    operation: "PublishVersion",
    handle: async (api, { request, params }) => json(201, await api.controlPlane.publishVersion(params[0]!, await controlBody(request))),
  },
  {
    method: "GET",
    path: new RegExp(`^${FUNCTION}/versions$`),
    operation: "ListVersionsByFunction",
    handle: async (api, { params, query }) => json(200, await api.controlPlane.listVersionsByFunction(params[0]!, listOptions(query))),
  },
  {
    method: "POST",
    path: new RegExp(`^${FUNCTION}/aliases$`),
    operation: "CreateAlias",
    handle: async (api, { request, params }) => json(201, await api.controlPlane.createAlias(params[0]!, await controlBody(request))),
  },
  {
    method: "GET",
    path: new RegExp(`^${FUNCTION}/aliases$`),
    operation: "ListAliases",
    handle: async (api, { params, query }) =>
      json(
        200,
        await api.controlPlane.listAliases(params[0]!, {
          ...listOptions(query),
          ...optional("functionVersion", query.get("FunctionVersion") ?? undefined),
        }),
      ),
  },
  {
    method: "GET",
    path: new RegExp(`^${FUNCTION}/aliases/([^/]+)$`),
    operation: "GetAlias",
    handle: async (api, { params }) => json(200, await api.controlPlane.getAlias(params[0]!, params[1]!)),
  },
  {
    method: "PUT",
    path: new RegExp(`^${FUNCTION}/aliases/([^/]+)$`),
    operation: "UpdateAlias",
    handle: async (api, { request, params }) =>
      json(200, await api.controlPlane.updateAlias(params[0]!, params[1]!, await controlBody(request))),
  },
  {
    method: "DELETE",
    path: new RegExp(`^${FUNCTION}/aliases/([^/]+)$`),
    operation: "DeleteAlias",
    handle: async (api, { params }) => {
      await api.controlPlane.deleteAlias(params[0]!, params[1]!);
      return json(204);
    },
  },
  {
    method: "GET",
    path: /^\/2016-08-19\/account-settings\/?$/,
    operation: "GetAccountSettings",
    handle: async (api) => json(200, await api.controlPlane.getAccountSettings()),
  },
  {
    method: "PUT",
    path: new RegExp(`^${CONCURRENCY_2017}$`),
    operation: "PutFunctionConcurrency",
    handle: async (api, { request, params }) => json(200, await api.controlPlane.putFunctionConcurrency(params[0]!, await controlBody(request))),
  },
  {
    method: "GET",
    path: new RegExp(`^${CONCURRENCY_2019}$`),
    operation: "GetFunctionConcurrency",
    handle: async (api, { params }) => json(200, await api.controlPlane.getFunctionConcurrency(params[0]!)),
  },
  {
    method: "DELETE",
    path: new RegExp(`^${CONCURRENCY_2017}$`),
    operation: "DeleteFunctionConcurrency",
    handle: async (api, { params }) => {
      await api.controlPlane.deleteFunctionConcurrency(params[0]!);
      return json(204);
    },
  },
  {
    method: "PUT",
    path: new RegExp(`^${PROVISIONED}$`),
    operation: "PutProvisionedConcurrencyConfig",
    handle: async (api, { request, params, query }) =>
      json(202, await api.controlPlane.putProvisionedConcurrencyConfig(params[0]!, qualifierOf(query), await controlBody(request))),
  },
  {
    method: "GET",
    path: new RegExp(`^${PROVISIONED}$`),
    // `?List=ALL` makes the same path ListProvisionedConcurrencyConfigs, as in Lambda.
    operation: "GetProvisionedConcurrencyConfig | ListProvisionedConcurrencyConfigs",
    handle: async (api, { params, query }) => {
      const list = query.get("List");
      if (list === null) return json(200, await api.controlPlane.getProvisionedConcurrencyConfig(params[0]!, qualifierOf(query)));
      if (list !== "ALL") throw invalidParameter(`List must be ALL, got '${list}'`);
      return json(200, await api.controlPlane.listProvisionedConcurrencyConfigs(params[0]!, listOptions(query)));
    },
  },
  {
    method: "DELETE",
    path: new RegExp(`^${PROVISIONED}$`),
    operation: "DeleteProvisionedConcurrencyConfig",
    handle: async (api, { params, query }) => {
      await api.controlPlane.deleteProvisionedConcurrencyConfig(params[0]!, qualifierOf(query));
      return json(204);
    },
  },
  {
    method: "PUT",
    path: new RegExp(`^${EVENT_INVOKE_CONFIG}$`),
    operation: "PutFunctionEventInvokeConfig",
    handle: async (api, { request, params, query }) =>
      json(200, await api.controlPlane.putFunctionEventInvokeConfig(params[0]!, qualifierOf(query), await controlBody(request))),
  },
  {
    method: "POST",
    path: new RegExp(`^${EVENT_INVOKE_CONFIG}$`),
    operation: "UpdateFunctionEventInvokeConfig",
    handle: async (api, { request, params, query }) =>
      json(200, await api.controlPlane.updateFunctionEventInvokeConfig(params[0]!, qualifierOf(query), await controlBody(request))),
  },
  {
    method: "GET",
    path: new RegExp(`^${EVENT_INVOKE_CONFIG}$`),
    operation: "GetFunctionEventInvokeConfig",
    handle: async (api, { params, query }) => json(200, await api.controlPlane.getFunctionEventInvokeConfig(params[0]!, qualifierOf(query))),
  },
  {
    method: "DELETE",
    path: new RegExp(`^${EVENT_INVOKE_CONFIG}$`),
    operation: "DeleteFunctionEventInvokeConfig",
    handle: async (api, { params, query }) => {
      await api.controlPlane.deleteFunctionEventInvokeConfig(params[0]!, qualifierOf(query));
      return json(204);
    },
  },
  {
    method: "GET",
    path: new RegExp(`^${EVENT_INVOKE_CONFIG}/list$`),
    operation: "ListFunctionEventInvokeConfigs",
    handle: async (api, { params, query }) => json(200, await api.controlPlane.listFunctionEventInvokeConfigs(params[0]!, listOptions(query))),
  },
  {
    method: "POST",
    path: new RegExp(`^${FUNCTION_URL_CONFIG}$`),
    operation: "CreateFunctionUrlConfig",
    handle: async (api, { request, params, query }) =>
      json(201, await api.controlPlane.createFunctionUrlConfig(params[0]!, qualifierOf(query), await controlBody(request))),
  },
  {
    method: "GET",
    path: new RegExp(`^${FUNCTION_URL_CONFIG}$`),
    operation: "GetFunctionUrlConfig",
    handle: async (api, { params, query }) => json(200, await api.controlPlane.getFunctionUrlConfig(params[0]!, qualifierOf(query))),
  },
  {
    method: "PUT",
    path: new RegExp(`^${FUNCTION_URL_CONFIG}$`),
    operation: "UpdateFunctionUrlConfig",
    handle: async (api, { request, params, query }) =>
      json(200, await api.controlPlane.updateFunctionUrlConfig(params[0]!, qualifierOf(query), await controlBody(request))),
  },
  {
    method: "DELETE",
    path: new RegExp(`^${FUNCTION_URL_CONFIG}$`),
    operation: "DeleteFunctionUrlConfig",
    handle: async (api, { params, query }) => {
      await api.controlPlane.deleteFunctionUrlConfig(params[0]!, qualifierOf(query));
      return json(204);
    },
  },
  {
    method: "GET",
    path: new RegExp(`^${QUEUE}$`),
    operation: "GetQueueStats",
    handle: async (api, { params }) => json(200, await api.controlPlane.getQueueStats(params[0]!)),
  },
  ...logAndUsageRoutes,
  ...routeControlRoutes,
  ...triggerRoutes,
  ...eventSourceMappingRoutes,
];

function listOptions(query: URLSearchParams): ListOptions {
  return { ...optional("marker", query.get("Marker") ?? undefined), ...optional("maxItems", query.get("MaxItems") ?? undefined) };
}

function headerChoice<T extends string>(request: IncomingMessage, name: string, allowed: readonly T[], fallback: T): T {
  const value = request.headers[name];
  if (value === undefined || value === "") return fallback;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw invalidParameter(`${name} must be one of ${allowed.join(", ")}`);
}

/** Spreads `{key: value}` only when the value is defined, for optional fields. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

export type { InvocationType, LogType };

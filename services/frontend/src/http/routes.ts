// The AWS Lambda REST API, one table: method + path → operation. Paths and status codes are Lambda's.
import type { IncomingMessage } from "node:http";
import { LambdaError, invalidParameter, validationError } from "@lambent/errors";
import { validateShape, violationsMessage } from "@lambent/lambda-model";
import { ApiPaths } from "@lambent/lambda-api";
import { InvocationTypes, LogTypes, payloadLimit, requestTooLarge, type InvocationType, type LogType } from "@lambent/protocol";
import type { ListOptions } from "../control-plane/pagination.js";
import { parseJsonBody, readBody } from "./body.js";
import { SEGMENT, exactly, withOptionalSlash, type Route, type RouteResult } from "./api-route.js";
import { logAndUsageRoutes } from "./log-usage-routes.js";
import { consoleRoutes } from "./console-routes.js";
import { roleCredentialRoutes } from "./role-credential-routes.js";
import { accessKeyRoutes } from "./access-key-routes.js";
import { routeControlRoutes } from "./route-control.js";
import { triggerRoutes } from "./trigger-routes.js";
import { applicationRoutes } from "./application-routes.js";
import { applicationDeployRoutes } from "./application-deploy-routes.js";
import { eventSourceMappingRoutes } from "./event-source-mapping-routes.js";
import { functionResourceRoutes } from "./function-resource-routes.js";
import { eventStreamConsumer, invokeCompleteEvent } from "./event-stream.js";
import { layerRoutes } from "./layer-routes.js";

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

export const routes: Route[] = [
  {
    method: "POST",
    path: exactly(ApiPaths.invocations(SEGMENT)),
    operation: "Invoke",
    async handle(api, { request, params, query, span }) {
      const invocationType = headerChoice(request, "x-amz-invocation-type", InvocationTypes, "RequestResponse", "InvocationType");
      const logType = headerChoice(request, "x-amz-log-type", LogTypes, "None", "LogType");
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
        ...optional("span", span),
      });
      return { kind: "invoke", output };
    },
  },
  {
    method: "POST",
    path: exactly(ApiPaths.responseStreamingInvocations(SEGMENT)),
    operation: "InvokeWithResponseStream",
    async handle(api, { request, response, params, query, span }) {
      const invocationType = headerChoice(request, "x-amz-invocation-type", ["RequestResponse", "DryRun"] as const, "RequestResponse", "ResponseStreamingInvocationType");
      const logType = headerChoice(request, "x-amz-log-type", LogTypes, "None", "LogType");
      const limit = payloadLimit("RequestResponse");
      const payload = await readBody(request, limit, () => requestTooLarge(limit));
      const clientContext = request.headers["x-amz-client-context"];
      const input = {
        functionName: params[0]!,
        ...optional("qualifier", qualifierOf(query)),
        payload,
        logType,
        ...optional("clientContext", typeof clientContext === "string" ? clientContext : undefined),
        ...optional("span", span),
      };
      if (invocationType === "DryRun") return { kind: "invoke", output: await api.invoker.invoke({ ...input, invocationType }) };
      if (!api.invoker.invokeStream) throw new LambdaError("ServiceException", "Response streaming is not available on this frontend");
      const output = await api.invoker.invokeStream(input, eventStreamConsumer(response));
      response.end(invokeCompleteEvent(output));
      return { kind: "written" };
    },
  },
  {
    method: "POST",
    path: withOptionalSlash(ApiPaths.functions),
    operation: "CreateFunction",
    handle: async (api, { request }) => json(201, await api.controlPlane.createFunction(await controlBody(request))),
  },
  {
    method: "GET",
    path: withOptionalSlash(ApiPaths.functions),
    operation: "ListFunctions",
    handle: async (api, { query }) =>
      json(
        200,
        await api.controlPlane.listFunctions({
          ...listOptions(query),
          ...optional("functionVersion", query.get("FunctionVersion") ?? undefined),
          ...optional("masterRegion", query.get("MasterRegion") ?? undefined),
        }),
      ),
  },
  {
    method: "GET",
    path: exactly(ApiPaths.functionConfiguration(SEGMENT)),
    operation: "GetFunctionConfiguration",
    handle: async (api, { params, query }) =>
      json(200, await api.controlPlane.getFunctionConfiguration(params[0]!, qualifierOf(query))),
  },
  {
    method: "PUT",
    path: exactly(ApiPaths.functionConfiguration(SEGMENT)),
    operation: "UpdateFunctionConfiguration",
    handle: async (api, { request, params }) =>
      json(200, await api.controlPlane.updateFunctionConfiguration(params[0]!, await controlBody(request))),
  },
  {
    method: "PUT",
    path: exactly(ApiPaths.functionCode(SEGMENT)),
    operation: "UpdateFunctionCode",
    handle: async (api, { request, params }) =>
      json(200, await api.controlPlane.updateFunctionCode(params[0]!, await controlBody(request))),
  },
  {
    method: "GET",
    path: withOptionalSlash(ApiPaths.function(SEGMENT)),
    operation: "GetFunction",
    handle: async (api, { params, query }) => json(200, await api.controlPlane.getFunction(params[0]!, qualifierOf(query))),
  },
  {
    method: "DELETE",
    path: withOptionalSlash(ApiPaths.function(SEGMENT)),
    operation: "DeleteFunction",
    handle: async (api, { params, query }) => {
      await api.controlPlane.deleteFunction(params[0]!, qualifierOf(query));
      return json(204);
    },
  },
  {
    method: "POST",
    path: exactly(ApiPaths.versions(SEGMENT)),
    operation: "PublishVersion",
    handle: async (api, { request, params }) => json(201, await api.controlPlane.publishVersion(params[0]!, await controlBody(request))),
  },
  {
    method: "GET",
    path: exactly(ApiPaths.versions(SEGMENT)),
    operation: "ListVersionsByFunction",
    handle: async (api, { params, query }) => json(200, await api.controlPlane.listVersionsByFunction(params[0]!, listOptions(query))),
  },
  {
    method: "POST",
    path: exactly(ApiPaths.aliases(SEGMENT)),
    operation: "CreateAlias",
    handle: async (api, { request, params }) => json(201, await api.controlPlane.createAlias(params[0]!, await controlBody(request))),
  },
  {
    method: "GET",
    path: exactly(ApiPaths.aliases(SEGMENT)),
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
    path: exactly(ApiPaths.alias(SEGMENT, SEGMENT)),
    operation: "GetAlias",
    handle: async (api, { params }) => json(200, await api.controlPlane.getAlias(params[0]!, params[1]!)),
  },
  {
    method: "PUT",
    path: exactly(ApiPaths.alias(SEGMENT, SEGMENT)),
    operation: "UpdateAlias",
    handle: async (api, { request, params }) =>
      json(200, await api.controlPlane.updateAlias(params[0]!, params[1]!, await controlBody(request))),
  },
  {
    method: "DELETE",
    path: exactly(ApiPaths.alias(SEGMENT, SEGMENT)),
    operation: "DeleteAlias",
    handle: async (api, { params }) => {
      await api.controlPlane.deleteAlias(params[0]!, params[1]!);
      return json(204);
    },
  },
  {
    method: "GET",
    path: withOptionalSlash(ApiPaths.accountSettings),
    operation: "GetAccountSettings",
    handle: async (api) => json(200, await api.controlPlane.getAccountSettings()),
  },
  {
    method: "PUT",
    path: exactly(ApiPaths.reservedConcurrency(SEGMENT)),
    operation: "PutFunctionConcurrency",
    handle: async (api, { request, params }) => json(200, await api.controlPlane.putFunctionConcurrency(params[0]!, await controlBody(request))),
  },
  {
    method: "GET",
    path: exactly(ApiPaths.functionConcurrency(SEGMENT)),
    operation: "GetFunctionConcurrency",
    handle: async (api, { params }) => json(200, await api.controlPlane.getFunctionConcurrency(params[0]!)),
  },
  {
    method: "DELETE",
    path: exactly(ApiPaths.reservedConcurrency(SEGMENT)),
    operation: "DeleteFunctionConcurrency",
    handle: async (api, { params }) => {
      await api.controlPlane.deleteFunctionConcurrency(params[0]!);
      return json(204);
    },
  },
  {
    method: "PUT",
    path: exactly(ApiPaths.provisionedConcurrency(SEGMENT)),
    operation: "PutProvisionedConcurrencyConfig",
    handle: async (api, { request, params, query }) =>
      json(202, await api.controlPlane.putProvisionedConcurrencyConfig(params[0]!, qualifierOf(query), await controlBody(request))),
  },
  {
    method: "GET",
    path: exactly(ApiPaths.provisionedConcurrency(SEGMENT)),
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
    path: exactly(ApiPaths.provisionedConcurrency(SEGMENT)),
    operation: "DeleteProvisionedConcurrencyConfig",
    handle: async (api, { params, query }) => {
      await api.controlPlane.deleteProvisionedConcurrencyConfig(params[0]!, qualifierOf(query));
      return json(204);
    },
  },
  {
    method: "PUT",
    path: exactly(ApiPaths.eventInvokeConfig(SEGMENT)),
    operation: "PutFunctionEventInvokeConfig",
    handle: async (api, { request, params, query }) =>
      json(200, await api.controlPlane.putFunctionEventInvokeConfig(params[0]!, qualifierOf(query), await controlBody(request))),
  },
  {
    method: "POST",
    path: exactly(ApiPaths.eventInvokeConfig(SEGMENT)),
    operation: "UpdateFunctionEventInvokeConfig",
    handle: async (api, { request, params, query }) =>
      json(200, await api.controlPlane.updateFunctionEventInvokeConfig(params[0]!, qualifierOf(query), await controlBody(request))),
  },
  {
    method: "GET",
    path: exactly(ApiPaths.eventInvokeConfig(SEGMENT)),
    operation: "GetFunctionEventInvokeConfig",
    handle: async (api, { params, query }) => json(200, await api.controlPlane.getFunctionEventInvokeConfig(params[0]!, qualifierOf(query))),
  },
  {
    method: "DELETE",
    path: exactly(ApiPaths.eventInvokeConfig(SEGMENT)),
    operation: "DeleteFunctionEventInvokeConfig",
    handle: async (api, { params, query }) => {
      await api.controlPlane.deleteFunctionEventInvokeConfig(params[0]!, qualifierOf(query));
      return json(204);
    },
  },
  {
    method: "GET",
    path: exactly(ApiPaths.eventInvokeConfigList(SEGMENT)),
    operation: "ListFunctionEventInvokeConfigs",
    handle: async (api, { params, query }) => json(200, await api.controlPlane.listFunctionEventInvokeConfigs(params[0]!, listOptions(query))),
  },
  {
    method: "POST",
    path: exactly(ApiPaths.functionUrlConfig(SEGMENT)),
    operation: "CreateFunctionUrlConfig",
    handle: async (api, { request, params, query }) =>
      json(201, await api.controlPlane.createFunctionUrlConfig(params[0]!, qualifierOf(query), await controlBody(request))),
  },
  {
    method: "GET",
    path: exactly(ApiPaths.functionUrlConfig(SEGMENT)),
    operation: "GetFunctionUrlConfig",
    handle: async (api, { params, query }) => json(200, await api.controlPlane.getFunctionUrlConfig(params[0]!, qualifierOf(query))),
  },
  {
    method: "PUT",
    path: exactly(ApiPaths.functionUrlConfig(SEGMENT)),
    operation: "UpdateFunctionUrlConfig",
    handle: async (api, { request, params, query }) =>
      json(200, await api.controlPlane.updateFunctionUrlConfig(params[0]!, qualifierOf(query), await controlBody(request))),
  },
  {
    method: "DELETE",
    path: exactly(ApiPaths.functionUrlConfig(SEGMENT)),
    operation: "DeleteFunctionUrlConfig",
    handle: async (api, { params, query }) => {
      await api.controlPlane.deleteFunctionUrlConfig(params[0]!, qualifierOf(query));
      return json(204);
    },
  },
  {
    method: "GET",
    path: exactly(ApiPaths.functionUrlConfigs(SEGMENT)),
    operation: "ListFunctionUrlConfigs",
    handle: async (api, { params, query }) => json(200, await api.controlPlane.listFunctionUrlConfigs(params[0]!, listOptions(query))),
  },
  {
    method: "GET",
    path: exactly(ApiPaths.queue(SEGMENT)),
    operation: "GetQueueStats",
    handle: async (api, { params }) => json(200, await api.controlPlane.getQueueStats(params[0]!)),
  },
  ...functionResourceRoutes,
  ...layerRoutes,
  ...logAndUsageRoutes,
  ...consoleRoutes,
  ...roleCredentialRoutes,
  ...accessKeyRoutes,
  ...routeControlRoutes,
  ...triggerRoutes,
  ...applicationRoutes,
  ...applicationDeployRoutes,
  ...eventSourceMappingRoutes,
];

function listOptions(query: URLSearchParams): ListOptions {
  return { ...optional("marker", query.get("Marker") ?? undefined), ...optional("maxItems", query.get("MaxItems") ?? undefined) };
}

/** A header whose value is one of the model's enum; another value breaks the model's constraint (`shape`). */
function headerChoice<T extends string>(request: IncomingMessage, name: string, allowed: readonly T[], fallback: T, shape: string): T {
  const value = request.headers[name];
  if (value === undefined || value === "") return fallback;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  const path = shape.charAt(0).toLowerCase() + shape.slice(1);
  throw validationError(violationsMessage(validateShape(shape, String(value), path)));
}

/** Spreads `{key: value}` only when the value is defined, for optional fields. */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

export type { InvocationType, LogType };

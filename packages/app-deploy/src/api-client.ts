// A small typed client for the AWS Lambda REST API a Lambent cluster speaks: one function per operation.
// Responses are checked for shape when they arrive; errors become ApiError or EndpointUnreachableError.
// The shapes and paths are the frontend's own (@lambent/lambda-api).
import { signingFetch } from "@lambent/request-signing";
import type {
  AccountSettings,
  AddPermissionRequest,
  AddPermissionResponse,
  GetPolicyResponse,
  LayerVersionResponse,
  ListLayersResponse,
  ListLayerVersionsResponse,
  PublishLayerVersionRequest,
  ListTagsResponse,
  AliasConfiguration,
  CreateAliasRequest,
  CreateFunctionRequest,
  CreateRouteRequest,
  CreateTriggerRequest,
  EventInvokeConfigRequest,
  EventSourceMappingConfiguration,
  EventSourceMappingRequest,
  FunctionConcurrency,
  FunctionConfiguration,
  FunctionEventInvokeConfig,
  FunctionSettings,
  FunctionUrlConfigRequest,
  FunctionUrlConfigResponse,
  GetFunctionResponse,
  GetLogsResponse,
  ListAliasesResponse,
  ListEventSourceMappingsResponse,
  ListFunctionEventInvokeConfigsResponse,
  ListFunctionsResponse,
  ListProvisionedConcurrencyConfigsResponse,
  ListRoutesResponse,
  ListTriggersResponse,
  ListVersionsResponse,
  LogEventResponse,
  ProvisionedConcurrencyConfiguration,
  PublishVersionRequest,
  QueueStatsResponse,
  RouteConfiguration,
  TriggerConfiguration,
  UpdateAliasRequest,
  UpdateTriggerRequest,
  UsageReport,
  UsagePeriodQuery,
  PutRoleCredentialsRequest,
  RoleCredentialsDescription,
  ListRoleCredentialsResponse,
  AccessKeyDescription,
  ClusterDescription,
  RolePolicyDescription,
  ListRolePoliciesResponse,
  CreateAccessKeyRequest,
  CreatedAccessKey,
  ListAccessKeysResponse,
  AcquireApplicationLockRequest,
  AcquireApplicationLockResponse,
  ApplicationLockDescription,
  ApplicationRevisionDescription,
  ListApplicationsResponse,
  UpdateApplicationLockRequest,
} from "@lambent/lambda-api";
import { ApiPaths } from "@lambent/lambda-api";

/** What sends a client's requests for one AWS service's signing name: the signing fetch by default, the frontend's in-process bridge in a route. */
export type FetchOf = (service: "lambda" | "states") => typeof fetch;

/** A name as it goes into a path. */
const segment = encodeURIComponent;

export interface LogsOptions {
  /** `10m`, `2h`, `7d` or an ISO 8601 time. */
  since?: string;
  requestId?: string;
  limit?: number;
}

export interface InvokeRequest {
  functionName: string;
  qualifier?: string;
  payload: Uint8Array | string;
  invocationType?: "RequestResponse" | "Event" | "DryRun";
  logType?: "None" | "Tail";
}

export interface InvokeResponse {
  statusCode: number;
  payload: Uint8Array;
  requestId?: string;
  functionError?: string;
  /** Base64, as Lambda sends it in `X-Amz-Log-Result`. */
  logResult?: string;
  executedVersion?: string;
}

/** The REST API answered with an error status. `type` is Lambda's error type, such as ResourceNotFoundException. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The answer, or undefined when the API says the thing is not there (404). */
export async function getOrUndefined<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** No HTTP answer at all: the endpoint is down, mistyped, or not a Lambent frontend. */
export class EndpointUnreachableError extends Error {
  override readonly name = "EndpointUnreachableError";
  constructor(
    readonly endpoint: string,
    readonly reason: string,
  ) {
    super(`cannot reach Lambent at ${endpoint} (${reason}); set --endpoint or LAMBENT_ENDPOINT`);
  }
}

export interface ApiClient {
  readonly endpoint: string;
  /** How this client sends; the Step Functions client of a deploy sends the same way. */
  readonly fetchOf: FetchOf;
  createFunction(request: CreateFunctionRequest): Promise<FunctionConfiguration>;
  getFunction(functionName: string, qualifier?: string): Promise<GetFunctionResponse>;
  getFunctionConfiguration(functionName: string, qualifier?: string): Promise<FunctionConfiguration>;
  listFunctions(marker?: string): Promise<ListFunctionsResponse>;
  updateFunctionCode(functionName: string, zipFile: string): Promise<FunctionConfiguration>;
  updateFunctionConfiguration(functionName: string, settings: FunctionSettings): Promise<FunctionConfiguration>;
  deleteFunction(functionName: string, qualifier?: string): Promise<void>;
  publishVersion(functionName: string, request?: PublishVersionRequest): Promise<FunctionConfiguration>;
  listVersionsByFunction(functionName: string, marker?: string): Promise<ListVersionsResponse>;
  createAlias(functionName: string, request: CreateAliasRequest): Promise<AliasConfiguration>;
  getAlias(functionName: string, alias: string): Promise<AliasConfiguration>;
  updateAlias(functionName: string, alias: string, request: UpdateAliasRequest): Promise<AliasConfiguration>;
  deleteAlias(functionName: string, alias: string): Promise<void>;
  /** `functionVersion` keeps only the aliases that route to that version. */
  listAliases(functionName: string, options?: { functionVersion?: string; marker?: string }): Promise<ListAliasesResponse>;
  invoke(request: InvokeRequest): Promise<InvokeResponse>;
  getAccountSettings(): Promise<AccountSettings>;
  putFunctionConcurrency(functionName: string, reserved: number): Promise<FunctionConcurrency>;
  getFunctionConcurrency(functionName: string): Promise<FunctionConcurrency>;
  deleteFunctionConcurrency(functionName: string): Promise<void>;
  putProvisionedConcurrencyConfig(functionName: string, qualifier: string, count: number): Promise<ProvisionedConcurrencyConfiguration>;
  getProvisionedConcurrencyConfig(functionName: string, qualifier: string): Promise<ProvisionedConcurrencyConfiguration>;
  deleteProvisionedConcurrencyConfig(functionName: string, qualifier: string): Promise<void>;
  listProvisionedConcurrencyConfigs(functionName: string, marker?: string): Promise<ListProvisionedConcurrencyConfigsResponse>;
  putFunctionEventInvokeConfig(functionName: string, qualifier: string | undefined, request: EventInvokeConfigRequest): Promise<FunctionEventInvokeConfig>;
  updateFunctionEventInvokeConfig(functionName: string, qualifier: string | undefined, request: EventInvokeConfigRequest): Promise<FunctionEventInvokeConfig>;
  getFunctionEventInvokeConfig(functionName: string, qualifier?: string): Promise<FunctionEventInvokeConfig>;
  deleteFunctionEventInvokeConfig(functionName: string, qualifier?: string): Promise<void>;
  listFunctionEventInvokeConfigs(functionName: string, marker?: string): Promise<ListFunctionEventInvokeConfigsResponse>;
  createFunctionUrlConfig(functionName: string, qualifier: string | undefined, request: FunctionUrlConfigRequest): Promise<FunctionUrlConfigResponse>;
  getFunctionUrlConfig(functionName: string, qualifier?: string): Promise<FunctionUrlConfigResponse>;
  updateFunctionUrlConfig(functionName: string, qualifier: string | undefined, request: FunctionUrlConfigRequest): Promise<FunctionUrlConfigResponse>;
  deleteFunctionUrlConfig(functionName: string, qualifier?: string): Promise<void>;
  getQueueStats(functionName: string): Promise<QueueStatsResponse>;
  getLogs(functionName: string, options?: LogsOptions): Promise<GetLogsResponse>;
  /** The lines since `options.since`, then new ones as they come, until `signal` aborts. */
  followLogs(functionName: string, options: LogsOptions, signal: AbortSignal): AsyncIterable<LogEventResponse>;
  /** Every function's usage, or one function's. */
  getUsage(functionName?: string, period?: UsagePeriodQuery): Promise<UsageReport>;
  putRoleCredentials(request: PutRoleCredentialsRequest): Promise<RoleCredentialsDescription>;
  listRoleCredentials(): Promise<ListRoleCredentialsResponse>;
  deleteRoleCredentials(roleArn: string): Promise<void>;
  createAccessKey(request: CreateAccessKeyRequest): Promise<CreatedAccessKey>;
  listAccessKeys(): Promise<ListAccessKeysResponse>;
  putAccessKeyPolicy(accessKeyId: string, policy: unknown): Promise<AccessKeyDescription>;
  deleteAccessKey(accessKeyId: string): Promise<void>;
  putRolePolicy(roleArn: string, policy: unknown): Promise<RolePolicyDescription>;
  listRolePolicies(): Promise<ListRolePoliciesResponse>;
  deleteRolePolicy(roleArn: string): Promise<void>;
  getCluster(): Promise<ClusterDescription>;
  createRoute(request: CreateRouteRequest): Promise<RouteConfiguration>;
  getRoute(routeId: string): Promise<RouteConfiguration>;
  /** One page of routes, all of them or `functionName`'s. */
  listRoutes(options?: { functionName?: string; marker?: string }): Promise<ListRoutesResponse>;
  deleteRoute(routeId: string): Promise<void>;
  createTrigger(request: CreateTriggerRequest): Promise<TriggerConfiguration>;
  getTrigger(name: string): Promise<TriggerConfiguration>;
  /** One page of triggers; `functionName` keeps one function's. */
  listTriggers(options?: { functionName?: string; marker?: string }): Promise<ListTriggersResponse>;
  updateTrigger(name: string, request: UpdateTriggerRequest): Promise<TriggerConfiguration>;
  deleteTrigger(name: string): Promise<void>;
  createEventSourceMapping(request: EventSourceMappingRequest & { FunctionName: string; EventSourceArn: string }): Promise<EventSourceMappingConfiguration>;
  getEventSourceMapping(uuid: string): Promise<EventSourceMappingConfiguration>;
  listEventSourceMappings(options?: { functionName?: string; eventSourceArn?: string; marker?: string }): Promise<ListEventSourceMappingsResponse>;
  updateEventSourceMapping(uuid: string, request: EventSourceMappingRequest & { FunctionName?: string }): Promise<EventSourceMappingConfiguration>;
  deleteEventSourceMapping(uuid: string): Promise<EventSourceMappingConfiguration>;
  /** `resource` is the function's unqualified ARN. */
  tagResource(resource: string, tags: Record<string, string>): Promise<void>;
  untagResource(resource: string, tagKeys: readonly string[]): Promise<void>;
  listTags(resource: string): Promise<ListTagsResponse>;
  addPermission(functionName: string, qualifier: string | undefined, request: AddPermissionRequest): Promise<AddPermissionResponse>;
  removePermission(functionName: string, statementId: string, qualifier?: string): Promise<void>;
  getPolicy(functionName: string, qualifier?: string): Promise<GetPolicyResponse>;
  publishLayerVersion(layerName: string, request: PublishLayerVersionRequest): Promise<LayerVersionResponse>;
  getLayerVersion(layerName: string, version: number): Promise<LayerVersionResponse>;
  /** One page of a layer's versions, newest first. */
  listLayerVersions(layerName: string, marker?: string): Promise<ListLayerVersionsResponse>;
  /** One page of layers, each with its newest version. */
  listLayers(marker?: string): Promise<ListLayersResponse>;
  deleteLayerVersion(layerName: string, version: number): Promise<void>;
  listApplications(): Promise<ListApplicationsResponse>;
  acquireApplicationLock(stackName: string, request: AcquireApplicationLockRequest): Promise<AcquireApplicationLockResponse>;
  getApplicationLock(stackName: string): Promise<ApplicationLockDescription>;
  updateApplicationLock(stackName: string, request: UpdateApplicationLockRequest): Promise<ApplicationLockDescription>;
  releaseApplicationLock(stackName: string, lockId: string): Promise<void>;
  createApplicationRevision(stackName: string, lockId: string, document: Record<string, unknown>): Promise<ApplicationRevisionDescription>;
  listApplicationRevisions(stackName: string): Promise<ApplicationRevisionDescription[]>;
  getApplicationRevision(stackName: string, revision: number): Promise<ApplicationRevisionDescription>;
  /** Forgets the stack's revisions; by the holder of its lock. */
  deleteApplication(stackName: string, lockId: string): Promise<void>;
}

export function createApiClient(endpoint: string, fetchOf: FetchOf = signingFetch): ApiClient {
  const base = endpoint.replace(/\/+$/, "");
  const fetch = fetchOf("lambda");

  async function send(method: string, path: string, query: Record<string, string | undefined>, init: RequestInit = {}): Promise<Response> {
    const url = new URL(base + path);
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value);
    let response: Response;
    try {
      response = await fetch(url, { ...init, method });
    } catch (error) {
      throw new EndpointUnreachableError(base, reasonOf(error));
    }
    if (response.status >= 400) throw await apiErrorOf(response);
    return response;
  }

  async function sendJson(method: string, path: string, query: Record<string, string | undefined>, body?: unknown): Promise<unknown> {
    const init: RequestInit = body === undefined ? {} : { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } };
    const response = await send(method, path, query, init);
    const text = await response.text();
    if (text === "") return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ApiError("InvalidResponse", `expected JSON from ${method} ${path}, got '${text.slice(0, 200)}'`, response.status);
    }
  }

  return {
    endpoint: base,
    fetchOf,
    createFunction: async (request) => asConfiguration(await sendJson("POST", ApiPaths.functions, {}, request), "CreateFunction"),
    getFunction: async (name, qualifier) => asGetFunction(await sendJson("GET", ApiPaths.function(segment(name)), { Qualifier: qualifier })),
    getFunctionConfiguration: async (name, qualifier) =>
      asConfiguration(await sendJson("GET", ApiPaths.functionConfiguration(segment(name)), { Qualifier: qualifier }), "GetFunctionConfiguration"),
    listFunctions: async (marker) => asList(await sendJson("GET", `${ApiPaths.functions}/`, { Marker: marker })),
    updateFunctionCode: async (name, zipFile) =>
      asConfiguration(await sendJson("PUT", ApiPaths.functionCode(segment(name)), {}, { ZipFile: zipFile }), "UpdateFunctionCode"),
    updateFunctionConfiguration: async (name, settings) =>
      asConfiguration(await sendJson("PUT", ApiPaths.functionConfiguration(segment(name)), {}, settings), "UpdateFunctionConfiguration"),
    deleteFunction: async (name, qualifier) => {
      await sendJson("DELETE", ApiPaths.function(segment(name)), { Qualifier: qualifier });
    },
    publishVersion: async (name, request = {}) =>
      asConfiguration(await sendJson("POST", ApiPaths.versions(segment(name)), {}, request), "PublishVersion"),
    listVersionsByFunction: async (name, marker) =>
      asVersionList(await sendJson("GET", ApiPaths.versions(segment(name)), { Marker: marker })),
    createAlias: async (name, request) => asAlias(await sendJson("POST", ApiPaths.aliases(segment(name)), {}, request), "CreateAlias"),
    getAlias: async (name, alias) => asAlias(await sendJson("GET", ApiPaths.alias(segment(name), segment(alias)), {}), "GetAlias"),
    updateAlias: async (name, alias, request) => asAlias(await sendJson("PUT", ApiPaths.alias(segment(name), segment(alias)), {}, request), "UpdateAlias"),
    deleteAlias: async (name, alias) => {
      await sendJson("DELETE", ApiPaths.alias(segment(name), segment(alias)), {});
    },
    listAliases: async (name, options = {}) =>
      asAliasList(await sendJson("GET", ApiPaths.aliases(segment(name)), { FunctionVersion: options.functionVersion, Marker: options.marker })),
    invoke: async (request) => {
      const headers: Record<string, string> = { "Content-Type": "application/json" };
      if (request.invocationType !== undefined) headers["X-Amz-Invocation-Type"] = request.invocationType;
      if (request.logType !== undefined) headers["X-Amz-Log-Type"] = request.logType;
      const response = await send("POST", ApiPaths.invocations(segment(request.functionName)), { Qualifier: request.qualifier }, {
        body: request.payload,
        headers,
      });
      const header = (name: string) => response.headers.get(name) ?? undefined;
      return {
        statusCode: response.status,
        payload: new Uint8Array(await response.arrayBuffer()),
        requestId: header("x-amzn-requestid"),
        functionError: header("x-amz-function-error"),
        logResult: header("x-amz-log-result"),
        executedVersion: header("x-amz-executed-version"),
      };
    },
    getAccountSettings: async () => asAccountSettings(await sendJson("GET", ApiPaths.accountSettings, {})),
    putFunctionConcurrency: async (name, reserved) =>
      asFunctionConcurrency(await sendJson("PUT", ApiPaths.reservedConcurrency(segment(name)), {}, { ReservedConcurrentExecutions: reserved }), "PutFunctionConcurrency"),
    getFunctionConcurrency: async (name) =>
      asFunctionConcurrency(await sendJson("GET", ApiPaths.functionConcurrency(segment(name)), {}), "GetFunctionConcurrency"),
    deleteFunctionConcurrency: async (name) => {
      await sendJson("DELETE", ApiPaths.reservedConcurrency(segment(name)), {});
    },
    putProvisionedConcurrencyConfig: async (name, qualifier, count) =>
      asProvisionedConfig(
        await sendJson("PUT", ApiPaths.provisionedConcurrency(segment(name)), { Qualifier: qualifier }, { ProvisionedConcurrentExecutions: count }),
        "PutProvisionedConcurrencyConfig",
      ),
    getProvisionedConcurrencyConfig: async (name, qualifier) =>
      asProvisionedConfig(await sendJson("GET", ApiPaths.provisionedConcurrency(segment(name)), { Qualifier: qualifier }), "GetProvisionedConcurrencyConfig"),
    deleteProvisionedConcurrencyConfig: async (name, qualifier) => {
      await sendJson("DELETE", ApiPaths.provisionedConcurrency(segment(name)), { Qualifier: qualifier });
    },
    listProvisionedConcurrencyConfigs: async (name, marker) =>
      asProvisionedList(await sendJson("GET", ApiPaths.provisionedConcurrency(segment(name)), { List: "ALL", Marker: marker })),
    putFunctionEventInvokeConfig: async (name, qualifier, request) =>
      asEventInvokeConfig(await sendJson("PUT", ApiPaths.eventInvokeConfig(segment(name)), { Qualifier: qualifier }, request), "PutFunctionEventInvokeConfig"),
    updateFunctionEventInvokeConfig: async (name, qualifier, request) =>
      asEventInvokeConfig(await sendJson("POST", ApiPaths.eventInvokeConfig(segment(name)), { Qualifier: qualifier }, request), "UpdateFunctionEventInvokeConfig"),
    getFunctionEventInvokeConfig: async (name, qualifier) =>
      asEventInvokeConfig(await sendJson("GET", ApiPaths.eventInvokeConfig(segment(name)), { Qualifier: qualifier }), "GetFunctionEventInvokeConfig"),
    deleteFunctionEventInvokeConfig: async (name, qualifier) => {
      await sendJson("DELETE", ApiPaths.eventInvokeConfig(segment(name)), { Qualifier: qualifier });
    },
    listFunctionEventInvokeConfigs: async (name, marker) =>
      asPage<ListFunctionEventInvokeConfigsResponse>(await sendJson("GET", ApiPaths.eventInvokeConfigList(segment(name)), { Marker: marker }), "FunctionEventInvokeConfigs", "ListFunctionEventInvokeConfigs", (item) =>
        asEventInvokeConfig(item, "ListFunctionEventInvokeConfigs"),
      ),
    createFunctionUrlConfig: async (name, qualifier, request) =>
      asFunctionUrlConfig(await sendJson("POST", ApiPaths.functionUrlConfig(segment(name)), { Qualifier: qualifier }, request), "CreateFunctionUrlConfig"),
    getFunctionUrlConfig: async (name, qualifier) =>
      asFunctionUrlConfig(await sendJson("GET", ApiPaths.functionUrlConfig(segment(name)), { Qualifier: qualifier }), "GetFunctionUrlConfig"),
    updateFunctionUrlConfig: async (name, qualifier, request) =>
      asFunctionUrlConfig(await sendJson("PUT", ApiPaths.functionUrlConfig(segment(name)), { Qualifier: qualifier }, request), "UpdateFunctionUrlConfig"),
    deleteFunctionUrlConfig: async (name, qualifier) => {
      await sendJson("DELETE", ApiPaths.functionUrlConfig(segment(name)), { Qualifier: qualifier });
    },
    getQueueStats: async (name) => asQueueStats(await sendJson("GET", ApiPaths.queue(segment(name)), {})),
    getLogs: async (name, options = {}) => asLogs(await sendJson("GET", ApiPaths.logs(segment(name)), logsQuery(options))),
    followLogs: (name, options, signal) => followLogLines(send, ApiPaths.logs(segment(name)), logsQuery(options), signal),
    getUsage: async (name, period = {}) =>
      asUsage(await sendJson("GET", name === undefined ? ApiPaths.usage : ApiPaths.functionUsage(segment(name)), { start: period.Start, end: period.End })),
    putRoleCredentials: async (request) => asRoleCredentials(await sendJson("PUT", ApiPaths.roleCredentials, {}, request), "PutRoleCredentials"),
    listRoleCredentials: async () => {
      const value = await sendJson("GET", ApiPaths.roleCredentials, {});
      if (isRecord(value) && Array.isArray(value.RoleCredentials)) {
        return { RoleCredentials: value.RoleCredentials.map((item: unknown) => asRoleCredentials(item, "ListRoleCredentials")) };
      }
      throw new ApiError("InvalidResponse", "ListRoleCredentials answered without RoleCredentials", 200);
    },
    deleteRoleCredentials: async (roleArn) => {
      await sendJson("DELETE", ApiPaths.roleCredentials, { RoleArn: roleArn });
    },
    createAccessKey: async (request) => {
      const value = await sendJson("POST", ApiPaths.accessKeys, {}, request);
      if (isRecord(value) && typeof value.SecretAccessKey === "string" && typeof value.AccessKeyId === "string") return shaped<CreatedAccessKey>(value);
      throw new ApiError("InvalidResponse", "CreateAccessKey answered without SecretAccessKey", 201);
    },
    listAccessKeys: async () => {
      const value = await sendJson("GET", ApiPaths.accessKeys, {});
      if (isRecord(value) && Array.isArray(value.AccessKeys)) return { AccessKeys: value.AccessKeys.map((item: unknown) => asAccessKey(item, "ListAccessKeys")) };
      throw new ApiError("InvalidResponse", "ListAccessKeys answered without AccessKeys", 200);
    },
    putAccessKeyPolicy: async (accessKeyId, policy) => asAccessKey(await sendJson("PUT", ApiPaths.accessKeyPolicy(segment(accessKeyId)), {}, { Policy: policy }), "PutAccessKeyPolicy"),
    deleteAccessKey: async (accessKeyId) => {
      await sendJson("DELETE", ApiPaths.accessKey(segment(accessKeyId)), {});
    },
    putRolePolicy: async (roleArn, policy) => asRolePolicy(await sendJson("PUT", ApiPaths.rolePolicies, {}, { RoleArn: roleArn, Policy: policy }), "PutRolePolicy"),
    listRolePolicies: async () => {
      const value = await sendJson("GET", ApiPaths.rolePolicies, {});
      if (isRecord(value) && Array.isArray(value.RolePolicies)) return { RolePolicies: value.RolePolicies.map((item: unknown) => asRolePolicy(item, "ListRolePolicies")) };
      throw new ApiError("InvalidResponse", "ListRolePolicies answered without RolePolicies", 200);
    },
    deleteRolePolicy: async (roleArn) => {
      await sendJson("DELETE", ApiPaths.rolePolicies, { RoleArn: roleArn });
    },
    getCluster: async () => {
      const value = await sendJson("GET", ApiPaths.cluster, {});
      if (isRecord(value) && Array.isArray(value.Workers) && Array.isArray(value.Streams) && isRecord(value.Nats)) return shaped<ClusterDescription>(value);
      throw new ApiError("InvalidResponse", "GetCluster answered without Workers, Streams and Nats", 200);
    },
    createRoute: async (request) => asRoute(await sendJson("POST", ApiPaths.routes, {}, request), "CreateRoute"),
    getRoute: async (routeId) => asRoute(await sendJson("GET", ApiPaths.route(segment(routeId)), {}), "GetRoute"),
    listRoutes: async (options = {}) =>
      asPage<ListRoutesResponse>(await sendJson("GET", ApiPaths.routes, { FunctionName: options.functionName, Marker: options.marker }), "Routes", "ListRoutes", (item) =>
        asRoute(item, "ListRoutes"),
      ),
    deleteRoute: async (routeId) => {
      await sendJson("DELETE", ApiPaths.route(segment(routeId)), {});
    },
    createTrigger: async (request) => asTrigger(await sendJson("POST", ApiPaths.triggers, {}, request), "CreateTrigger"),
    getTrigger: async (name) => asTrigger(await sendJson("GET", ApiPaths.trigger(segment(name)), {}), "GetTrigger"),
    listTriggers: async (options = {}) =>
      asPage<ListTriggersResponse>(await sendJson("GET", ApiPaths.triggers, { FunctionName: options.functionName, Marker: options.marker }), "Triggers", "ListTriggers", (item) =>
        asTrigger(item, "ListTriggers"),
      ),
    updateTrigger: async (name, request) => asTrigger(await sendJson("PUT", ApiPaths.trigger(segment(name)), {}, request), "UpdateTrigger"),
    deleteTrigger: async (name) => {
      await sendJson("DELETE", ApiPaths.trigger(segment(name)), {});
    },
    listApplications: async () => {
      const value = await sendJson("GET", ApiPaths.applications, {});
      if (isRecord(value) && Array.isArray(value.Applications)) return shaped<ListApplicationsResponse>(value);
      throw new ApiError("InvalidResponse", "ListApplications answered without Applications", 200);
    },
    acquireApplicationLock: async (stack, request) => {
      const value = await sendJson("PUT", ApiPaths.applicationLock(segment(stack)), {}, request);
      if (isRecord(value) && isRecord(value.Lock)) return { Lock: asApplicationLock(value.Lock, "AcquireApplicationLock"), ...(isRecord(value.AbandonedLock) ? { AbandonedLock: asApplicationLock(value.AbandonedLock, "AcquireApplicationLock") } : {}) };
      throw new ApiError("InvalidResponse", "AcquireApplicationLock answered without a Lock", 201);
    },
    getApplicationLock: async (stack) => asApplicationLock(await sendJson("GET", ApiPaths.applicationLock(segment(stack)), {}), "GetApplicationLock"),
    updateApplicationLock: async (stack, request) => asApplicationLock(await sendJson("POST", ApiPaths.applicationLock(segment(stack)), {}, request), "UpdateApplicationLock"),
    releaseApplicationLock: async (stack, lockId) => {
      await sendJson("DELETE", ApiPaths.applicationLock(segment(stack)), { LockId: lockId });
    },
    createApplicationRevision: async (stack, lockId, document) =>
      asApplicationRevision(await sendJson("POST", ApiPaths.applicationRevisions(segment(stack)), {}, { LockId: lockId, Document: document }), "CreateApplicationRevision"),
    listApplicationRevisions: async (stack) => {
      const value = await sendJson("GET", ApiPaths.applicationRevisions(segment(stack)), {});
      if (isRecord(value) && Array.isArray(value.Revisions)) return value.Revisions.map((item: unknown) => asApplicationRevision(item, "ListApplicationRevisions"));
      throw new ApiError("InvalidResponse", "ListApplicationRevisions answered without Revisions", 200);
    },
    getApplicationRevision: async (stack, revision) =>
      asApplicationRevision(await sendJson("GET", ApiPaths.applicationRevision(segment(stack), String(revision)), {}), "GetApplicationRevision"),
    deleteApplication: async (stack, lockId) => {
      await sendJson("DELETE", ApiPaths.application(segment(stack)), { LockId: lockId });
    },
    createEventSourceMapping: async (request) => asEventSourceMapping(await sendJson("POST", ApiPaths.eventSourceMappings, {}, request), "CreateEventSourceMapping"),
    getEventSourceMapping: async (uuid) =>
      asEventSourceMapping(await sendJson("GET", ApiPaths.eventSourceMapping(segment(uuid)), {}), "GetEventSourceMapping"),
    listEventSourceMappings: async (options = {}) =>
      asPage<ListEventSourceMappingsResponse>(
        await sendJson("GET", ApiPaths.eventSourceMappings, { FunctionName: options.functionName, EventSourceArn: options.eventSourceArn, Marker: options.marker }),
        "EventSourceMappings",
        "ListEventSourceMappings",
        (item) => asEventSourceMapping(item, "ListEventSourceMappings"),
      ),
    updateEventSourceMapping: async (uuid, request) =>
      asEventSourceMapping(await sendJson("PUT", ApiPaths.eventSourceMapping(segment(uuid)), {}, request), "UpdateEventSourceMapping"),
    deleteEventSourceMapping: async (uuid) =>
      asEventSourceMapping(await sendJson("DELETE", ApiPaths.eventSourceMapping(segment(uuid)), {}), "DeleteEventSourceMapping"),
    tagResource: async (resource, tags) => {
      await sendJson("POST", ApiPaths.tags(segment(resource)), {}, { Tags: tags });
    },
    untagResource: async (resource, tagKeys) => {
      const url = `${ApiPaths.tags(segment(resource))}?${tagKeys.map((key) => `tagKeys=${encodeURIComponent(key)}`).join("&")}`;
      await sendJson("DELETE", url, {});
    },
    listTags: async (resource) => asTags(await sendJson("GET", ApiPaths.tags(segment(resource)), {})),
    addPermission: async (name, qualifier, request) => asStatement(await sendJson("POST", ApiPaths.policy(segment(name)), { Qualifier: qualifier }, request)),
    removePermission: async (name, statementId, qualifier) => {
      await sendJson("DELETE", ApiPaths.policyStatement(segment(name), segment(statementId)), { Qualifier: qualifier });
    },
    getPolicy: async (name, qualifier) => asPolicy(await sendJson("GET", ApiPaths.policy(segment(name)), { Qualifier: qualifier })),
    publishLayerVersion: async (layerName, request) => asLayerVersion(await sendJson("POST", ApiPaths.layerVersions(segment(layerName)), {}, request)),
    getLayerVersion: async (layerName, version) => asLayerVersion(await sendJson("GET", ApiPaths.layerVersion(segment(layerName), String(version)), {})),
    listLayerVersions: async (layerName, marker) => asLayerVersionList(await sendJson("GET", ApiPaths.layerVersions(segment(layerName)), { Marker: marker })),
    listLayers: async (marker) => asLayerList(await sendJson("GET", ApiPaths.layers, { Marker: marker })),
    deleteLayerVersion: async (layerName, version) => {
      await sendJson("DELETE", ApiPaths.layerVersion(segment(layerName), String(version)), {});
    },
  };
}

/**
 * Lambda's error model: the type in `x-amzn-ErrorType` (possibly followed by `:` and a URL), a JSON
 * body with `message` (or `Message`). Bodies that are not JSON, say from a proxy, still give a message.
 */
async function apiErrorOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => "");
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed)) body = parsed;
  } catch {
    // Not JSON: the raw text below serves as the message.
  }
  const header = response.headers.get("x-amzn-errortype")?.split(":")[0];
  const type = header || stringField(body, "__type") || stringField(body, "Type") || `HTTP${response.status}`;
  const message = stringField(body, "message") || stringField(body, "Message") || text.trim().slice(0, 500) || response.statusText;
  return new ApiError(type, message, response.status);
}

function reasonOf(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === "string") return cause.code;
  if (typeof cause?.message === "string") return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * An answer as the frontend's shape (@lambent/lambda-api), once the fields this client relies on are
 * checked; the other fields are taken on the frontend's word.
 */
function shaped<Shape>(value: Record<string, unknown>): Shape {
  return value as unknown as Shape;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === "string" ? value : undefined;
}

function asConfiguration(value: unknown, operation: string): FunctionConfiguration {
  if (isRecord(value) && typeof value.FunctionName === "string") return shaped<FunctionConfiguration>(value);
  throw new ApiError("InvalidResponse", `${operation} answered without a FunctionConfiguration`, 200);
}

function asGetFunction(value: unknown): GetFunctionResponse {
  if (isRecord(value)) {
    asConfiguration(value.Configuration, "GetFunction");
    return shaped<GetFunctionResponse>(value);
  }
  throw new ApiError("InvalidResponse", "GetFunction answered without a Configuration", 200);
}

function asList(value: unknown): ListFunctionsResponse {
  return asPage<ListFunctionsResponse>(value, "Functions", "ListFunctions", (item) => asConfiguration(item, "ListFunctions"));
}

function asVersionList(value: unknown): ListVersionsResponse {
  return asPage<ListVersionsResponse>(value, "Versions", "ListVersionsByFunction", (item) => asConfiguration(item, "ListVersionsByFunction"));
}

function asAliasList(value: unknown): ListAliasesResponse {
  return asPage<ListAliasesResponse>(value, "Aliases", "ListAliases", (item) => asAlias(item, "ListAliases"));
}

/** One page of a List operation: an array under `field`, each item checked, and an optional string NextMarker. */
function asPage<Page>(value: unknown, field: string, operation: string, checkItem: (item: unknown) => void): Page {
  if (isRecord(value) && Array.isArray(value[field])) {
    for (const item of value[field] as unknown[]) checkItem(item);
    if (value.NextMarker !== undefined && value.NextMarker !== null && typeof value.NextMarker !== "string") {
      throw new ApiError("InvalidResponse", `${operation} answered a NextMarker that is not a string`, 200);
    }
    return shaped<Page>(value);
  }
  throw new ApiError("InvalidResponse", `${operation} answered without ${field}`, 200);
}

function asAlias(value: unknown, operation: string): AliasConfiguration {
  if (isRecord(value) && typeof value.Name === "string" && typeof value.FunctionVersion === "string") return shaped<AliasConfiguration>(value);
  throw new ApiError("InvalidResponse", `${operation} answered without an AliasConfiguration`, 200);
}

function asProvisionedList(value: unknown): ListProvisionedConcurrencyConfigsResponse {
  return asPage<ListProvisionedConcurrencyConfigsResponse>(value, "ProvisionedConcurrencyConfigs", "ListProvisionedConcurrencyConfigs", (item) =>
    asProvisionedConfig(item, "ListProvisionedConcurrencyConfigs"),
  );
}

function asAccountSettings(value: unknown): AccountSettings {
  if (isRecord(value) && isRecord(value.AccountLimit) && isRecord(value.AccountUsage)) return shaped<AccountSettings>(value);
  throw new ApiError("InvalidResponse", "GetAccountSettings answered without AccountLimit and AccountUsage", 200);
}

function asFunctionConcurrency(value: unknown, operation: string): FunctionConcurrency {
  if (isRecord(value) && (value.ReservedConcurrentExecutions === undefined || typeof value.ReservedConcurrentExecutions === "number")) {
    return shaped<FunctionConcurrency>(value);
  }
  throw new ApiError("InvalidResponse", `${operation} answered without a reserved concurrency`, 200);
}

function asProvisionedConfig(value: unknown, operation: string): ProvisionedConcurrencyConfiguration {
  if (isRecord(value) && typeof value.RequestedProvisionedConcurrentExecutions === "number") return shaped<ProvisionedConcurrencyConfiguration>(value);
  throw new ApiError("InvalidResponse", `${operation} answered without a provisioned concurrency config`, 200);
}

function asEventInvokeConfig(value: unknown, operation: string): FunctionEventInvokeConfig {
  // A config may set only destinations: Lambda then leaves MaximumRetryAttempts and MaximumEventAgeInSeconds out.
  if (isRecord(value) && typeof value.FunctionArn === "string" && (value.MaximumRetryAttempts === undefined || typeof value.MaximumRetryAttempts === "number")) {
    return shaped<FunctionEventInvokeConfig>(value);
  }
  throw new ApiError("InvalidResponse", `${operation} answered without a FunctionEventInvokeConfig`, 200);
}

function asFunctionUrlConfig(value: unknown, operation: string): FunctionUrlConfigResponse {
  if (isRecord(value) && typeof value.FunctionUrl === "string") return shaped<FunctionUrlConfigResponse>(value);
  throw new ApiError("InvalidResponse", `${operation} answered without a FunctionUrlConfig`, 200);
}

function logsQuery(options: LogsOptions): Record<string, string | undefined> {
  return { since: options.since, requestId: options.requestId, limit: options.limit === undefined ? undefined : String(options.limit) };
}

function asLogs(value: unknown): GetLogsResponse {
  if (isRecord(value) && typeof value.FunctionName === "string" && Array.isArray(value.Events) && value.Events.every(isLogEvent)) return shaped<GetLogsResponse>(value);
  throw new ApiError("InvalidResponse", "GetLogs answered without the function's log events", 200);
}

function isLogEvent(value: unknown): value is LogEventResponse {
  return isRecord(value) && typeof value.Message === "string" && typeof value.RequestId === "string" && typeof value.Timestamp === "number";
}

function asRoleCredentials(value: unknown, operation: string): RoleCredentialsDescription {
  if (isRecord(value) && typeof value.RoleArn === "string" && typeof value.AccessKeyId === "string") return shaped<RoleCredentialsDescription>(value);
  throw new ApiError("InvalidResponse", `${operation} answered without RoleArn and AccessKeyId`, 200);
}

function asRolePolicy(value: unknown, operation: string): RolePolicyDescription {
  if (isRecord(value) && typeof value.RoleArn === "string" && typeof value.UpdatedAt === "string") return shaped<RolePolicyDescription>(value);
  throw new ApiError("InvalidResponse", `${operation} answered without RoleArn`, 200);
}

function asAccessKey(value: unknown, operation: string): AccessKeyDescription {
  if (isRecord(value) && typeof value.AccessKeyId === "string" && typeof value.UserName === "string") return shaped<AccessKeyDescription>(value);
  throw new ApiError("InvalidResponse", `${operation} answered without AccessKeyId and UserName`, 200);
}

function asUsage(value: unknown): UsageReport {
  if (isRecord(value) && Array.isArray(value.Functions) && typeof value.Requests === "number" && isRecord(value.Prices)) return shaped<UsageReport>(value);
  throw new ApiError("InvalidResponse", "GetUsage answered without the usage figures", 200);
}

/** Reads an NDJSON answer line by line; ends quietly when `signal` aborts. */
async function* followLogLines(
  send: (method: string, path: string, query: Record<string, string | undefined>, init?: RequestInit) => Promise<Response>,
  path: string,
  query: Record<string, string | undefined>,
  signal: AbortSignal,
): AsyncGenerator<LogEventResponse> {
  let response: Response;
  try {
    response = await send("GET", path, { ...query, follow: "true" }, { signal });
  } catch (error) {
    if (signal.aborted) return;
    throw error;
  }
  if (!response.body) return;
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    for await (const chunk of response.body) {
      buffered += decoder.decode(chunk as Uint8Array, { stream: true });
      let newline: number;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.trim() === "") continue;
        const event: unknown = JSON.parse(line);
        if (!isLogEvent(event)) throw new ApiError("InvalidResponse", `GetLogs streamed something that is not a log event: '${line.slice(0, 200)}'`, 200);
        yield event;
      }
    }
  } catch (error) {
    if (signal.aborted) return;
    throw error;
  }
}

function asEventSourceMapping(value: unknown, operation: string): EventSourceMappingConfiguration {
  if (isRecord(value) && typeof value.UUID === "string") return shaped<EventSourceMappingConfiguration>(value);
  throw new ApiError("InvalidResponse", `${operation} answered without an EventSourceMappingConfiguration`, 200);
}

function asTags(value: unknown): ListTagsResponse {
  if (isRecord(value) && isRecord(value.Tags)) return shaped<ListTagsResponse>(value);
  throw new ApiError("InvalidResponse", "ListTags answered without Tags", 200);
}

function asStatement(value: unknown): AddPermissionResponse {
  if (isRecord(value) && typeof value.Statement === "string") return shaped<AddPermissionResponse>(value);
  throw new ApiError("InvalidResponse", "AddPermission answered without a Statement", 200);
}

function asLayerVersion(value: unknown): LayerVersionResponse {
  if (isRecord(value) && typeof value.LayerVersionArn === "string" && typeof value.Version === "number") return shaped<LayerVersionResponse>(value);
  throw new ApiError("InvalidResponse", "the layer call answered without a LayerVersionArn", 200);
}

function asLayerVersionList(value: unknown): ListLayerVersionsResponse {
  if (isRecord(value) && Array.isArray(value.LayerVersions)) return shaped<ListLayerVersionsResponse>(value);
  throw new ApiError("InvalidResponse", "ListLayerVersions answered without LayerVersions", 200);
}

function asLayerList(value: unknown): ListLayersResponse {
  if (isRecord(value) && Array.isArray(value.Layers)) return shaped<ListLayersResponse>(value);
  throw new ApiError("InvalidResponse", "ListLayers answered without Layers", 200);
}

function asPolicy(value: unknown): GetPolicyResponse {
  if (isRecord(value) && typeof value.Policy === "string") return shaped<GetPolicyResponse>(value);
  throw new ApiError("InvalidResponse", "GetPolicy answered without a Policy", 200);
}

function asQueueStats(value: unknown): QueueStatsResponse {
  const counts = ["Depth", "OldestEventAgeMs", "Succeeded", "Retried", "DeadLettered", "DroppedForAge"];
  if (isRecord(value) && typeof value.FunctionName === "string" && counts.every((field) => typeof value[field] === "number")) return shaped<QueueStatsResponse>(value);
  throw new ApiError("InvalidResponse", "GetQueueStats answered without the queue's counts", 200);
}

/**
 * Every item of a paginated List operation: fetches pages, following NextMarker until the last one. A
 * server that hands back a marker it already gave would otherwise keep this going forever, so that stops it.
 */
export async function collectPages<Page extends { NextMarker?: string | null }, Item>(
  fetchPage: (marker: string | undefined) => Promise<Page>,
  itemsOf: (page: Page) => readonly Item[],
): Promise<Item[]> {
  const items: Item[] = [];
  const seen = new Set<string>();
  let marker: string | undefined;
  do {
    const page = await fetchPage(marker);
    items.push(...itemsOf(page));
    marker = page.NextMarker || undefined;
    if (marker !== undefined && seen.has(marker)) break;
    if (marker !== undefined) seen.add(marker);
  } while (marker !== undefined);
  return items;
}

function asRoute(value: unknown, operation: string): RouteConfiguration {
  if (isRecord(value) && typeof value.RouteId === "string" && typeof value.Path === "string" && Array.isArray(value.Methods)) return shaped<RouteConfiguration>(value);
  throw new ApiError("InvalidResponse", `${operation} answered without a Route`, 200);
}

function asTrigger(value: unknown, operation: string): TriggerConfiguration {
  if (isRecord(value) && typeof value.Name === "string" && typeof value.FunctionName === "string" && typeof value.Enabled === "boolean") {
    return shaped<TriggerConfiguration>(value);
  }
  throw new ApiError("InvalidResponse", `${operation} answered without a trigger`, 200);
}

function asApplicationLock(value: unknown, operation: string): ApplicationLockDescription {
  if (isRecord(value) && typeof value.LockId === "string" && typeof value.Owner === "string" && isRecord(value.Journal)) return shaped<ApplicationLockDescription>(value);
  throw new ApiError("InvalidResponse", `${operation} answered without a lock`, 200);
}

function asApplicationRevision(value: unknown, operation: string): ApplicationRevisionDescription {
  if (isRecord(value) && typeof value.Revision === "number" && isRecord(value.Document)) return shaped<ApplicationRevisionDescription>(value);
  throw new ApiError("InvalidResponse", `${operation} answered without a revision`, 200);
}

// Lambda's REST shapes and paths, as the frontend serves them and clients call them: the JSON bodies
// (PascalCase, Lambda's field names) and the path of every operation, Lambent's own among them. Types and
// path builders only; validation is the frontend's, transport the client's.
export { ApiPaths } from "./paths.js";
export type {
  CreateFunctionRequest,
  EnvironmentResponse,
  FunctionConfiguration,
  FunctionSettings,
  GetFunctionResponse,
  ListFunctionsResponse,
  ListVersionsResponse,
  LoggingConfig,
  PublishVersionRequest,
  SearchFunctionsResponse,
} from "./functions.js";
export type { AliasConfiguration, AliasRoutingConfiguration, CreateAliasRequest, ListAliasesResponse, UpdateAliasRequest } from "./aliases.js";
export type {
  AccountSettings,
  FunctionConcurrency,
  ListProvisionedConcurrencyConfigsResponse,
  ProvisionedConcurrencyConfigListItem,
  ProvisionedConcurrencyConfiguration,
  ProvisionedConcurrencyStatus,
} from "./concurrency.js";
export type {
  EventDestination,
  EventInvokeConfigRequest,
  FunctionEventInvokeConfig,
  ListFunctionEventInvokeConfigsResponse,
  QueueStatsResponse,
} from "./async-invocation.js";
export type { FunctionUrlConfigResponse, FunctionUrlConfigRequest, FunctionUrlCorsConfig, ListFunctionUrlConfigsResponse } from "./function-urls.js";
export type {
  EventSourceMappingConfiguration,
  EventSourceMappingRequest,
  EventSourceMappingStateName,
  FilterCriteria,
  ListEventSourceMappingsResponse,
} from "./event-source-mappings.js";
export type { CreateRouteRequest, ListRoutesResponse, RouteConfiguration } from "./routes.js";
export type {
  CreateTriggerRequest,
  ListTriggersResponse,
  TriggerBucket,
  TriggerConfiguration,
  TriggerKeyValue,
  TriggerSchedule,
  UpdateTriggerRequest,
} from "./triggers.js";
export type { GetLogsResponse, LogEventResponse } from "./logs.js";
export type { GetFunctionMetricsResponse, GetFunctionsMetricsResponse, MetricsPoint } from "./metrics-history.js";
export type { ListTestEventsResponse, TestEvent } from "./test-events.js";
export type { DeadLetter, ListDeadLettersResponse, RedriveDeadLettersResponse } from "./dead-letters.js";
export type {
  AddLayerVersionPermissionRequest,
  AddLayerVersionPermissionResponse,
  GetLayerVersionPolicyResponse,
  LayersListItem,
  LayerVersionResponse,
  LayerVersionsListItem,
  ListLayersResponse,
  ListLayerVersionsResponse,
  PublishLayerVersionRequest,
} from "./layers.js";
export type { ListTagsResponse, TagResourceRequest } from "./tags.js";
export type { AddPermissionRequest, AddPermissionResponse, GetPolicyResponse } from "./policies.js";
export type { GetFunctionCodeSigningConfigResponse, ListCodeSigningConfigsResponse, RuntimeManagementConfig } from "./code-signing.js";
export type { DailyUsage, FunctionUsage, UsageFigures, UsagePeriodQuery, UsageReport, VersionUsage } from "./usage.js";
export type { PutRoleCredentialsRequest, RoleCredentialsDescription, ListRoleCredentialsResponse } from "./role-credentials.js";
export type {
  AccessKeyDescription,
  CreateAccessKeyRequest,
  CreatedAccessKey,
  ListAccessKeysResponse,
  ListRolePoliciesResponse,
  PutAccessKeyPolicyRequest,
  PutRolePolicyRequest,
  RolePolicyDescription,
} from "./access-keys.js";
export type { ClusterDescription, ClusterStream, ClusterWorker } from "./cluster.js";
export type {
  AcquireApplicationLockRequest,
  AcquireApplicationLockResponse,
  ApplicationLockDescription,
  ApplicationDeployment,
  ApplicationRevisionDescription,
  ApplicationSummary,
  CreateApplicationRevisionRequest,
  ListApplicationRevisionsResponse,
  ListApplicationsResponse,
  UpdateApplicationLockRequest,
} from "./applications.js";

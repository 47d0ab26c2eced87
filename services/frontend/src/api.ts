// The frontend's two faces share one API: HTTP and gRPC adapters translate their wire formats into
// these calls, so both behave the same. Answers are Lambda's REST shapes (@lambent/lambda-api).
import type {
  AccountSettings,
  AliasConfiguration,
  FunctionConcurrency,
  FunctionConfiguration,
  FunctionEventInvokeConfig,
  FunctionUrlConfigResponse,
  GetFunctionResponse,
  ListAliasesResponse,
  ListFunctionEventInvokeConfigsResponse,
  ListFunctionsResponse,
  SearchFunctionsResponse,
  ListFunctionUrlConfigsResponse,
  ListTagsResponse,
  AddPermissionResponse,
  GetPolicyResponse,
  RuntimeManagementConfig,
  ListProvisionedConcurrencyConfigsResponse,
  ListVersionsResponse,
  ProvisionedConcurrencyConfiguration,
  QueueStatsResponse,
} from "@lambent/lambda-api";
import type { InvocationType, LogType } from "@lambent/protocol";
import type { TraceSpan } from "@lambent/telemetry";
import type { ResponseConsumer } from "./invoke/response-stream.js";
import type { EventSourceMappings } from "./control-plane/event-source-mappings.js";
import type { FunctionLogs } from "./control-plane/logs.js";
import type { FunctionMetrics } from "./control-plane/metrics-history.js";
import type { TestEventOperations } from "./control-plane/test-events.js";
import type { DeadLetterOperations } from "./control-plane/dead-letters.js";
import type { RouteOperations } from "./control-plane/routes.js";
import type { TriggerOperations } from "./control-plane/triggers.js";
import type { ApplicationOperations } from "./control-plane/applications.js";
import type { ListOptions } from "./control-plane/pagination.js";
import type { UsageReports } from "./control-plane/usage.js";
import type { WorkflowOperations } from "./workflows/workflow-operations.js";
import type { CodeSigningOperations } from "./control-plane/code-signing.js";
import type { LayerOperations } from "./control-plane/layers.js";
import type { RoleCredentialOperations } from "./control-plane/role-credentials.js";
import type { AccessKeyOperations } from "./control-plane/access-keys.js";
import type { RolePolicyOperations } from "./control-plane/role-policies.js";
import type { ClusterOperations } from "./control-plane/cluster.js";

/**
 * Control-plane operations. Request bodies arrive as `unknown` (parsed JSON, or a plain object a gRPC
 * adapter built in the same Lambda shape) and are validated here; `Code.ZipFile` may be a base64
 * string (REST) or bytes (gRPC). Failures throw LambdaError.
 */
export interface ControlPlane {
  createFunction(body: unknown): Promise<FunctionConfiguration>;
  getFunction(functionName: string, qualifier?: string): Promise<GetFunctionResponse>;
  getFunctionConfiguration(functionName: string, qualifier?: string): Promise<FunctionConfiguration>;
  /** `functionVersion: "ALL"` lists every version of every function. */
  listFunctions(options: ListOptions & { functionVersion?: string; masterRegion?: string }): Promise<ListFunctionsResponse>;
  /** Lambent's SearchFunctions: a page of functions whose name holds `search`, with the counts. */
  searchFunctions(options: { search?: string | undefined; offset?: string | undefined; maxItems?: string | undefined }): Promise<SearchFunctionsResponse>;
  updateFunctionCode(functionName: string, body: unknown): Promise<FunctionConfiguration>;
  updateFunctionConfiguration(functionName: string, body: unknown): Promise<FunctionConfiguration>;
  /** Without a qualifier: the whole function with its versions and aliases; with a version: that version. */
  deleteFunction(functionName: string, qualifier?: string): Promise<void>;
  publishVersion(functionName: string, body: unknown): Promise<FunctionConfiguration>;
  listVersionsByFunction(functionName: string, options: ListOptions): Promise<ListVersionsResponse>;
  createAlias(functionName: string, body: unknown): Promise<AliasConfiguration>;
  getAlias(functionName: string, aliasName: string): Promise<AliasConfiguration>;
  updateAlias(functionName: string, aliasName: string, body: unknown): Promise<AliasConfiguration>;
  deleteAlias(functionName: string, aliasName: string): Promise<void>;
  listAliases(functionName: string, options: ListOptions & { functionVersion?: string }): Promise<ListAliasesResponse>;
  getAccountSettings(): Promise<AccountSettings>;
  putFunctionConcurrency(functionName: string, body: unknown): Promise<FunctionConcurrency>;
  getFunctionConcurrency(functionName: string): Promise<FunctionConcurrency>;
  deleteFunctionConcurrency(functionName: string): Promise<void>;
  /** `qualifier` is the `Qualifier` parameter; a qualifier inside `functionName` counts too. */
  putProvisionedConcurrencyConfig(functionName: string, qualifier: string | undefined, body: unknown): Promise<ProvisionedConcurrencyConfiguration>;
  getProvisionedConcurrencyConfig(functionName: string, qualifier: string | undefined): Promise<ProvisionedConcurrencyConfiguration>;
  deleteProvisionedConcurrencyConfig(functionName: string, qualifier: string | undefined): Promise<void>;
  listProvisionedConcurrencyConfigs(functionName: string, options: ListOptions): Promise<ListProvisionedConcurrencyConfigsResponse>;
  /** Replaces the qualifier's config; `qualifier` undefined (and none in `functionName`) means $LATEST. */
  putFunctionEventInvokeConfig(functionName: string, qualifier: string | undefined, body: unknown): Promise<FunctionEventInvokeConfig>;
  /** Merges the fields given into the qualifier's config, creating it when there is none. */
  updateFunctionEventInvokeConfig(functionName: string, qualifier: string | undefined, body: unknown): Promise<FunctionEventInvokeConfig>;
  getFunctionEventInvokeConfig(functionName: string, qualifier: string | undefined): Promise<FunctionEventInvokeConfig>;
  deleteFunctionEventInvokeConfig(functionName: string, qualifier: string | undefined): Promise<void>;
  listFunctionEventInvokeConfigs(functionName: string, options: ListOptions): Promise<ListFunctionEventInvokeConfigsResponse>;
  /** `qualifier` undefined (and none in `functionName`) means $LATEST; otherwise an alias. */
  createFunctionUrlConfig(functionName: string, qualifier: string | undefined, body: unknown): Promise<FunctionUrlConfigResponse>;
  getFunctionUrlConfig(functionName: string, qualifier: string | undefined): Promise<FunctionUrlConfigResponse>;
  updateFunctionUrlConfig(functionName: string, qualifier: string | undefined, body: unknown): Promise<FunctionUrlConfigResponse>;
  deleteFunctionUrlConfig(functionName: string, qualifier: string | undefined): Promise<void>;
  listFunctionUrlConfigs(functionName: string, options: ListOptions): Promise<ListFunctionUrlConfigsResponse>;
  /** Lambent's extension: the function's asynchronous event queue. */
  getQueueStats(functionName: string): Promise<QueueStatsResponse>;
  /** `resource` is a function's unqualified ARN. */
  tagResource(resource: string, body: unknown): Promise<void>;
  untagResource(resource: string, tagKeys: string[] | undefined): Promise<void>;
  listTags(resource: string): Promise<ListTagsResponse>;
  addPermission(functionName: string, qualifier: string | undefined, body: unknown): Promise<AddPermissionResponse>;
  removePermission(functionName: string, statementId: string, qualifier: string | undefined, revisionId: string | undefined): Promise<void>;
  getPolicy(functionName: string, qualifier: string | undefined): Promise<GetPolicyResponse>;
  getRuntimeManagementConfig(functionName: string, qualifier: string | undefined): Promise<RuntimeManagementConfig>;
}

export interface InvokeInput {
  /** A name, `name:qualifier`, partial or full ARN. */
  functionName: string;
  qualifier?: string;
  payload: Uint8Array;
  invocationType: InvocationType;
  logType: LogType;
  /** Base64 JSON, as in `X-Amz-Client-Context`. */
  clientContext?: string;
  /** The request's server span when it is traced: labelled with the call, which continues its trace. */
  span?: TraceSpan;
}

export interface InvokeOutput {
  /** 200 for RequestResponse, 202 for Event, 204 for DryRun. */
  statusCode: number;
  requestId: string;
  payload: Uint8Array;
  functionError?: "Unhandled";
  logResult?: string;
  executedVersion?: string;
}

/** How a streamed invocation ended, once its bytes have all gone to the consumer. */
export interface StreamedInvokeOutput {
  requestId: string;
  executedVersion: string;
  /** The function failed (before or after it wrote): Lambda's error type and message. */
  error?: { errorType: string; errorMessage: string };
  logResult?: string;
}

/** Invocation; throws LambdaError for platform failures (not found, throttled, too large, …). */
export interface Invoker {
  invoke(input: InvokeInput): Promise<InvokeOutput>;
  /**
   * A synchronous call whose answer is streamed to `consumer` as the function writes it
   * (InvokeWithResponseStream, RESPONSE_STREAM function URLs). A failure before the stream starts throws.
   */
  invokeStream?(input: Omit<InvokeInput, "invocationType">, consumer: ResponseConsumer): Promise<StreamedInvokeOutput>;
}

export interface FrontendApi {
  controlPlane: ControlPlane;
  invoker: Invoker;
  /** Lambent's function logs (control-plane/logs.ts); calls fail with ServiceException where absent. */
  logs?: FunctionLogs;
  /** Lambent's metrics history (control-plane/metrics-history.ts); calls fail with ServiceException where absent. */
  metrics?: FunctionMetrics;
  /** Lambent's saved test events (control-plane/test-events.ts); calls fail with ServiceException where absent. */
  testEvents?: TestEventOperations;
  /** Lambent's dead-letter queue calls (control-plane/dead-letters.ts); calls fail with ServiceException where absent. */
  deadLetters?: DeadLetterOperations;
  /** Lambent's usage report (control-plane/usage.ts); calls fail with ServiceException where absent. */
  usage?: UsageReports;
  /** Lambent's routes (control-plane/routes.ts); calls fail with ServiceException where absent. */
  routes?: RouteOperations;
  /** Lambent's triggers (control-plane/triggers.ts); calls fail with ServiceException where absent. */
  triggers?: TriggerOperations;
  /** Lambent's applications: revisions and deploy locks (control-plane/applications.ts); calls fail with ServiceException where absent. */
  applications?: ApplicationOperations;
  /** Lambda's event source mappings (control-plane/event-source-mappings.ts); calls fail with ServiceException where absent. */
  eventSourceMappings?: EventSourceMappings;
  /** AWS Step Functions (workflows/workflow-operations.ts); absent where the frontend was built without it. */
  workflows?: WorkflowOperations;
  /** Lambda's layers (control-plane/layers.ts); calls fail with ServiceException where absent. */
  layers?: LayerOperations;
  /** Lambent's role credentials (control-plane/role-credentials.ts); calls fail with ServiceException where absent. */
  roleCredentials?: RoleCredentialOperations;
  /** Lambent's access keys for users of the API; absent in frontends built without them (tests). */
  accessKeys?: AccessKeyOperations;
  /** Lambent's execution role policies; absent in frontends built without them (tests). */
  rolePolicies?: RolePolicyOperations;
  /** Lambent's view of the cluster (GetCluster); absent in frontends built without NATS management (tests). */
  cluster?: ClusterOperations;
  /** Lambda's code signing calls, answered as for an account without configs; calls fail with ServiceException where absent. */
  codeSigning?: CodeSigningOperations;
}

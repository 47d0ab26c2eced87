// The frontend's two faces share one API: HTTP and gRPC adapters translate their wire formats into
// these calls, so both behave the same. Shapes follow AWS Lambda's REST API (PascalCase JSON).
import type { InvocationType, LogType } from "@lambent/protocol";

export interface EnvironmentResponse {
  Variables: Record<string, string>;
}

/** Lambda's FunctionConfiguration as GetFunctionConfiguration returns it. */
export interface FunctionConfiguration {
  FunctionName: string;
  FunctionArn: string;
  Runtime: string;
  Role: string;
  Handler: string;
  CodeSize: number;
  Description: string;
  Timeout: number;
  MemorySize: number;
  LastModified: string;
  CodeSha256: string;
  Version: string;
  Environment?: EnvironmentResponse;
  RevisionId: string;
  State: "Pending" | "Active" | "Inactive" | "Failed";
  LastUpdateStatus: "InProgress" | "Successful" | "Failed";
  PackageType: "Zip";
  Architectures: string[];
  EphemeralStorage: { Size: number };
  /** Present when the function has a dead-letter target (an SNS or SQS ARN). */
  DeadLetterConfig?: { TargetArn: string };
}

export interface GetFunctionResponse {
  Configuration: FunctionConfiguration;
  Code: { RepositoryType: string; Location: string };
  Tags?: Record<string, string>;
  /** Present when the function has reserved concurrency. */
  Concurrency?: { ReservedConcurrentExecutions: number };
}

export interface ListFunctionsResponse {
  Functions: FunctionConfiguration[];
  NextMarker?: string;
}

export interface ListVersionsResponse {
  Versions: FunctionConfiguration[];
  NextMarker?: string;
}

/** Lambda's AliasConfiguration. */
export interface AliasConfiguration {
  AliasArn: string;
  Name: string;
  FunctionVersion: string;
  Description: string;
  /** Traffic shifted to one more version: `{ "4": 0.1 }` sends 10% to version 4. */
  RoutingConfig?: { AdditionalVersionWeights: Record<string, number> };
  RevisionId: string;
  /** Lambent's addition: the version the alias pointed at before its last move, for one-step rollback. */
  PreviousVersion?: string;
}

export interface ListAliasesResponse {
  Aliases: AliasConfiguration[];
  NextMarker?: string;
}

/** GetAccountSettings' answer. Sizes are bytes. */
export interface AccountSettings {
  AccountLimit: {
    TotalCodeSize: number;
    CodeSizeUnzipped: number;
    CodeSizeZipped: number;
    ConcurrentExecutions: number;
    /** ConcurrentExecutions less every reservation. */
    UnreservedConcurrentExecutions: number;
  };
  AccountUsage: {
    /** CodeSize summed over every stored version of every function. */
    TotalCodeSize: number;
    FunctionCount: number;
  };
}

/** PutFunctionConcurrency's answer, and GetFunctionConcurrency's (`{}` when there is no reservation). */
export interface FunctionConcurrency {
  ReservedConcurrentExecutions?: number;
}

export type ProvisionedConcurrencyStatus = "IN_PROGRESS" | "READY" | "FAILED";

/** Put/GetProvisionedConcurrencyConfig's answer. */
export interface ProvisionedConcurrencyConfiguration {
  RequestedProvisionedConcurrentExecutions: number;
  AvailableProvisionedConcurrentExecutions: number;
  AllocatedProvisionedConcurrentExecutions: number;
  Status: ProvisionedConcurrencyStatus;
  StatusReason?: string;
  LastModified: string;
}

/** One item of ListProvisionedConcurrencyConfigs: the config and the qualified ARN it applies to. */
export interface ProvisionedConcurrencyConfigListItem extends ProvisionedConcurrencyConfiguration {
  FunctionArn: string;
}

export interface ListProvisionedConcurrencyConfigsResponse {
  ProvisionedConcurrencyConfigs: ProvisionedConcurrencyConfigListItem[];
  NextMarker?: string;
}

/** One destination of an EventInvokeConfig; `Destination` is absent when none is set. */
export interface EventDestination {
  Destination?: string;
}

/** Lambda's FunctionEventInvokeConfig: how asynchronous invocations of one qualifier are handled. */
export interface FunctionEventInvokeConfig {
  /** Epoch seconds. */
  LastModified: number;
  /** The qualified ARN the config applies to (`…:function:name:$LATEST` for $LATEST). */
  FunctionArn: string;
  MaximumRetryAttempts: number;
  MaximumEventAgeInSeconds: number;
  DestinationConfig: { OnSuccess: EventDestination; OnFailure: EventDestination };
}

export interface ListFunctionEventInvokeConfigsResponse {
  FunctionEventInvokeConfigs: FunctionEventInvokeConfig[];
  NextMarker?: string;
}

/** A function URL's CORS settings, as Lambda spells them. */
export interface FunctionUrlCorsConfig {
  AllowOrigins?: string[];
  AllowMethods?: string[];
  AllowHeaders?: string[];
  ExposeHeaders?: string[];
  MaxAge?: number;
  AllowCredentials?: boolean;
}

/** Lambda's FunctionUrlConfig (Create answers without LastModifiedTime). Times are ISO-8601. */
export interface FunctionUrlConfigResponse {
  FunctionUrl: string;
  /** Unqualified for `$LATEST`, qualified for an alias. */
  FunctionArn: string;
  AuthType: "NONE" | "AWS_IAM";
  Cors?: FunctionUrlCorsConfig;
  CreationTime: string;
  LastModifiedTime?: string;
  InvokeMode: "BUFFERED" | "RESPONSE_STREAM";
}

/** Lambent's queue visibility: what a function's asynchronous event queue holds and what became of its events. */
export interface QueueStatsResponse {
  FunctionName: string;
  /** Events waiting or running, retries waiting out their delay included. */
  Depth: number;
  /** Age of the oldest queued event in milliseconds; 0 when the queue is empty. */
  OldestEventAgeMs: number;
  Succeeded: number;
  Retried: number;
  DeadLettered: number;
  DroppedForAge: number;
}

export interface ListOptions {
  marker?: string;
  maxItems?: string | number;
}

/**
 * Control-plane operations. Request bodies arrive as `unknown` (parsed JSON, or a plain object a gRPC
 * adapter built in the same Lambda shape) and are validated here; `Code.ZipFile` may be a base64
 * string (REST) or bytes (gRPC). Failures throw LambdaError.
 */
export interface ControlPlane {
  createFunction(body: unknown): Promise<FunctionConfiguration>;
  getFunction(functionName: string, qualifier?: string): Promise<GetFunctionResponse>;
  getFunctionConfiguration(functionName: string, qualifier?: string): Promise<FunctionConfiguration>;
  listFunctions(options: { marker?: string; maxItems?: string | number }): Promise<ListFunctionsResponse>;
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
  /** Lambent's extension: the function's asynchronous event queue. */
  getQueueStats(functionName: string): Promise<QueueStatsResponse>;
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

/** Invocation; throws LambdaError for platform failures (not found, throttled, too large, …). */
export interface Invoker {
  invoke(input: InvokeInput): Promise<InvokeOutput>;
}

export interface FrontendApi {
  controlPlane: ControlPlane;
  invoker: Invoker;
  /** Lambent's function logs (control-plane/logs.ts); calls fail with ServiceException where absent. */
  logs?: FunctionLogs;
  /** Lambent's usage report (control-plane/usage.ts); calls fail with ServiceException where absent. */
  usage?: UsageReports;
  /** Lambent's routes (control-plane/routes.ts); calls fail with ServiceException where absent. */
  routes?: RouteOperations;
  /** Lambent's triggers (control-plane/triggers.ts); calls fail with ServiceException where absent. */
  triggers?: TriggerOperations;
  /** Lambda's event source mappings (control-plane/event-source-mappings.ts); calls fail with ServiceException where absent. */
  eventSourceMappings?: EventSourceMappings;
}

/** The log and usage calls, as both faces reach them. */
export type { FunctionLogs, GetLogsResponse, LogEventResponse, LogsRequest } from "./control-plane/logs.js";
export type { UsageReports, UsageReport } from "./control-plane/usage.js";
import type { FunctionLogs } from "./control-plane/logs.js";
import type { UsageReports } from "./control-plane/usage.js";
import type { RouteOperations } from "./control-plane/routes.js";
export type { RouteOperations, RouteResponse, ListRoutesResponse, ListRoutesOptions } from "./control-plane/routes.js";
import type { TriggerOperations } from "./control-plane/triggers.js";
export type { TriggerConfiguration, ListTriggersResponse } from "./control-plane/triggers.js";
import type { EventSourceMappings } from "./control-plane/event-source-mappings.js";

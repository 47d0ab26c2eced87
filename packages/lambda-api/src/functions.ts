// Functions and their versions: Lambda's FunctionConfiguration and the calls that create, read, list,
// update and publish it.
import type { GetFunctionsMetricsResponse } from "./metrics-history.js";

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
  /** Present when the configuration names one, even empty. */
  Environment?: EnvironmentResponse;
  RevisionId: string;
  /** Absent from list entries. */
  State?: "Pending" | "Active" | "Inactive" | "Failed";
  /** `Creating` while a function or version is created. */
  StateReason?: string;
  StateReasonCode?: string;
  /** Absent from list entries and from a create's answer. */
  LastUpdateStatus?: "InProgress" | "Successful" | "Failed";
  /** Present while an update is InProgress. */
  LastUpdateStatusReason?: string;
  LastUpdateStatusReasonCode?: string;
  PackageType: "Zip";
  Architectures: string[];
  EphemeralStorage: { Size: number };
  TracingConfig: { Mode: "Active" | "PassThrough" };
  LoggingConfig: LoggingConfig;
  SnapStart: { ApplyOn: "None" | "PublishedVersions"; OptimizationStatus: "On" | "Off" };
  /** Absent from list entries. */
  RuntimeVersionConfig?: { RuntimeVersionArn: string };
  /** Present when the function has a dead-letter target (an SNS or SQS ARN). */
  DeadLetterConfig?: { TargetArn: string };
  /** Present when the function uses layers: each version's ARN and zip size, in the order they apply. */
  Layers?: { Arn: string; CodeSize: number }[];
}

/** Lambda's LoggingConfig; the levels come with the JSON format. */
export interface LoggingConfig {
  LogFormat: "Text" | "JSON";
  LogGroup: string;
  ApplicationLogLevel?: string;
  SystemLogLevel?: string;
}

export interface GetFunctionResponse {
  Configuration: FunctionConfiguration;
  /** Location: a time-limited URL the deployment package downloads from. */
  Code: { RepositoryType: string; Location: string };
  Tags?: Record<string, string>;
  /** Present when the function has reserved concurrency. */
  Concurrency?: { ReservedConcurrentExecutions: number };
}

export interface ListFunctionsResponse {
  Functions: FunctionConfiguration[];
  NextMarker?: string;
}

/** Lambent's SearchFunctions: one page of the functions whose name holds the search, with the counts the console's pager shows. */
export interface SearchFunctionsResponse {
  Functions: FunctionConfiguration[];
  /** Functions whose name holds the search (all of them without one). */
  Matched: number;
  /** Every function. */
  Total: number;
  /**
   * With `MetricsSince`, the page's functions' minutes since then, as GetFunctionsMetrics answers them;
   * left out by a frontend that cannot read the metrics history.
   */
  Metrics?: GetFunctionsMetricsResponse;
}

export interface ListVersionsResponse {
  Versions: FunctionConfiguration[];
  NextMarker?: string;
}

/** The configuration fields CreateFunction and UpdateFunctionConfiguration share. */
export interface FunctionSettings {
  Runtime?: string;
  Handler?: string;
  MemorySize?: number;
  Timeout?: number;
  Description?: string;
  Environment?: { Variables: Record<string, string> };
  /** An SNS or SQS ARN; an empty TargetArn removes the target on update. */
  DeadLetterConfig?: { TargetArn: string };
  TracingConfig?: { Mode?: "Active" | "PassThrough" };
  LoggingConfig?: Partial<LoggingConfig>;
  /** Layer version ARNs, at most 5; unpacked under /opt in this order. */
  Layers?: string[];
}

/** CreateFunction's body; `Code.ZipFile` is the deployment package in base64. */
export interface CreateFunctionRequest extends FunctionSettings {
  FunctionName: string;
  Role: string;
  Code: { ZipFile: string };
}

/** PublishVersion's optional body: a description and the preconditions Lambda checks. */
export interface PublishVersionRequest {
  Description?: string;
  CodeSha256?: string;
  RevisionId?: string;
}

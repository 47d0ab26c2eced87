// Functions and their versions: Lambda's FunctionConfiguration and the calls that create, read, list,
// update and publish it.

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

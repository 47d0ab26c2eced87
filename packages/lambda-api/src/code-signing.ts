// Code signing and runtime management, as a cluster without code signing configs answers them.

/** GetFunctionCodeSigningConfig's answer; the ARN is empty for a function without a config. */
export interface GetFunctionCodeSigningConfigResponse {
  CodeSigningConfigArn: string;
  FunctionName: string;
}

export interface ListCodeSigningConfigsResponse {
  CodeSigningConfigs: unknown[];
  NextMarker?: string;
}

/** GetRuntimeManagementConfig's answer: runtimes follow Lambent's updates (`Auto`), so no version ARN. */
export interface RuntimeManagementConfig {
  UpdateRuntimeOn: "Auto" | "FunctionUpdate" | "Manual";
  FunctionArn: string;
  RuntimeVersionArn?: string;
}

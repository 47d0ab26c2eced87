// Function URLs: a function's own HTTPS endpoint, with Lambda's CORS settings.

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
  /** Get and List answer it; Create and Update only when the request set it, as Lambda does. */
  InvokeMode?: "BUFFERED" | "RESPONSE_STREAM";
}

export interface ListFunctionUrlConfigsResponse {
  FunctionUrlConfigs: FunctionUrlConfigResponse[];
  NextMarker?: string;
}

/** Create/UpdateFunctionUrlConfig's body. */
export interface FunctionUrlConfigRequest {
  AuthType?: "NONE" | "AWS_IAM";
  Cors?: FunctionUrlCorsConfig;
  InvokeMode?: "BUFFERED" | "RESPONSE_STREAM";
}

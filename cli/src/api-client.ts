// A small typed client for the AWS Lambda REST API a Lambent cluster speaks: one function per operation.
// Responses are checked for shape when they arrive; errors become ApiError or EndpointUnreachableError.

const API = "/2015-03-31/functions";

/** The fields of Lambda's FunctionConfiguration the CLI reads; the rest passes through untouched. */
export interface FunctionConfiguration {
  FunctionName: string;
  FunctionArn?: string;
  Runtime?: string;
  Handler?: string;
  CodeSize?: number;
  CodeSha256?: string;
  Description?: string;
  Timeout?: number;
  MemorySize?: number;
  LastModified?: string;
  Version?: string;
  RevisionId?: string;
  State?: string;
  LastUpdateStatus?: string;
  Environment?: { Variables?: Record<string, string> };
  [field: string]: unknown;
}

export interface GetFunctionResponse {
  Configuration: FunctionConfiguration;
  Code?: { RepositoryType?: string; Location?: string };
  Tags?: Record<string, string>;
  [field: string]: unknown;
}

export interface ListFunctionsResponse {
  Functions: FunctionConfiguration[];
  NextMarker?: string;
  [field: string]: unknown;
}

/** The configuration fields CreateFunction and UpdateFunctionConfiguration share. */
export interface FunctionSettings {
  Runtime?: string;
  Handler?: string;
  MemorySize?: number;
  Timeout?: number;
  Description?: string;
  Environment?: { Variables: Record<string, string> };
}

export interface CreateFunctionRequest extends FunctionSettings {
  FunctionName: string;
  Role: string;
  Code: { ZipFile: string };
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
  createFunction(request: CreateFunctionRequest): Promise<FunctionConfiguration>;
  getFunction(functionName: string, qualifier?: string): Promise<GetFunctionResponse>;
  getFunctionConfiguration(functionName: string, qualifier?: string): Promise<FunctionConfiguration>;
  listFunctions(marker?: string): Promise<ListFunctionsResponse>;
  updateFunctionCode(functionName: string, zipFile: string): Promise<FunctionConfiguration>;
  updateFunctionConfiguration(functionName: string, settings: FunctionSettings): Promise<FunctionConfiguration>;
  deleteFunction(functionName: string, qualifier?: string): Promise<void>;
  invoke(request: InvokeRequest): Promise<InvokeResponse>;
}

export function createApiClient(endpoint: string): ApiClient {
  const base = endpoint.replace(/\/+$/, "");
  const functionPath = (name: string, suffix = "") => `${API}/${encodeURIComponent(name)}${suffix}`;

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
    createFunction: async (request) => asConfiguration(await sendJson("POST", API, {}, request), "CreateFunction"),
    getFunction: async (name, qualifier) => asGetFunction(await sendJson("GET", functionPath(name), { Qualifier: qualifier })),
    getFunctionConfiguration: async (name, qualifier) =>
      asConfiguration(await sendJson("GET", functionPath(name, "/configuration"), { Qualifier: qualifier }), "GetFunctionConfiguration"),
    listFunctions: async (marker) => asList(await sendJson("GET", `${API}/`, { Marker: marker })),
    updateFunctionCode: async (name, zipFile) =>
      asConfiguration(await sendJson("PUT", functionPath(name, "/code"), {}, { ZipFile: zipFile }), "UpdateFunctionCode"),
    updateFunctionConfiguration: async (name, settings) =>
      asConfiguration(await sendJson("PUT", functionPath(name, "/configuration"), {}, settings), "UpdateFunctionConfiguration"),
    deleteFunction: async (name, qualifier) => {
      await sendJson("DELETE", functionPath(name), { Qualifier: qualifier });
    },
    invoke: async (request) => {
      const headers: Record<string, string> = { "Content-Type": "application/json" };
      if (request.invocationType !== undefined) headers["X-Amz-Invocation-Type"] = request.invocationType;
      if (request.logType !== undefined) headers["X-Amz-Log-Type"] = request.logType;
      const response = await send("POST", functionPath(request.functionName, "/invocations"), { Qualifier: request.qualifier }, {
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === "string" ? value : undefined;
}

function asConfiguration(value: unknown, operation: string): FunctionConfiguration {
  if (isRecord(value) && typeof value.FunctionName === "string") return value as FunctionConfiguration;
  throw new ApiError("InvalidResponse", `${operation} answered without a FunctionConfiguration`, 200);
}

function asGetFunction(value: unknown): GetFunctionResponse {
  if (isRecord(value)) {
    asConfiguration(value.Configuration, "GetFunction");
    return value as GetFunctionResponse;
  }
  throw new ApiError("InvalidResponse", "GetFunction answered without a Configuration", 200);
}

function asList(value: unknown): ListFunctionsResponse {
  if (isRecord(value) && Array.isArray(value.Functions)) {
    for (const item of value.Functions) asConfiguration(item, "ListFunctions");
    if (value.NextMarker !== undefined && value.NextMarker !== null && typeof value.NextMarker !== "string") {
      throw new ApiError("InvalidResponse", "ListFunctions answered a NextMarker that is not a string", 200);
    }
    return value as ListFunctionsResponse;
  }
  throw new ApiError("InvalidResponse", "ListFunctions answered without Functions", 200);
}

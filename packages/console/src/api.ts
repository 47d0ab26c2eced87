// The console's only way to the cluster: Lambda's REST API on the frontend that served the page, each call
// signed with the signed-in key when the API takes only signed calls. Errors come back as AWS words them
// (x-amzn-ErrorType and the body's message).
import { ApiPaths } from "@lambent/lambda-api";
import type {
  AliasConfiguration,
  CreateFunctionRequest,
  FunctionConcurrency,
  FunctionConfiguration,
  GetFunctionResponse,
  ListAliasesResponse,
  ListFunctionsResponse,
  ListVersionsResponse,
} from "@lambent/lambda-api";
import { signRequest, type AccessKey } from "./signing.js";

export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    /** Lambda's error type, such as `TooManyRequestsException`. */
    readonly type: string,
    message: string,
    readonly status: number,
    /** Why a throttle happened (`ReservedFunctionConcurrentInvocationLimitExceeded`, …), when the API says. */
    readonly reason?: string,
  ) {
    super(message);
  }
}

/** A synchronous invocation's answer: a function's own failure is data here, not an ApiError. */
export interface InvokeResult {
  payload: string;
  functionError?: string;
  executedVersion?: string;
  logResult?: string;
  requestId?: string;
}

interface CallOptions {
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}

const segment = encodeURIComponent;

export class LambdaApi {
  constructor(
    private readonly region: string,
    /** The key to sign with; undefined when the API is open. */
    private readonly accessKey: AccessKey | undefined,
  ) {}

  async listFunctions(): Promise<FunctionConfiguration[]> {
    const functions: FunctionConfiguration[] = [];
    let marker: string | undefined;
    do {
      const page = await this.json<ListFunctionsResponse>("GET", ApiPaths.functions, { query: { MaxItems: "50", ...(marker ? { Marker: marker } : {}) } });
      functions.push(...page.Functions);
      marker = page.NextMarker ?? undefined;
    } while (marker);
    return functions;
  }

  getFunction(name: string): Promise<GetFunctionResponse> {
    return this.json("GET", ApiPaths.function(segment(name)));
  }

  createFunction(request: CreateFunctionRequest): Promise<FunctionConfiguration> {
    return this.json("POST", ApiPaths.functions, { body: request });
  }

  /** UpdateFunctionConfiguration with the settings given; the others stay as they are. */
  updateConfiguration(name: string, settings: { MemorySize?: number; Timeout?: number }): Promise<FunctionConfiguration> {
    return this.json("PUT", ApiPaths.functionConfiguration(segment(name)), { body: settings });
  }

  async deleteFunction(name: string): Promise<void> {
    await this.call("DELETE", ApiPaths.function(segment(name)));
  }

  async invoke(name: string, payload: string): Promise<InvokeResult> {
    const response = await this.call("POST", ApiPaths.invocations(segment(name)), { body: payload, headers: { "x-amz-log-type": "Tail" } });
    const optional = (field: keyof InvokeResult, header: string): Partial<InvokeResult> => {
      const value = response.headers.get(header);
      return value === null ? {} : { [field]: value };
    };
    return {
      payload: await response.text(),
      ...optional("functionError", "x-amz-function-error"),
      ...optional("executedVersion", "x-amz-executed-version"),
      ...optional("logResult", "x-amz-log-result"),
      ...optional("requestId", "x-amzn-requestid"),
    };
  }

  async getReservedConcurrency(name: string): Promise<number | undefined> {
    const answer = await this.json<Partial<FunctionConcurrency>>("GET", ApiPaths.functionConcurrency(segment(name)));
    return answer.ReservedConcurrentExecutions ?? undefined;
  }

  async putReservedConcurrency(name: string, reserved: number | undefined): Promise<void> {
    if (reserved === undefined) await this.call("DELETE", ApiPaths.reservedConcurrency(segment(name)));
    else await this.call("PUT", ApiPaths.reservedConcurrency(segment(name)), { body: { ReservedConcurrentExecutions: reserved } });
  }

  async listVersions(name: string): Promise<FunctionConfiguration[]> {
    return (await this.json<ListVersionsResponse>("GET", ApiPaths.versions(segment(name)))).Versions;
  }

  publishVersion(name: string): Promise<FunctionConfiguration> {
    return this.json("POST", ApiPaths.versions(segment(name)), { body: {} });
  }

  async listAliases(name: string): Promise<AliasConfiguration[]> {
    return (await this.json<ListAliasesResponse>("GET", ApiPaths.aliases(segment(name)))).Aliases;
  }

  /** Sends `weight` (0 to 1) of the alias's traffic to `version`; no version clears the routing. */
  setAliasRouting(name: string, alias: string, routing: { version: string; weight: number } | undefined): Promise<AliasConfiguration> {
    const AdditionalVersionWeights = routing ? { [routing.version]: routing.weight } : {};
    return this.json("PUT", ApiPaths.alias(segment(name), segment(alias)), { body: { RoutingConfig: { AdditionalVersionWeights } } });
  }

  private async json<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const response = await this.call(method, path, options);
    const text = await response.text();
    return (text === "" ? {} : JSON.parse(text)) as T;
  }

  private async call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
    const url = new URL(path, window.location.origin);
    for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
    const body = options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    const headers = { ...options.headers };
    const signed = this.accessKey ? await signRequest(this.accessKey, this.region, { method, url, headers, ...(body !== undefined ? { body } : {}) }) : headers;
    const response = await fetch(url, { method, headers: { ...signed, ...(body !== undefined ? { "content-type": "application/json" } : {}) }, ...(body !== undefined ? { body } : {}) });
    if (!response.ok) throw await apiErrorOf(response);
    return response;
  }
}

async function apiErrorOf(response: Response): Promise<ApiError> {
  const type = response.headers.get("x-amzn-errortype")?.split(":")[0] ?? `HTTP ${response.status}`;
  let message = response.statusText;
  let reason: string | undefined;
  try {
    const body = (await response.json()) as { message?: unknown; Message?: unknown; Reason?: unknown };
    const text = body.message ?? body.Message;
    if (typeof text === "string") message = text;
    if (typeof body.Reason === "string") reason = body.Reason;
  } catch {
    // A body that is not JSON (a proxy's page): the status text says enough.
  }
  return new ApiError(type, message, response.status, reason);
}

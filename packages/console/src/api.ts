// The console's only way to the cluster: Lambda's REST API on the frontend that served the page, each call
// signed with the signed-in key when the API takes only signed calls. Errors come back as AWS words them
// (x-amzn-ErrorType and the body's message).
import { ApiPaths } from "@lambent/lambda-api";
import type {
  AliasConfiguration,
  ClusterDescription,
  CreateFunctionRequest,
  FunctionConcurrency,
  FunctionConfiguration,
  GetFunctionMetricsResponse,
  GetFunctionsMetricsResponse,
  GetFunctionResponse,
  GetLogsResponse,
  LogEventResponse,
  ListDeadLettersResponse,
  ListTestEventsResponse,
  QueueStatsResponse,
  RedriveDeadLettersResponse,
  TestEvent,
  UsageReport,
  UsagePeriodQuery,
  ListAliasesResponse,
  ListFunctionsResponse,
  ListVersionsResponse,
  SearchFunctionsResponse,
} from "@lambent/lambda-api";
import type { StepFunctionsOperation, StepFunctionsOperations } from "@lambent/sfn-api";
import { splitLines } from "./ndjson-lines.js";
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
  /** What the signature is for: Lambda's REST API, or Step Functions' JSON protocol. */
  service?: "lambda" | "states";
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  /** The body's content type; JSON unless said. */
  contentType?: string;
  signal?: AbortSignal;
}

const segment = encodeURIComponent;

export class LambdaApi {
  constructor(
    private readonly region: string,
    /** The key to sign with; undefined when the API is open. */
    private readonly accessKey: AccessKey | undefined,
  ) {}

  /** One signed ListFunctions call of one item: whether the API takes this key (sign-in checks it so). */
  async checkAccess(): Promise<void> {
    await this.json<ListFunctionsResponse>("GET", ApiPaths.functions, { query: { MaxItems: "1" } });
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

  /** Lambent's metrics history: one point per minute since `since` (`30m`, `3h`). */
  getMetrics(name: string, since: string): Promise<GetFunctionMetricsResponse> {
    return this.json("GET", ApiPaths.functionMetrics(segment(name)), { query: { since } });
  }

  /** Lambent's GetLogs: the lines since `since` (`15m`, an ISO time), only `requestId`'s when given. */
  async getLogs(name: string, options: { since: string; requestId?: string }): Promise<LogEventResponse[]> {
    const query: Record<string, string> = { since: options.since, ...(options.requestId ? { requestId: options.requestId } : {}) };
    return (await this.json<GetLogsResponse>("GET", ApiPaths.logs(segment(name)), { query })).Events;
  }

  /**
   * GetLogs with `follow=true`: the lines since `since`, then each new one as it is stored, handed to
   * `onEvents` a batch at a time, until `signal` aborts (the promise then resolves).
   */
  async followLogs(name: string, since: string, signal: AbortSignal, onEvents: (events: LogEventResponse[]) => void): Promise<void> {
    const response = await this.call("GET", ApiPaths.logs(segment(name)), { query: { since, follow: "true" }, signal });
    const reader = response.body?.getReader();
    if (!reader) return;
    const decoder = new TextDecoder();
    let pending = "";
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        const split = splitLines(pending, decoder.decode(value, { stream: true }));
        pending = split.rest;
        if (split.lines.length > 0) onEvents(split.lines.map((line) => JSON.parse(line) as LogEventResponse));
      }
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
  }

  async listTestEvents(name: string): Promise<TestEvent[]> {
    return (await this.json<ListTestEventsResponse>("GET", ApiPaths.testEvents(segment(name)))).TestEvents;
  }

  saveTestEvent(name: string, eventName: string, event: string): Promise<TestEvent> {
    return this.json("PUT", ApiPaths.testEvent(segment(name), segment(eventName)), { body: { Event: event } });
  }

  async deleteTestEvent(name: string, eventName: string): Promise<void> {
    await this.call("DELETE", ApiPaths.testEvent(segment(name), segment(eventName)));
  }

  getQueueStats(name: string): Promise<QueueStatsResponse> {
    return this.json("GET", ApiPaths.queue(segment(name)));
  }

  listDeadLetters(name: string): Promise<ListDeadLettersResponse> {
    return this.json("GET", ApiPaths.deadLetters(segment(name)));
  }

  redriveDeadLetters(name: string, sequences: number[]): Promise<RedriveDeadLettersResponse> {
    return this.json("POST", ApiPaths.deadLetterRedrive(segment(name)), { body: { Sequences: sequences } });
  }

  /** UpdateFunctionCode with a zip (base64); the function's other settings stay. */
  updateFunctionCode(name: string, zipFileBase64: string): Promise<FunctionConfiguration> {
    return this.json("PUT", ApiPaths.functionCode(segment(name)), { body: { ZipFile: zipFileBase64 } });
  }

  /** Lambent's SearchFunctions: the page at `offset` of the functions whose name holds `search`, with the counts, and with `metricsSince` the page's minutes. */
  searchFunctions(search: string, offset: number, maxItems: number, metricsSince?: string): Promise<SearchFunctionsResponse> {
    const query: Record<string, string> = { Search: search, Offset: String(offset), MaxItems: String(maxItems) };
    if (metricsSince !== undefined) query.MetricsSince = metricsSince;
    return this.json("GET", ApiPaths.searchFunctions, { query });
  }

  /** Lambent's GetFunctionsMetrics: several functions' minutes in one call. */
  getFunctionsMetrics(names: readonly string[], since: string): Promise<GetFunctionsMetricsResponse> {
    return this.json("GET", ApiPaths.metrics, { query: { FunctionNames: names.join(","), since } });
  }

  /** Lambent's GetUsage: every function's metered requests, billed duration and GB-seconds, priced; all time, or in a period. */
  getUsage(period: UsagePeriodQuery = {}): Promise<UsageReport> {
    const query: Record<string, string> = {};
    if (period.Start !== undefined) query["start"] = period.Start;
    if (period.End !== undefined) query["end"] = period.End;
    return this.json("GET", ApiPaths.usage, { query });
  }

  /** Lambent's GetCluster. */
  getCluster(): Promise<ClusterDescription> {
    return this.json("GET", ApiPaths.cluster);
  }

  /**
   * One Step Functions operation over its JSON protocol (`POST /`, `X-Amz-Target: AWSStepFunctions.<op>`),
   * as the frontend serves it beside the REST API, signed for the `states` service.
   */
  stepFunctions<Op extends StepFunctionsOperation>(operation: Op, input: StepFunctionsOperations[Op]["input"]): Promise<StepFunctionsOperations[Op]["output"]> {
    return this.json("POST", "/", {
      service: "states",
      body: input,
      contentType: "application/x-amz-json-1.0",
      headers: { "x-amz-target": `AWSStepFunctions.${operation}` },
    });
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
    const signed = this.accessKey ? await signRequest(this.accessKey, this.region, { method, url, headers, ...(body !== undefined ? { body } : {}) }, options.service) : headers;
    const response = await fetch(url, {
      method,
      headers: { ...signed, ...(body !== undefined ? { "content-type": options.contentType ?? "application/json" } : {}) },
      ...(body !== undefined ? { body } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (!response.ok) throw await apiErrorOf(response);
    return response;
  }
}

async function apiErrorOf(response: Response): Promise<ApiError> {
  let type = response.headers.get("x-amzn-errortype")?.split(":")[0] ?? `HTTP ${response.status}`;
  let message = response.statusText;
  let reason: string | undefined;
  try {
    const body = (await response.json()) as { message?: unknown; Message?: unknown; Reason?: unknown; __type?: unknown };
    const text = body.message ?? body.Message;
    // Step Functions names its error in the body (`__type`, sometimes with a namespace before a '#').
    if (typeof body.__type === "string" && !response.headers.has("x-amzn-errortype")) type = body.__type.split("#").pop() ?? body.__type;
    if (typeof text === "string") message = text;
    if (typeof body.Reason === "string") reason = body.Reason;
  } catch {
    // A body that is not JSON (a proxy's page): the status text says enough.
  }
  return new ApiError(type, message, response.status, reason);
}

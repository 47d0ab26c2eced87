// Lambent's log calls: a function's log lines since a time (optionally one invocation's), read from the log
// stream (@lambent/log-stream), or followed as new invocations finish. Shapes are PascalCase like the rest
// of the REST API; the HTTP and gRPC faces both call these.
import type { NatsConnection } from "@nats-io/nats-core";
import { LambdaError, invalidParameter, resourceNotFound } from "@lambent/errors";
import { followLogs, parseSince, readLogs, type LogEvent, type LogQuery } from "@lambent/log-stream";
import type { GetLogsResponse, LogEventResponse } from "@lambent/lambda-api";
import { LATEST, functionArn, parseFunctionReference, type ArnScope, type FunctionStore } from "@lambent/registry/functions";

/** The query parameters, as strings from a URL or values from a gRPC request (empty means absent). */
export interface LogsRequest {
  functionName: string;
  /** `10m`, `2h`, `7d`, or an ISO 8601 time; default 10 minutes back. */
  since?: string | undefined;
  requestId?: string | undefined;
  /** At most this many lines, the most recent; default 1000. Not applied when following. */
  limit?: string | number | undefined;
}

export const DEFAULT_LOG_SINCE = "10m";
export const DEFAULT_LOG_LIMIT = 1000;
export const MAX_LOG_LIMIT = 10_000;

export class FunctionLogs {
  constructor(
    private readonly nc: NatsConnection,
    private readonly scope: ArnScope,
    private readonly functions: FunctionStore,
  ) {}

  async get(request: LogsRequest): Promise<GetLogsResponse> {
    const query = await this.query(request);
    const limit = parseLimit(request.limit);
    const events = await readLogs(this.nc, query, limit);
    return { FunctionName: query.functionName, Events: events.map(toLogEventResponse) };
  }

  /**
   * Checks the request (throwing LambdaError before anything is streamed), then gives the lines stored
   * since the start time followed by new ones, until `signal` aborts.
   */
  async follow(request: LogsRequest): Promise<(signal: AbortSignal) => AsyncIterable<LogEventResponse>> {
    const query = await this.query(request);
    const nc = this.nc;
    return async function* (signal) {
      for await (const event of followLogs(nc, query, signal)) yield toLogEventResponse(event);
    };
  }

  private async query(request: LogsRequest): Promise<LogQuery> {
    const { functionName, qualifier } = parseFunctionReference(request.functionName);
    if (qualifier !== undefined) throw invalidParameter("FunctionName must not carry a qualifier: a function's log holds all its versions");
    const sinceText = nonEmpty(request.since) ?? DEFAULT_LOG_SINCE;
    const since = parseSince(sinceText);
    if (!since) throw invalidParameter(`since must be a duration such as 10m, 2h or 7d, or an ISO 8601 time, got '${sinceText}'`);
    if (!(await this.functions.get(functionName, LATEST))) {
      throw resourceNotFound(`Function not found: ${functionArn(this.scope, functionName)}`);
    }
    const requestId = nonEmpty(request.requestId);
    return { functionName, since, ...(requestId !== undefined ? { requestId } : {}) };
  }
}

function parseLimit(value: string | number | undefined): number {
  if (value === undefined || value === "" || value === 0) return DEFAULT_LOG_LIMIT;
  const limit = typeof value === "number" ? value : /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LOG_LIMIT) throw invalidParameter(`limit must be an integer from 1 to ${MAX_LOG_LIMIT}, got '${value}'`);
  return limit;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function toLogEventResponse(event: LogEvent): LogEventResponse {
  const response: LogEventResponse = { Timestamp: event.timestamp, RequestId: event.requestId, Version: event.version, LogStreamName: event.logStreamName, Message: event.message };
  if (event.traceId !== undefined) response.TraceId = event.traceId;
  return response;
}

/** The API's log calls, or a ServiceException when this frontend was built without them. */
export function logsOf(api: { logs?: FunctionLogs | undefined }): FunctionLogs {
  if (!api.logs) throw new LambdaError("ServiceException", "Function logs are not available on this frontend");
  return api.logs;
}

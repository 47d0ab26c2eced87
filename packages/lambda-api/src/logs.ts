// Lambent's function logs: the lines of a function's invocations, as GetLogs answers or streams them.

/** One line of a function's log. */
export interface LogEventResponse {
  /** When the invocation the line belongs to finished, epoch milliseconds. */
  Timestamp: number;
  RequestId: string;
  Version: string;
  LogStreamName: string;
  /** The line as Lambda writes it: `START …`, `<time>\t<request id>\t<LEVEL>\t<message>`, `END …`, `REPORT …`. */
  Message: string;
  /** The invocation's OpenTelemetry trace id (32 hex digits), present when the call was traced. */
  TraceId?: string;
}

/** GetLogs' answer; with `follow=true` the lines come instead as NDJSON, one LogEventResponse each. */
export interface GetLogsResponse {
  FunctionName: string;
  Events: LogEventResponse[];
}

// What the Logs tab makes of GetLogs' lines: the filter applied to the live tail, and one invocation's
// lines gathered into its detail (REPORT fields, version, log stream, the lines themselves).
import type { LogEventResponse } from "@lambent/lambda-api";
import { parseReportLine, type InvocationReport } from "./log-result.js";

/** At most this many lines are kept in the tail; older ones scroll away. */
export const MAX_TAIL_LINES = 2000;

/** Whether a line matches the filter: every word of it, case-insensitive, in the message or the request id. */
export function matchesFilter(event: LogEventResponse, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter((word) => word !== "");
  const text = `${event.RequestId} ${event.Message}`.toLowerCase();
  return words.every((word) => text.includes(word));
}

/** The tail with `incoming` added, keeping the newest MAX_TAIL_LINES. */
export function appendToTail(tail: readonly LogEventResponse[], incoming: readonly LogEventResponse[]): LogEventResponse[] {
  const next = [...tail, ...incoming];
  return next.length > MAX_TAIL_LINES ? next.slice(next.length - MAX_TAIL_LINES) : next;
}

export interface InvocationDetail {
  requestId: string;
  version?: string;
  logStreamName?: string;
  /** When the invocation finished, epoch ms. */
  finishedAt?: number;
  report?: InvocationReport;
  /** The call's OpenTelemetry trace id, when it was traced. */
  traceId?: string;
  /** The lines as Lambda writes them. */
  lines: string[];
}

export function invocationDetailOf(requestId: string, events: readonly LogEventResponse[]): InvocationDetail {
  const own = events.filter((event) => event.RequestId === requestId);
  const first = own[0];
  // The platform writes REPORT last; the last one wins over anything that looks like it before.
  let reportLine: LogEventResponse | undefined;
  for (const event of own) if (event.Message.startsWith("REPORT ")) reportLine = event;
  const report = reportLine ? parseReportLine(reportLine.Message) : undefined;
  const traceId = own.find((event) => event.TraceId !== undefined)?.TraceId;
  return {
    requestId,
    ...(first ? { version: first.Version, logStreamName: first.LogStreamName, finishedAt: first.Timestamp } : {}),
    ...(report ? { report } : {}),
    ...(traceId !== undefined ? { traceId } : {}),
    lines: own.map((event) => event.Message),
  };
}

/** A trace viewer's page for `traceId`: the configured URL with `{traceId}` replaced. */
export function traceLinkOf(template: string, traceId: string): string {
  return template.replaceAll("{traceId}", encodeURIComponent(traceId));
}

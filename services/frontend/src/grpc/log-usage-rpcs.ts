// GetLogs (server streaming) and GetUsage over the API's log and usage calls: the gRPC twins of the REST
// routes in http/log-usage-routes.ts.
import { status as GrpcStatus } from "@grpc/grpc-js";
import type { LogEventResponse, UsageFigures as ReportFigures, UsageReport } from "@lambent/lambda-api";
import type * as proto from "@lambent/proto";
import type { Logger } from "@lambent/telemetry";
import type { FrontendApi } from "../api.js";
import { logsOf, type LogsRequest } from "../control-plane/logs.js";
import { usageOf } from "../control-plane/usage.js";
import { toGrpcServiceError } from "./error-status.js";
import type { ServerStreamingHandler } from "./http2-grpc-server.js";

export async function getUsageRpc(api: FrontendApi, request: proto.GetUsageRequest): Promise<proto.GetUsageResponse> {
  const usage = usageOf(api);
  const period = { Start: request.start || undefined, End: request.end || undefined };
  const report = request.functionName === "" ? await usage.all(period) : await usage.ofFunction(request.functionName, period);
  return toProtoUsage(report);
}

function toProtoUsage(report: UsageReport): proto.GetUsageResponse {
  return {
    functions: report.Functions.map((fn) => ({
      functionName: fn.FunctionName,
      usage: figures(fn),
      versions: fn.Versions.map((version) => ({ version: version.Version, usage: figures(version) })),
    })),
    total: figures(report),
    pricePerMillionRequests: report.Prices.PerMillionRequests,
    pricePerGbSecond: report.Prices.PerGbSecond,
    periodStart: report.Period?.Start ?? "",
    periodEnd: report.Period?.End ?? "",
    daily: (report.Daily ?? []).map((day) => ({ date: day.Date, usage: figures(day) })),
  };
}

function figures(usage: ReportFigures): proto.UsageFigures {
  return { requests: usage.Requests, billedDurationMs: usage.BilledDurationMs, gbSeconds: usage.GbSeconds, estimatedCost: usage.EstimatedCost };
}

/** GetLogs: every line as one message; ends after the stored lines, or on cancel when following. */
export function getLogsRpc(api: FrontendApi, logger: Logger): ServerStreamingHandler<proto.GetLogsRequest> {
  return (call) => {
    const { request } = call;
    const query: LogsRequest = {
      functionName: request.functionName,
      since: request.since,
      requestId: request.requestId,
      limit: request.limit,
    };
    const run = async (): Promise<void> => {
      const logs = logsOf(api);
      if (!request.follow) {
        for (const event of (await logs.get(query)).Events) call.write(toProtoLogEvent(event));
        return;
      }
      const open = await logs.follow(query);
      const cancelled = new AbortController();
      call.on("cancelled", () => cancelled.abort());
      call.on("close", () => cancelled.abort());
      for await (const event of open(cancelled.signal)) call.write(toProtoLogEvent(event));
    };
    run().then(
      () => call.end(),
      (error: unknown) => {
        const serviceError = toGrpcServiceError(error);
        if (serviceError.code === GrpcStatus.INTERNAL) logger.error("gRPC call failed", { method: "getLogs", err: error });
        // A server stream's error event sets its status and ends it.
        call.emit("error", serviceError);
      },
    );
  };
}

function toProtoLogEvent(event: LogEventResponse): proto.LogEvent {
  return { timestamp: event.Timestamp, requestId: event.RequestId, version: event.Version, logStreamName: event.LogStreamName, message: event.Message, traceId: event.TraceId ?? "" };
}

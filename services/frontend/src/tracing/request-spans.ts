// Server spans for the frontend's two faces: each HTTP route and gRPC method call is one span that
// continues the caller's trace (`traceparent`, else `X-Amzn-Trace-Id`) and is handed to the route, so an
// invocation continues it on to the worker; the trace id goes back to the caller.
import type { IncomingMessage, ServerResponse } from "node:http";
import { Metadata } from "@grpc/grpc-js";
import type { TraceSpan, Tracer } from "@lambent/telemetry";

/** The response header (HTTP) and metadata key (gRPC, lower case) that return the trace id. */
export const TRACE_ID_HEADER = "X-Amzn-Trace-Id";
export const TRACE_ID_METADATA = "x-amzn-trace-id";

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Runs one HTTP route under a server span named for its operation; sets the trace id header first. */
export async function traceHttpRoute<T>(
  tracer: Tracer,
  operation: string,
  request: IncomingMessage,
  response: ServerResponse,
  run: (span: TraceSpan) => Promise<T>,
): Promise<T> {
  const span = tracer.start(operation, {
    kind: "server",
    parent: { traceparent: single(request.headers["traceparent"]), amznTraceId: single(request.headers["x-amzn-trace-id"]) },
    attributes: { "http.request.method": request.method ?? "GET", "rpc.method": operation },
  });
  response.setHeader(TRACE_ID_HEADER, span.amznTraceId);
  return settle(span, run(span));
}

/** Runs one gRPC method under a server span; the trace id goes out in the response's initial metadata. */
export async function traceGrpcCall<T>(
  tracer: Tracer,
  method: string,
  call: { metadata: Metadata; sendMetadata(metadata: Metadata): void },
  run: (span: TraceSpan) => Promise<T>,
): Promise<T> {
  const text = (key: string): string | undefined => {
    const value = call.metadata.get(key)[0];
    return typeof value === "string" ? value : undefined;
  };
  const span = tracer.start(`lambent.v1.Lambda/${method}`, {
    kind: "server",
    parent: { traceparent: text("traceparent"), amznTraceId: text(TRACE_ID_METADATA) },
    attributes: { "rpc.system": "grpc", "rpc.service": "lambent.v1.Lambda", "rpc.method": method },
  });
  const metadata = new Metadata();
  metadata.set(TRACE_ID_METADATA, span.amznTraceId);
  call.sendMetadata(metadata);
  return settle(span, run(span));
}

async function settle<T>(span: TraceSpan, running: Promise<T>): Promise<T> {
  try {
    return await running;
  } catch (error) {
    span.fail(error);
    throw error;
  } finally {
    span.end();
  }
}

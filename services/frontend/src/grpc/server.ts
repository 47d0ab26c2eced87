// The frontend's gRPC face: lambent.v1.Lambda over the FrontendApi, plus the standard health and
// reflection services, served on Node's own HTTP/2 server (http2-grpc-server.ts; grpc-js's server cost
// the frontend nearly three times an HTTP Invoke's CPU, docs/performance.md). Binding and shutdown stay
// with the caller, so tests can listen on port 0.
import { dirname } from "node:path";
import { status as GrpcStatus, type ServiceDefinition } from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation, protoPath as healthProtoPath, type ServingStatus } from "grpc-health-check";
import { LambdaService, PROTO_INCLUDE_DIR, Workflows, protobufFileName, protobufPackage } from "@lambent/proto";
import type { Logger } from "@lambent/telemetry";
import { tracer } from "@lambent/telemetry";
import { traceGrpcCall } from "../tracing/request-spans.js";
import type { FrontendApi } from "../api.js";
import { toGrpcServiceError } from "./error-status.js";
import type { ApiAuth } from "../http/api-auth.js";
import { signedCallsOnly } from "./signed-calls.js";
import { Http2GrpcServer, type ServiceImplementation, type UnaryHandler } from "./http2-grpc-server.js";
import { getLogsRpc } from "./log-usage-rpcs.js";
import { createLambdaRpcHandlers, lambdaLogType } from "./handlers.js";
import { invokeWithResponseStreamRpc } from "./response-stream-rpc.js";
import { workflowRpcs } from "./workflow-rpcs.js";
import type { LambdaMethod, LambdaRpcHandlers, RequestOf, ResponseOf } from "./lambda-methods.js";

/** The full name health checks and reflection know the Lambda service by. */
export const LAMBDA_SERVICE_NAME = `${protobufPackage}.Lambda`;

export interface GrpcServerOptions {
  logger: Logger;
  /** When given, every call must be signed with one of these keys (LAMBENT_API_AUTH=sigv4). */
  auth?: ApiAuth;
  /** The role CreateFunction gives a function whose request names none (gRPC's `role` may be empty). */
  defaultRole?: string;
}

export interface GrpcServer {
  /** Unbound: the caller listens (`listen`) and closes it. */
  server: Http2GrpcServer;
  /** Health status of the server ("") and of lambent.v1.Lambda; NOT_SERVING until set to true. */
  setServing(serving: boolean): void;
}

const MAX_RECEIVE_BYTES = 70 * 1024 * 1024;
/** 6 MB responses plus framing. */
const MAX_SEND_BYTES = 8 * 1024 * 1024;

export function buildGrpcServer(api: FrontendApi, options: GrpcServerOptions): GrpcServer {
  const logger = options.logger.child({ component: "grpc" });
  const server = new Http2GrpcServer({
    logger,
    // Zips of up to 50 MB arrive as bytes, and invoke payloads past 6 MB must reach our own check to be
    // answered as RequestTooLargeException rather than cut off by the transport.
    maxReceiveBytes: MAX_RECEIVE_BYTES,
    maxSendBytes: MAX_SEND_BYTES,
    ...(options.auth
      ? { gate: signedCallsOnly(options.auth, async (name, qualifier) => JSON.parse((await api.controlPlane.getPolicy(name, qualifier)).Policy ?? "{}") as unknown) }
      : {}),
  });

  server.addService(LambdaService as unknown as ServiceDefinition, {
    ...toUnaryImplementation(createLambdaRpcHandlers(api, options.defaultRole), logger),
    getLogs: getLogsRpc(api, logger),
    invokeWithResponseStream: invokeWithResponseStreamRpc(api, logger, lambdaLogType),
  });
  server.addService(Workflows.WorkflowsService as unknown as ServiceDefinition, workflowRpcs(api.workflows, logger));

  // Both helpers only call `addService`, which this server has in grpc-js's shape.
  const health = new HealthImplementation({ "": "NOT_SERVING", [LAMBDA_SERVICE_NAME]: "NOT_SERVING" });
  health.addToServer(server as unknown as Parameters<HealthImplementation["addToServer"]>[0]);

  new ReflectionService(loadReflectedProtos()).addToServer(server as unknown as Parameters<ReflectionService["addToServer"]>[0]);

  return {
    server,
    setServing(serving) {
      const status: ServingStatus = serving ? "SERVING" : "NOT_SERVING";
      health.setStatus("", status);
      health.setStatus(LAMBDA_SERVICE_NAME, status);
    },
  };
}

/** Wraps each RPC handler: answers with its result, or with its error as a gRPC status. */
function toUnaryImplementation(handlers: LambdaRpcHandlers, logger: Logger): ServiceImplementation {
  const bind = <M extends LambdaMethod>(method: M): UnaryHandler<RequestOf<M>, ResponseOf<M>> => {
    const handle = handlers[method];
    return (call, callback) => {
      const tracing = tracer();
      (tracing.enabled ? traceGrpcCall(tracing, method, call, (span) => handle(call.request, span)) : handle(call.request)).then(
        (response) => callback(null, response),
        (error: unknown) => {
          const serviceError = toGrpcServiceError(error);
          if (serviceError.code === GrpcStatus.INTERNAL) logger.error("gRPC call failed", { method, err: error });
          callback(serviceError);
        },
      );
    };
  };
  const implementation: ServiceImplementation = {};
  for (const method of Object.keys(handlers) as LambdaMethod[]) implementation[method] = bind(method);
  return implementation;
}

/** The Lambda and health protos, named by their import paths, for server reflection. */
function loadReflectedProtos(): protoLoader.PackageDefinition {
  // health.proto sits at <root>/health/v1/health.proto; load it relative to <root> like lambda.proto.
  const healthRoot = dirname(dirname(dirname(healthProtoPath)));
  return protoLoader.loadSync([protobufFileName, Workflows.protobufFileName, "health/v1/health.proto"], {
    includeDirs: [PROTO_INCLUDE_DIR, healthRoot],
  });
}

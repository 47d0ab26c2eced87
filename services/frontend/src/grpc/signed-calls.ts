// gRPC's side of LAMBENT_API_AUTH=sigv4: every call carries `authorization` and `x-amz-date` metadata, a
// SigV4 signature by one of the cluster's access keys over the method's path (as @lambent/request-signing's
// signGrpcCall makes it), and is refused with UNAUTHENTICATED and AWS's error type otherwise, before the
// handler sees the message. A user's key is then held to its policy (http/api-authorization.ts) once the
// request message says which function it is for. Health checks and reflection stay open, as /healthz does
// over HTTP.
import * as grpc from "@grpc/grpc-js";
import { GRPC_SIGNING_HOST } from "@lambent/request-signing";
import { LambdaError, toLambdaError } from "@lambent/errors";
import { refusal, secretLookup, type ApiAuth } from "../http/api-auth.js";
import { authorizeCall, callerOf, functionResourceArn, lambdaAction, type ApiCaller } from "../http/api-authorization.js";
import { verifySigV4 } from "../http/sigv4.js";
import { toGrpcServiceError } from "./error-status.js";

const OPEN_SERVICES = ["/grpc.health.v1.Health/", "/grpc.reflection."];

function metadataHeaders(metadata: grpc.Metadata): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(metadata.getMap())) {
    if (typeof values === "string") headers[name] = values;
  }
  return { ...headers, host: GRPC_SIGNING_HOST };
}

/** The RPC's IAM action: Lambda's RPCs as the REST operations of the same name, Workflows' as Step Functions'. */
function actionOf(path: string): string {
  const [, service = "", method = ""] = /^\/([^/]+)\/([^/]+)$/.exec(path) ?? [];
  return service.endsWith(".Workflows") ? `states:${method}` : lambdaAction(method);
}

/** The function a request message names (its `functionName`, and `qualifier`), as an ARN; else `*`. */
function resourceOf(message: unknown, auth: ApiAuth): string {
  const fields = (typeof message === "object" && message !== null ? message : {}) as { functionName?: unknown; qualifier?: unknown };
  if (typeof fields.functionName !== "string" || fields.functionName === "") return "*";
  const qualifier = typeof fields.qualifier === "string" && fields.qualifier !== "" ? fields.qualifier : undefined;
  return functionResourceArn(fields.functionName, qualifier, { region: auth.region, accountId: auth.accountId ?? "000000000000" });
}

function send(call: grpc.ServerInterceptingCallInterface, error: LambdaError): void {
  const status = toGrpcServiceError(error);
  call.sendStatus({ code: status.code, details: status.details, metadata: status.metadata });
}

/** A function's resource policy document (AddPermission's), read only for an Invoke its caller's policy does not allow. */
export type FunctionPolicyReader = (functionName: string, qualifier: string | undefined) => Promise<unknown>;

export function signedCallsOnly(auth: ApiAuth, functionPolicy: FunctionPolicyReader): grpc.ServerInterceptor {
  const keys = secretLookup(auth);
  return (method, call) => {
    let caller: ApiCaller | undefined;
    const listener = new grpc.ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        if (OPEN_SERVICES.some((prefix) => method.path.startsWith(prefix))) {
          next(metadata);
          return;
        }
        const headers = metadataHeaders(metadata);
        if (headers["authorization"] === undefined) {
          send(call, refusal("missing"));
          return;
        }
        verifySigV4({ method: "POST", rawUrl: method.path, headers, body: new Uint8Array(0) }, keys, { region: auth.region, service: "lambda" }, (auth.now ?? Date.now)()).then(
          (verdict) => {
            if (!verdict.ok) {
              send(call, refusal(verdict.refusal));
              return;
            }
            caller = callerOf(auth, verdict.accessKeyId);
            next(metadata);
          },
          (error: unknown) => send(call, toLambdaError(error)),
        );
      })
      .withOnReceiveMessage((message, next) => {
        if (!caller) {
          next(message);
          return;
        }
        const fields = (typeof message === "object" && message !== null ? message : {}) as { functionName?: unknown; qualifier?: unknown };
        const qualifier = typeof fields.qualifier === "string" && fields.qualifier !== "" ? fields.qualifier : undefined;
        authorizeCall(caller, { action: actionOf(method.path), resource: resourceOf(message, auth) }, () => functionPolicy(String(fields.functionName ?? ""), qualifier)).then(
          () => next(message),
          (error: unknown) => send(call, error as LambdaError),
        );
      })
      .build();
    return new grpc.ServerInterceptingCall(call, new grpc.ResponderBuilder().withStart((next) => next(listener)).build());
  };
}

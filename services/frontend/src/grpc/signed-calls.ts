// gRPC's side of LAMBENT_API_AUTH=sigv4: every call carries `authorization` and `x-amz-date` metadata, a
// SigV4 signature by one of the cluster's access keys over the method's path (as @lambent/request-signing's
// signGrpcCall makes it), and is refused with UNAUTHENTICATED and AWS's error type otherwise, before the
// handler sees the message. Health checks and reflection stay open, as /healthz does over HTTP.
import * as grpc from "@grpc/grpc-js";
import { GRPC_SIGNING_HOST } from "@lambent/request-signing";
import { refusal, type ApiAuth } from "../http/api-auth.js";
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

export function signedCallsOnly(auth: ApiAuth): grpc.ServerInterceptor {
  return (method, call) => {
    const listener = new grpc.ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        if (OPEN_SERVICES.some((prefix) => method.path.startsWith(prefix))) {
          next(metadata);
          return;
        }
        const headers = metadataHeaders(metadata);
        const verdict =
          headers["authorization"] === undefined
            ? ({ ok: false, refusal: "missing" } as const)
            : verifySigV4({ method: "POST", rawUrl: method.path, headers, body: new Uint8Array(0) }, auth.accessKeys, { region: auth.region, service: "lambda" }, (auth.now ?? Date.now)());
        if (verdict.ok) {
          next(metadata);
          return;
        }
        const error = toGrpcServiceError(refusal(verdict.refusal));
        call.sendStatus({ code: error.code, details: error.details, metadata: error.metadata });
      })
      .build();
    return new grpc.ServerInterceptingCall(call, new grpc.ResponderBuilder().withStart((next) => next(listener)).build());
  };
}

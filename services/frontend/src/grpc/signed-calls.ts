// gRPC's side of LAMBENT_API_AUTH=sigv4: every call carries `authorization` and `x-amz-date` metadata, a
// SigV4 signature by one of the cluster's access keys over the method's path (as @lambent/request-signing's
// signGrpcCall makes it), and is refused with UNAUTHENTICATED and AWS's error type otherwise, before the
// handler sees the message. A user's key is then held to its policy (http/api-authorization.ts) once the
// request message says which function it is for. Health checks and reflection stay open, as /healthz does
// over HTTP.
import type { Metadata } from "@grpc/grpc-js";
import { GRPC_SIGNING_HOST } from "@lambent/request-signing";
import { refusal, secretLookup, type ApiAuth } from "../http/api-auth.js";
import { authorizeCall, callerOf, functionResourceArn, lambdaAction } from "../http/api-authorization.js";
import { verifySigV4 } from "../http/sigv4.js";
import type { CallGate } from "./http2-grpc-server.js";

const OPEN_SERVICES = ["/grpc.health.v1.Health/", "/grpc.reflection."];

function metadataHeaders(metadata: Metadata): Record<string, string> {
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

/** A function's resource policy document (AddPermission's), read only for an Invoke its caller's policy does not allow. */
export type FunctionPolicyReader = (functionName: string, qualifier: string | undefined) => Promise<unknown>;

/** The gate every call passes before its handler: a valid signature, then the caller's policy for this message. */
export function signedCallsOnly(auth: ApiAuth, functionPolicy: FunctionPolicyReader): CallGate {
  const keys = secretLookup(auth);
  return (path, metadata, message) => {
    if (OPEN_SERVICES.some((prefix) => path.startsWith(prefix))) return undefined;
    return (async () => {
      const headers = metadataHeaders(metadata);
      if (headers["authorization"] === undefined) throw refusal("missing");
      const verdict = await verifySigV4({ method: "POST", rawUrl: path, headers, body: new Uint8Array(0) }, keys, { region: auth.region, service: "lambda" }, (auth.now ?? Date.now)());
      if (!verdict.ok) throw refusal(verdict.refusal);
      const caller = callerOf(auth, verdict.accessKeyId);
      const fields = (typeof message === "object" && message !== null ? message : {}) as { functionName?: unknown; qualifier?: unknown };
      const qualifier = typeof fields.qualifier === "string" && fields.qualifier !== "" ? fields.qualifier : undefined;
      await authorizeCall(caller, { action: actionOf(path), resource: resourceOf(message, auth) }, () => functionPolicy(String(fields.functionName ?? ""), qualifier));
    })();
  };
}

// Who may call the API: with LAMBENT_API_AUTH=sigv4 (the default in production) every request to Lambda's
// REST API and to Step Functions' is signed with AWS Signature Version 4 by one of the cluster's access
// keys (LAMBENT_ACCESS_KEYS), as the AWS SDKs and CLI sign them, and is refused as AWS refuses it
// otherwise. An unsigned request or an unknown key is refused before its body is read; the body is then
// read once, for the signature and for the route. Function URLs and routes keep their own AuthType;
// health, liveness, metrics and Code.Location downloads (signed by the cluster itself) stay open. gRPC
// calls are signed too (grpc/signed-calls.ts).
import type { IncomingMessage } from "node:http";
import { LambdaError } from "@lambent/errors";
import { callerOf, type ApiAuth, type ApiCaller } from "./api-authorization.js";

export type { ApiAuth } from "./api-authorization.js";
import { readBodyAhead } from "./body.js";
import { claimedAccessKey, verifySigV4, type SigV4Refusal } from "./sigv4.js";


/** The secret of a key, the operator's first. */
export function secretLookup(auth: ApiAuth): { get(accessKeyId: string): string | undefined } {
  return { get: (accessKeyId) => auth.accessKeys.get(accessKeyId) ?? auth.userKeys?.get(accessKeyId)?.secretAccessKey };
}

/** The largest body an API call carries (CreateFunction's base64 zip); a signed request may be that big. */
const SIGNED_BODY_LIMIT = 70 * 1024 * 1024;

/** AWS's own words for each refusal (over gRPC too); the detail of what did not match is not given away. */
export function refusal(kind: SigV4Refusal): LambdaError {
  switch (kind) {
    case "missing":
      return new LambdaError("MissingAuthenticationTokenException", "Missing Authentication Token");
    case "unknown-key":
      return new LambdaError("UnrecognizedClientException", "The security token included in the request is invalid.");
    case "expired":
      return new LambdaError("InvalidSignatureException", "Signature expired: the request's X-Amz-Date is more than 15 minutes from the server's time.");
    case "mismatch":
      return new LambdaError(
        "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
      );
  }
}

/** Who signed the request, or the AWS error for one not signed by a known key for `service` in the cluster's region. */
export async function authenticate(auth: ApiAuth, request: IncomingMessage, service: "lambda" | "states"): Promise<ApiCaller> {
  const rawUrl = request.url ?? "/";
  const keys = secretLookup(auth);
  const claimed = claimedAccessKey({ rawUrl, headers: request.headers });
  if (claimed === undefined) throw refusal("missing");
  if (keys.get(claimed) === undefined) throw refusal("unknown-key");
  const body = await readBodyAhead(request, SIGNED_BODY_LIMIT, () => new LambdaError("RequestTooLargeException", `Request must be smaller than ${SIGNED_BODY_LIMIT} bytes`));
  const verdict = await verifySigV4({ method: request.method ?? "GET", rawUrl, headers: request.headers, body }, keys, { region: auth.region, service }, (auth.now ?? Date.now)());
  if (!verdict.ok) throw refusal(verdict.refusal);
  return callerOf(auth, verdict.accessKeyId);
}

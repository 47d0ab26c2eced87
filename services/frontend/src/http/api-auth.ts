// Who may call the API: with LAMBENT_API_AUTH=sigv4 (the default in production) every request to Lambda's
// REST API and to Step Functions' is signed with AWS Signature Version 4 by one of the cluster's access
// keys (LAMBENT_ACCESS_KEYS), as the AWS SDKs and CLI sign them, and is refused as AWS refuses it
// otherwise. An unsigned request or an unknown key is refused before its body is read; the body is then
// read once, for the signature and for the route. Function URLs and routes keep their own AuthType;
// health, liveness, metrics and Code.Location downloads (signed by the cluster itself) stay open. gRPC
// calls are signed too (grpc/signed-calls.ts).
import type { IncomingMessage } from "node:http";
import { LambdaError } from "@lambent/errors";
import { readBodyAhead } from "./body.js";
import { claimedAccessKey, verifySigV4, type SigV4Refusal } from "./sigv4.js";

export interface ApiAuth {
  accessKeys: ReadonlyMap<string, string>;
  region: string;
  now?: () => number;
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

/** Throws the AWS error for a request not signed by a known key for `service` in the cluster's region. */
export async function authenticate(auth: ApiAuth, request: IncomingMessage, service: "lambda" | "states"): Promise<string> {
  const rawUrl = request.url ?? "/";
  const claimed = claimedAccessKey({ rawUrl, headers: request.headers });
  if (claimed === undefined) throw refusal("missing");
  if (!auth.accessKeys.has(claimed)) throw refusal("unknown-key");
  const body = await readBodyAhead(request, SIGNED_BODY_LIMIT, () => new LambdaError("RequestTooLargeException", `Request must be smaller than ${SIGNED_BODY_LIMIT} bytes`));
  const verdict = verifySigV4({ method: request.method ?? "GET", rawUrl, headers: request.headers, body }, auth.accessKeys, { region: auth.region, service }, (auth.now ?? Date.now)());
  if (!verdict.ok) throw refusal(verdict.refusal);
  return verdict.accessKeyId;
}

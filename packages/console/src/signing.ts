// SigV4 in the browser: the headers that sign one API call with the signed-in access key, as the AWS SDKs
// sign them (the same @smithy signer, with a SHA-256 in plain JavaScript, so plain-HTTP origins work too,
// where WebCrypto is not offered).
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface UnsignedRequest {
  method: string;
  url: URL;
  /** Headers to sign besides Host and X-Amz-Date. */
  headers: Record<string, string>;
  body?: string;
}

/** The request's headers with X-Amz-Date and Authorization added; Host is signed but left for the browser to send. */
export async function signRequest(key: AccessKey, region: string, request: UnsignedRequest, service: "lambda" | "states" = "lambda"): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials: key, region, service, sha256: Sha256 });
  const signed = await signer.sign({
    method: request.method,
    protocol: request.url.protocol,
    hostname: request.url.hostname,
    ...(request.url.port ? { port: Number(request.url.port) } : {}),
    path: request.url.pathname,
    query: Object.fromEntries(request.url.searchParams),
    headers: { ...request.headers, host: request.url.host },
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  const { host: _host, ...headers } = signed.headers;
  return headers;
}

// A function's request to Lambda's REST API other than Invoke (the AWS SDK's LambdaClient inside a
// function, at lambda.lambent.internal) or to CodeDeploy's JSON API (its CodeDeployClient, at
// codedeploy.lambent.internal), as a worker sends it to the frontends and as they answer it. The
// worker names who asks (the invocation's execution role, from the function's configuration, never from
// the request); the frontend serves the request as that role. One frame each way: a JSON header, then
// the HTTP body as raw bytes. The limits both sides hold are here.
import { decodeFrame, encodeFrame } from "./frame.js";
import { isRecord } from "./guards.js";

/** The largest request body a function may send: Lambda's synchronous payload limit, within NATS's 8 MB messages. */
export const MAX_FUNCTION_API_REQUEST_BYTES = 6 * 1024 * 1024;
/** The largest answer body a function gets back. */
export const MAX_FUNCTION_API_ANSWER_BYTES = 6 * 1024 * 1024;
/** Request headers together (names and values), as Node's HTTP server takes them by default. */
export const MAX_FUNCTION_API_HEADER_BYTES = 16 * 1024;
/** How long a call may take, when the invocation has longer left. */
export const FUNCTION_API_TIMEOUT_MS = 30_000;

/** The APIs a function reaches through the frontends: the endpoint it sent the request to. */
export const FUNCTION_API_ENDPOINTS = ["lambda", "codedeploy"] as const;
export type FunctionApiEndpoint = (typeof FUNCTION_API_ENDPOINTS)[number];

export interface FunctionApiRequest {
  /** Which API the request is for; absent: Lambda's (what workers sent before there was another). */
  endpoint?: FunctionApiEndpoint;
  /** The calling function's execution role: the principal the call is authorized as. */
  roleArn: string;
  functionName: string;
  /** The calling invocation, for the frontend's logs. */
  requestId: string;
  method: string;
  /** Path and query, as the function sent them (percent-encoded). */
  path: string;
  headers: [string, string][];
  /** The frontend gives up after this long: the caller stops waiting then. */
  timeoutMs: number;
}

export interface FunctionApiAnswer {
  status: number;
  headers: [string, string][];
}

const METHOD = /^[A-Z]{1,16}$/;

function isHeaderList(value: unknown): value is [string, string][] {
  return Array.isArray(value) && value.every((pair) => Array.isArray(pair) && pair.length === 2 && typeof pair[0] === "string" && typeof pair[1] === "string");
}

export function encodeFunctionApiRequest(request: FunctionApiRequest, body: Uint8Array): Uint8Array {
  return encodeFrame(request, body);
}

/** The request a frame carries; throws on anything that is not one (the sender is a worker, checked anyway). */
export function decodeFunctionApiRequest(frame: Uint8Array): { request: FunctionApiRequest; body: Uint8Array } {
  const { header, payload } = decodeFrame(frame);
  if (
    !isRecord(header) ||
    typeof header["roleArn"] !== "string" ||
    typeof header["functionName"] !== "string" ||
    typeof header["requestId"] !== "string" ||
    typeof header["method"] !== "string" ||
    !METHOD.test(header["method"]) ||
    typeof header["path"] !== "string" ||
    !header["path"].startsWith("/") ||
    !isHeaderList(header["headers"]) ||
    typeof header["timeoutMs"] !== "number" ||
    !(header["timeoutMs"] > 0) ||
    (header["endpoint"] !== undefined && !(FUNCTION_API_ENDPOINTS as readonly unknown[]).includes(header["endpoint"]))
  ) {
    throw new Error("not a function API request");
  }
  if (payload.length > MAX_FUNCTION_API_REQUEST_BYTES) throw new Error(`a function API request body is at most ${MAX_FUNCTION_API_REQUEST_BYTES} bytes`);
  const request: FunctionApiRequest = {
    roleArn: header["roleArn"],
    functionName: header["functionName"],
    requestId: header["requestId"],
    method: header["method"],
    path: header["path"],
    headers: header["headers"],
    timeoutMs: Math.min(header["timeoutMs"], FUNCTION_API_TIMEOUT_MS),
  };
  if (header["endpoint"] !== undefined) request.endpoint = header["endpoint"] as FunctionApiEndpoint;
  return { request, body: payload };
}

export function encodeFunctionApiAnswer(answer: FunctionApiAnswer, body: Uint8Array): Uint8Array {
  return encodeFrame(answer, body);
}

export function decodeFunctionApiAnswer(frame: Uint8Array): { answer: FunctionApiAnswer; body: Uint8Array } {
  const { header, payload } = decodeFrame(frame);
  if (!isRecord(header) || typeof header["status"] !== "number" || !(header["status"] >= 100 && header["status"] <= 599) || !isHeaderList(header["headers"])) {
    throw new Error("not a function API answer");
  }
  if (payload.length > MAX_FUNCTION_API_ANSWER_BYTES) throw new Error(`a function API answer body is at most ${MAX_FUNCTION_API_ANSWER_BYTES} bytes`);
  return { answer: { status: header["status"], headers: header["headers"] }, body: payload };
}

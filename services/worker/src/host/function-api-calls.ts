// Functions' Lambda API requests other than Invoke (lambda-endpoint.ts) and CodeDeploy requests
// (codedeploy-endpoint.ts): a request a function sends to lambda.lambent.internal or
// codedeploy.lambent.internal goes to the frontends over NATS (one of them takes it, queue group), which
// serve it as the function's execution role, naming the endpoint it was sent to. Who asks is the
// invocation's role as the host knows it, never anything in the request. The body is capped before it is
// sent, the answer when it comes back, and the caller waits no longer than the invocation runs or
// FUNCTION_API_TIMEOUT_MS.
import type { NatsConnection } from "@nats-io/nats-core";
import {
  FUNCTION_API_TIMEOUT_MS,
  MAX_FUNCTION_API_HEADER_BYTES,
  MAX_FUNCTION_API_REQUEST_BYTES,
  NoRespondersError,
  RequestReply,
  RequestTimeoutError,
  Subjects,
  decodeFunctionApiAnswer,
  encodeFunctionApiRequest,
  type FunctionApiEndpoint,
  type FunctionApiRequest,
} from "@lambent/protocol";
import { LambdaError, serviceError } from "@lambent/errors";
import type { FetchRequestData, FetchResponseData } from "./fetch.js";
import type { CallerContext } from "./function-calls.js";

/** Carries out a function's Lambda API request; the worker's is NatsFunctionApiCalls. */
export interface FunctionApiCalls {
  /** Resolves with the API's answer; rejects with a LambdaError. `signal` aborts when the caller's invocation ends. */
  call(request: FetchRequestData, caller: CallerContext, signal: AbortSignal, endpoint?: FunctionApiEndpoint): Promise<FetchResponseData>;
  close(): void;
}

/** Headers that describe the connection or the body's framing: the frontend's side of the request sets its own. */
const CONNECTION_HEADERS = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive", "upgrade", "te", "trailer", "expect", "proxy-connection"]);

/** The request as it goes to the frontends, or the LambdaError refusing it here. */
export function functionApiRequestOf(request: FetchRequestData, caller: CallerContext, timeoutMs: number, endpoint: FunctionApiEndpoint = "lambda"): FunctionApiRequest {
  if (caller.roleArn === undefined || caller.functionName === undefined) throw serviceError("The calling function's identity is not known");
  const body = request.body ?? new Uint8Array(0);
  if (body.length > MAX_FUNCTION_API_REQUEST_BYTES) {
    throw new LambdaError("RequestTooLargeException", `Request must be smaller than ${MAX_FUNCTION_API_REQUEST_BYTES} bytes for the operation`);
  }
  const headers: [string, string][] = [];
  let headerBytes = 0;
  for (const [name, value] of request.headers) {
    headerBytes += name.length + value.length;
    if (!CONNECTION_HEADERS.has(name.toLowerCase())) headers.push([name.toLowerCase(), value]);
  }
  if (headerBytes > MAX_FUNCTION_API_HEADER_BYTES) throw new LambdaError("RequestTooLargeException", `Request headers must be smaller than ${MAX_FUNCTION_API_HEADER_BYTES} bytes`);
  const url = new URL(request.url);
  return {
    endpoint,
    roleArn: caller.roleArn,
    functionName: caller.functionName,
    requestId: caller.requestId,
    method: request.method.toUpperCase(),
    path: `${url.pathname}${url.search}`,
    headers,
    timeoutMs,
  };
}

export class NatsFunctionApiCalls implements FunctionApiCalls {
  private readonly requests: RequestReply;

  constructor(nc: NatsConnection) {
    this.requests = new RequestReply(nc);
  }

  close(): void {
    this.requests.close();
  }

  async call(request: FetchRequestData, caller: CallerContext, signal: AbortSignal, endpoint: FunctionApiEndpoint = "lambda"): Promise<FetchResponseData> {
    // The frontend stops when the invocation would; this side waits a moment longer for its answer.
    const timeoutMs = Math.max(1, Math.min(FUNCTION_API_TIMEOUT_MS, caller.deadlineMs - Date.now()));
    const frame = encodeFunctionApiRequest(functionApiRequestOf(request, caller, timeoutMs, endpoint), request.body ?? new Uint8Array(0));
    let reply;
    try {
      reply = await this.requests.request(Subjects.functionApi, frame, timeoutMs + 1000, undefined, signal);
    } catch (error) {
      if (error instanceof NoRespondersError) throw serviceError("No frontend is serving Lambda API requests from functions right now");
      if (error instanceof RequestTimeoutError) throw serviceError(`No answer from Lambent's API within ${timeoutMs} ms`);
      throw error;
    }
    let decoded;
    try {
      decoded = decodeFunctionApiAnswer(reply.data);
    } catch (error) {
      throw serviceError(`The API's answer could not be read: ${error instanceof Error ? error.message : String(error)}`);
    }
    // A copy of exactly the body: the payload is a view into the message.
    return { url: request.url, status: decoded.answer.status, statusText: "", headers: decoded.answer.headers, body: new Uint8Array(decoded.body), redirected: false };
  }
}

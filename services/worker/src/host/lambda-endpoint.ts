// Lambda's API inside functions: the AWS SDK's LambdaClient in a function, pointed at
// http://lambda.lambent.internal (the runtime's default AWS_ENDPOINT_URL_LAMBDA), reaches Lambent itself
// without the egress policy opening the cluster's own network. The host takes such a request before it
// leaves the machine: Invoke becomes a function call, with the same checks, limits, admission and tracing
// as `lambent:functions`, answered in Lambda's REST shape; any other operation goes to the frontends
// (function-api-calls.ts), which serve it as the function's execution role.
import { HttpStatusOfError, isLambdaErrorType } from "@lambent/errors";
import type { FetchRequestData, FetchResponseData } from "./fetch.js";
import type { FunctionCallData, FunctionCallFailure, FunctionCallOutput } from "./function-calls.js";

export const LAMBDA_ENDPOINT_HOST = "lambda.lambent.internal";
/** Put in every function's environment as AWS_ENDPOINT_URL_LAMBDA unless the operator or the function names another. */
export const LAMBDA_ENDPOINT_URL = `http://${LAMBDA_ENDPOINT_HOST}`;

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

export function isLambdaEndpoint(url: string): boolean {
  try {
    return new URL(url).hostname === LAMBDA_ENDPOINT_HOST;
  } catch {
    return false;
  }
}

const header = (request: FetchRequestData, name: string): string | undefined => request.headers.find(([key]) => key.toLowerCase() === name)?.[1];

/**
 * An Invoke request as a function call's data, or the error answer for a malformed one; undefined for
 * any other operation, which the frontends serve.
 */
export function invokeRequestOf(request: FetchRequestData): { call: FunctionCallData } | { answer: FetchResponseData } | undefined {
  const url = new URL(request.url);
  const match = INVOKE_PATH.exec(url.pathname);
  if (request.method.toUpperCase() !== "POST" || !match) return undefined;
  let functionName: string;
  try {
    functionName = decodeURIComponent(match[1]!);
  } catch {
    return { answer: errorAnswer(request.url, { type: "InvalidParameterValueException", message: "FunctionName is not valid percent-encoding" }) };
  }
  const call: FunctionCallData = {
    functionName,
    invocationType: header(request, "x-amz-invocation-type") ?? "RequestResponse",
    logType: header(request, "x-amz-log-type") ?? "None",
    payload: request.body ?? new Uint8Array(0),
  };
  const qualifier = url.searchParams.get("Qualifier");
  if (qualifier !== null) call.qualifier = qualifier;
  const clientContext = header(request, "x-amz-client-context");
  if (clientContext !== undefined) call.clientContext = clientContext;
  return { call };
}

/** A call's output as Lambda's REST API answers Invoke. */
export function invokeAnswer(url: string, output: FunctionCallOutput): FetchResponseData {
  const headers: [string, string][] = [["content-type", "application/json"]];
  if (output.executedVersion !== undefined) headers.push(["x-amz-executed-version", output.executedVersion]);
  if (output.functionError !== undefined) headers.push(["x-amz-function-error", output.functionError]);
  if (output.logResult !== undefined) headers.push(["x-amz-log-result", output.logResult]);
  return { url, status: output.statusCode, statusText: "", headers, body: output.payload, redirected: false };
}

/** A refusal as Lambda's REST API answers it: the status of its type, `x-amzn-errortype`, `{Type, message}`. */
export function errorAnswer(url: string, failure: FunctionCallFailure): FetchResponseData {
  const status = isLambdaErrorType(failure.type) ? HttpStatusOfError[failure.type] : 500;
  const body = { Type: status >= 500 ? "Service" : "User", message: failure.message, ...failure.fields };
  return {
    url,
    status,
    statusText: "",
    headers: [
      ["content-type", "application/json"],
      ["x-amzn-errortype", failure.type],
    ],
    body: new TextEncoder().encode(JSON.stringify(body)),
    redirected: false,
  };
}

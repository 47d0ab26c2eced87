// Writing responses in Lambda's wire format, errors included.
import type { ServerResponse } from "node:http";
import { toLambdaError } from "@lambent/errors";
import { HttpStatusOfError } from "./error-status.js";

export function sendJson(response: ServerResponse, status: number, body: unknown, requestId: string): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  response.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    "x-amzn-RequestId": requestId,
  });
  response.end(text);
}

/**
 * Lambda's error model: the type in `x-amzn-ErrorType`, a JSON body with `Type` (User or Service) and
 * `message`, plus extra fields such as `Reason` for throttles.
 */
export function sendError(response: ServerResponse, error: unknown, requestId: string): void {
  const lambdaError = toLambdaError(error);
  const status = HttpStatusOfError[lambdaError.type];
  const body = { Type: status >= 500 ? "Service" : "User", message: lambdaError.message, ...lambdaError.fields };
  const text = JSON.stringify(body);
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    "x-amzn-RequestId": requestId,
    "x-amzn-ErrorType": lambdaError.type,
  });
  response.end(text);
}

// Writing responses in Lambda's wire format, errors included.
import type { ServerResponse } from "node:http";
import { toLambdaError } from "@lambent/errors";
import { errorBodyModel } from "@lambent/lambda-model";
import { HttpStatusOfError } from "@lambent/errors";

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
 * Lambda's error model: the type in `x-amzn-ErrorType` and a JSON body with the fields the service model
 * gives the error — `Type` (User or Service) and the message as `Message` or `message`, whichever the
 * model spells — plus extra fields such as `Reason` for throttles.
 */
export function sendError(response: ServerResponse, error: unknown, requestId: string): void {
  const lambdaError = toLambdaError(error);
  const status = HttpStatusOfError[lambdaError.type];
  const text = JSON.stringify(errorBody(lambdaError.type, status, lambdaError.message, lambdaError.fields));
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

/** The JSON body of an error, as the service model shapes it. */
export function errorBody(type: string, status: number, message: string, fields: Readonly<Record<string, string>>): Record<string, string> {
  const model = errorBodyModel(type);
  const body: Record<string, string> = {};
  if (model.hasType) body["Type"] = status >= 500 ? "Service" : "User";
  body[model.messageField] = message;
  return { ...body, ...fields };
}

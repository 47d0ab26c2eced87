// A Task state's Lambda call as Step Functions makes it: which function, with what payload, and how the
// answer becomes the state's result (the function's own output for a function ARN; the Invoke response's
// shape for `arn:aws:states:::lambda:invoke`) or its error (the function's `errorType`, with its payload
// as the cause).
import { isObject, toJsonText, type Json } from "./json.js";
import type { TaskResource } from "./definition.js";
import { StatesError, StatesErrors } from "./states-error.js";

export interface LambdaCall {
  /** A name, `name:qualifier`, or a full or partial ARN, as Invoke's FunctionName takes. */
  functionName: string;
  qualifier?: string;
  payload: Json;
  /** `lambda:invoke`'s InvocationType: Event runs it asynchronously and answers at once. */
  invocationType: "RequestResponse" | "Event";
}

/** The call a task makes; a `lambda:invoke` without FunctionName is States.Runtime. */
export function lambdaCall(resource: TaskResource, input: Json): LambdaCall {
  if (resource.kind === "function") return { functionName: resource.functionArn, payload: input, invocationType: "RequestResponse" };
  if (!isObject(input) || typeof input["FunctionName"] !== "string") {
    throw new StatesError(StatesErrors.runtime, "The field 'FunctionName' is required in the Parameters of arn:aws:states:::lambda:invoke");
  }
  const qualifier = input["Qualifier"];
  const invocationType = input["InvocationType"];
  return {
    functionName: input["FunctionName"],
    ...(typeof qualifier === "string" ? { qualifier } : {}),
    payload: input["Payload"] ?? {},
    invocationType: invocationType === "Event" ? "Event" : "RequestResponse",
  };
}

export interface LambdaAnswer {
  requestId: string;
  executedVersion: string;
  /** The function's response bytes as text. */
  payload: string;
  functionError?: string;
  /** 200 for RequestResponse, 202 for Event. */
  statusCode: number;
}

/** The state's result for a function's answer; a function error throws StatesError(errorType, payload). */
export function lambdaResult(resource: TaskResource, answer: LambdaAnswer): Json {
  let parsed: Json = null;
  if (answer.payload !== "") {
    try {
      parsed = JSON.parse(answer.payload) as Json;
    } catch {
      parsed = answer.payload;
    }
  }
  if (answer.functionError) {
    const errorType = isObject(parsed) && typeof parsed["errorType"] === "string" ? parsed["errorType"] : "Lambda.Unknown";
    throw new StatesError(errorType, isObject(parsed) ? toJsonText(parsed) : answer.payload);
  }
  if (resource.kind === "function") return parsed;
  return {
    ExecutedVersion: answer.executedVersion,
    Payload: parsed,
    SdkHttpMetadata: { HttpHeaders: { "Content-Type": "application/json", "X-Amz-Executed-Version": answer.executedVersion, "x-amzn-RequestId": answer.requestId }, HttpStatusCode: answer.statusCode },
    SdkResponseMetadata: { RequestId: answer.requestId },
    StatusCode: answer.statusCode,
  };
}

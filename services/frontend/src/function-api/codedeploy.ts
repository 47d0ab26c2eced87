// CodeDeploy's JSON API as functions reach it (codedeploy.lambent.internal; their requests come over NATS
// like their Lambda API requests, service.ts): `POST /` with `X-Amz-Target: CodeDeploy_20141006.<Operation>`
// and a JSON 1.1 body. Only a deployment hook's PutLifecycleEventHookExecutionStatus is served, checked
// against the deployment record (packages/registry hook-executions.ts) and written to it; every other
// operation is answered UnknownOperationException. Who reports is the calling function as its worker names
// it, never anything in the request: only the hook invoked with an execution id reports for it.
import { randomUUID } from "node:crypto";
import type { FunctionApiRequest } from "@lambent/protocol";
import { HOOK_VERDICTS, HOOK_EXECUTION_ID, reportHookVerdict, type DeploymentStore, type HookReportRefusal, type HookVerdict } from "@lambent/registry/applications";
import type { Logger } from "@lambent/telemetry";
import type { ServedAnswer } from "./bridge.js";

export const CODEDEPLOY_TARGET_PREFIX = "CodeDeploy_20141006.";
const CONTENT_TYPE = "application/x-amz-json-1.1";
/** The operation's three fields fit in far less; a larger body is not a report. */
export const MAX_CODEDEPLOY_BODY_BYTES = 16 * 1024;
/** CodeDeploy's ids are at most this long; Lambent's deployment ids fit too. */
const MAX_ID_LENGTH = 512;

/** Every error this endpoint answers with, and its HTTP status: AWS answers the JSON protocol's client errors with 400. */
export const HttpStatusOfCodeDeployError = {
  UnknownOperationException: 400,
  SerializationException: 400,
  ValidationException: 400,
  DeploymentIdRequiredException: 400,
  InvalidDeploymentIdException: 400,
  DeploymentDoesNotExistException: 400,
  InvalidLifecycleEventHookExecutionIdException: 400,
  InvalidLifecycleEventHookExecutionStatusException: 400,
  LifecycleEventAlreadyCompletedException: 400,
  AccessDeniedException: 400,
  InternalFailure: 500,
} as const satisfies Record<string, number>;
export type CodeDeployErrorType = keyof typeof HttpStatusOfCodeDeployError;

/** The exception each refusal of a report is answered with. */
const ERROR_OF_REFUSAL: Record<HookReportRefusal, CodeDeployErrorType> = {
  InvalidDeploymentId: "InvalidDeploymentIdException",
  DeploymentDoesNotExist: "DeploymentDoesNotExistException",
  InvalidExecutionId: "InvalidLifecycleEventHookExecutionIdException",
  NotTheHook: "AccessDeniedException",
  AlreadyCompleted: "LifecycleEventAlreadyCompletedException",
};

export class CodeDeployError extends Error {
  override readonly name = "CodeDeployError";

  constructor(
    readonly type: CodeDeployErrorType,
    message: string,
  ) {
    super(message);
  }
}

export interface CodeDeployServing {
  deployments: DeploymentStore;
  logger: Logger;
  now?: () => number;
}

/** A function's CodeDeploy request, answered (errors too) as CodeDeploy's JSON protocol answers it. */
export async function serveCodeDeploy(serving: CodeDeployServing, request: FunctionApiRequest, body: Uint8Array): Promise<ServedAnswer> {
  const requestId = randomUUID();
  try {
    const output = await putLifecycleEventHookExecutionStatus(serving, request, body);
    return answer(200, output, requestId);
  } catch (error) {
    if (error instanceof CodeDeployError) return answer(HttpStatusOfCodeDeployError[error.type], { __type: error.type, message: error.message }, requestId, error.type);
    serving.logger.error("CodeDeploy request failed", { functionName: request.functionName, requestId: request.requestId, err: error });
    return answer(500, { __type: "InternalFailure", message: "The request processing has failed because of an unknown error" }, requestId, "InternalFailure");
  }
}

async function putLifecycleEventHookExecutionStatus(serving: CodeDeployServing, request: FunctionApiRequest, body: Uint8Array): Promise<{ lifecycleEventHookExecutionId: string }> {
  const target = request.headers.find(([name]) => name === "x-amz-target")?.[1] ?? "";
  const operation = target.startsWith(CODEDEPLOY_TARGET_PREFIX) ? target.slice(CODEDEPLOY_TARGET_PREFIX.length) : "";
  if (request.method !== "POST" || request.path.replace(/\?.*$/, "") !== "/" || operation !== "PutLifecycleEventHookExecutionStatus") {
    throw new CodeDeployError("UnknownOperationException", `Lambent serves CodeDeploy's PutLifecycleEventHookExecutionStatus only, for gradual deployments' hooks${operation !== "" ? `: ${operation.slice(0, 100)} is not served` : ""}`);
  }
  if (body.length > MAX_CODEDEPLOY_BODY_BYTES) throw new CodeDeployError("ValidationException", `The request body must be at most ${MAX_CODEDEPLOY_BODY_BYTES} bytes`);
  let input: unknown;
  try {
    input = body.length === 0 ? {} : JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    throw new CodeDeployError("SerializationException", "The request body is not valid JSON");
  }
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new CodeDeployError("SerializationException", "The request body must be a JSON object");
  const fields = input as Record<string, unknown>;
  const deploymentId = fields["deploymentId"];
  const executionId = fields["lifecycleEventHookExecutionId"];
  const status = fields["status"];
  if (deploymentId === undefined || deploymentId === null || deploymentId === "") throw new CodeDeployError("DeploymentIdRequiredException", "At least one deployment ID must be specified");
  if (typeof deploymentId !== "string" || deploymentId.length > MAX_ID_LENGTH) throw new CodeDeployError("InvalidDeploymentIdException", "The deployment ID was specified in an invalid format");
  if (typeof executionId !== "string" || !HOOK_EXECUTION_ID.test(executionId)) {
    throw new CodeDeployError("InvalidLifecycleEventHookExecutionIdException", "The lifecycle event hook execution ID was not given or is not one Lambent issued");
  }
  if (typeof status !== "string" || !(HOOK_VERDICTS as readonly string[]).includes(status)) {
    throw new CodeDeployError("InvalidLifecycleEventHookExecutionStatusException", "The result of a Lambda validation function that verifies a lifecycle event is invalid. It should return Succeeded or Failed");
  }
  const outcome = await reportHookVerdict(serving.deployments, { deploymentId, executionId, verdict: status as HookVerdict, caller: request.functionName, at: (serving.now ?? Date.now)() });
  if ("refused" in outcome) throw new CodeDeployError(ERROR_OF_REFUSAL[outcome.refused], outcome.message);
  serving.logger.info("deployment hook reported", { deploymentId, executionId, status, functionName: request.functionName, requestId: request.requestId });
  return { lifecycleEventHookExecutionId: executionId };
}

function answer(status: number, output: unknown, requestId: string, errorType?: string): ServedAnswer {
  const headers: [string, string][] = [
    ["content-type", CONTENT_TYPE],
    ["x-amzn-requestid", requestId],
  ];
  if (errorType !== undefined) headers.push(["x-amzn-errortype", errorType]);
  return { answer: { status, headers }, body: new TextEncoder().encode(JSON.stringify(output)) };
}

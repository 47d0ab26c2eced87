// Step Functions' JSON protocol on the frontend's HTTP port: `POST /` with `X-Amz-Target:
// AWSStepFunctions.<Operation>` and a JSON body (`application/x-amz-json-1.0`), as SFNClient and
// `aws stepfunctions --endpoint-url` send it. One table maps each operation to its handler; every input is
// checked against AWS's service model first, and every failure is answered in the protocol's error shape.
import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { CONTENT_TYPE, TARGET_PREFIX, stepFunctionsModel, validateInput, type StepFunctionsOperation, type StepFunctionsOperations } from "@lambent/sfn-api";
import type { Logger } from "@lambent/telemetry";
import { readBody } from "../http/body.js";
import { LambdaError } from "@lambent/errors";
import { SfnError, type SfnErrorType } from "./sfn-error.js";
import type { WorkflowOperations } from "./workflow-operations.js";

/** A request body is at most the largest input (1 MiB of definition or execution input) and room around it. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

type Handlers = { [Op in StepFunctionsOperation]: (operations: WorkflowOperations, input: StepFunctionsOperations[Op]["input"]) => Promise<StepFunctionsOperations[Op]["output"]> };

export const STEP_FUNCTIONS_HANDLERS: Handlers = {
  CreateStateMachine: (ops, input) => ops.createStateMachine(input),
  UpdateStateMachine: (ops, input) => ops.updateStateMachine(input),
  DescribeStateMachine: (ops, input) => ops.describeStateMachine(input),
  ListStateMachines: (ops, input) => ops.listStateMachines(input),
  DeleteStateMachine: (ops, input) => ops.deleteStateMachine(input),
  StartExecution: (ops, input) => ops.startExecution(input),
  StartSyncExecution: (ops, input) => ops.startSyncExecution(input),
  DescribeExecution: (ops, input) => ops.describeExecution(input),
  DescribeStateMachineForExecution: (ops, input) => ops.describeStateMachineForExecution(input),
  StopExecution: (ops, input) => ops.stopExecution(input),
  ListExecutions: (ops, input) => ops.listExecutions(input),
  GetExecutionHistory: (ops, input) => ops.getExecutionHistory(input),
  SendTaskSuccess: (ops, input) => ops.sendTaskSuccess(input),
  SendTaskFailure: (ops, input) => ops.sendTaskFailure(input),
  SendTaskHeartbeat: (ops, input) => ops.sendTaskHeartbeat(input),
  ValidateStateMachineDefinition: (ops, input) => ops.validateStateMachineDefinition(input),
  TagResource: (ops, input) => ops.tagResource(input),
  UntagResource: (ops, input) => ops.untagResource(input),
  ListTagsForResource: (ops, input) => ops.listTagsForResource(input),
};

/** Whether a request is a Step Functions call (the route the HTTP server checks first). */
export function isStepFunctionsRequest(method: string, pathname: string, request: IncomingMessage): boolean {
  const target = request.headers["x-amz-target"];
  return method === "POST" && pathname === "/" && typeof target === "string" && target.startsWith(TARGET_PREFIX);
}

/** Runs one operation from its wire form: the parsed body, checked against the model. */
export async function callStepFunctions(operations: WorkflowOperations, operation: string, body: unknown): Promise<unknown> {
  if (!Object.hasOwn(STEP_FUNCTIONS_HANDLERS, operation)) throw new SfnError("UnknownOperationException", `Unknown operation ${operation}`);
  const problems = validateInput(stepFunctionsModel, operation, body);
  if (problems.length > 0) throw new SfnError("ValidationException", `${problems.length} validation error${problems.length === 1 ? "" : "s"} detected: ${problems.join("; ")}`);
  const handler = STEP_FUNCTIONS_HANDLERS[operation as StepFunctionsOperation] as (ops: WorkflowOperations, input: unknown) => Promise<unknown>;
  return handler(operations, body);
}

/** The signature check a request passes first when the API requires one (http/api-auth.ts). */
export type SfnAuthentication = (request: IncomingMessage) => Promise<unknown>;

const AUTH_ERRORS = new Set(["MissingAuthenticationTokenException", "UnrecognizedClientException", "InvalidSignatureException", "AccessDeniedException"] as const);

export async function serveStepFunctions(
  operations: WorkflowOperations,
  logger: Logger,
  request: IncomingMessage,
  response: ServerResponse,
  authenticate?: SfnAuthentication,
): Promise<void> {
  const requestId = randomUUID();
  const operation = String(request.headers["x-amz-target"]).slice(TARGET_PREFIX.length);
  try {
    if (authenticate) {
      await authenticate(request).catch((error: unknown) => {
        const type = error instanceof LambdaError ? error.type : undefined;
        throw type !== undefined && (AUTH_ERRORS as Set<string>).has(type) ? new SfnError(type as SfnErrorType, error instanceof Error ? error.message : "") : error;
      });
    }
    const bytes = await readBody(request, MAX_BODY_BYTES, () => new LambdaError("RequestTooLargeException", "Request must be smaller than 2 MiB"));
    let body: unknown;
    try {
      body = bytes.length === 0 ? {} : JSON.parse(bytes.toString("utf8"));
    } catch {
      throw new SfnError("SerializationException", "The request body is not valid JSON");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new SfnError("SerializationException", "The request body must be a JSON object");
    send(response, 200, await callStepFunctions(operations, operation, body), requestId);
  } catch (error) {
    const failure = error instanceof SfnError ? error : error instanceof LambdaError && error.type === "RequestTooLargeException" ? new SfnError("ValidationException", error.message) : undefined;
    if (!failure) logger.error("Step Functions request failed", { operation, requestId, err: error });
    const answer = failure ?? new SfnError("InternalFailure", "The request processing has failed because of an unknown error");
    if (response.headersSent) {
      response.destroy();
      return;
    }
    send(response, answer.status, { __type: answer.type, message: answer.message }, requestId, answer.type);
  }
}

function send(response: ServerResponse, status: number, body: unknown, requestId: string, errorType?: string): void {
  const text = JSON.stringify(body ?? {});
  response.writeHead(status, {
    "Content-Type": CONTENT_TYPE,
    "Content-Length": Buffer.byteLength(text),
    "x-amzn-RequestId": requestId,
    ...(errorType ? { "x-amzn-ErrorType": errorType } : {}),
  });
  response.end(text);
}

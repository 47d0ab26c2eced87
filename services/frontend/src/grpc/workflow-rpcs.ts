// lambent.v1.Workflows: each RPC takes its operation's input as AWS's JSON and runs it through the same
// path as the JSON protocol on the HTTP port (model checks included); errors become gRPC statuses with the
// Step Functions error type in `x-amzn-errortype`.
import { Metadata } from "@grpc/grpc-js";
import { STEP_FUNCTIONS_OPERATIONS } from "@lambent/sfn-api";
import type { Logger } from "@lambent/telemetry";
import type { WorkflowOperations } from "../workflows/workflow-operations.js";
import { callStepFunctions } from "../workflows/sfn-http.js";
import { GrpcStatusOfSfnError, SfnError } from "../workflows/sfn-error.js";
import { ERROR_TYPE_METADATA_KEY } from "./error-status.js";
import type { ServiceImplementation, UnaryHandler } from "./http2-grpc-server.js";

const lowerFirst = (text: string): string => text.charAt(0).toLowerCase() + text.slice(1);

export function workflowRpcs(operations: WorkflowOperations | undefined, logger: Logger): ServiceImplementation {
  const implementation: ServiceImplementation = {};
  for (const operation of STEP_FUNCTIONS_OPERATIONS) {
    const handle: UnaryHandler<{ inputJson?: string }, { outputJson: string }> = (call, callback) => {
      void (async () => {
        if (!operations) throw new SfnError("ServiceUnavailable", "Step Functions is not served here");
        let input: unknown;
        try {
          input = JSON.parse(call.request.inputJson || "{}");
        } catch {
          throw new SfnError("SerializationException", "input_json is not valid JSON");
        }
        if (typeof input !== "object" || input === null || Array.isArray(input)) throw new SfnError("SerializationException", "input_json must be a JSON object");
        return JSON.stringify(await callStepFunctions(operations, operation, input));
      })().then(
        (outputJson) => callback(null, { outputJson }),
        (error: unknown) => {
          const failure = error instanceof SfnError ? error : new SfnError("InternalFailure", "The request processing has failed because of an unknown error");
          if (!(error instanceof SfnError)) logger.error("gRPC workflow call failed", { operation, err: error });
          const metadata = new Metadata();
          metadata.set(ERROR_TYPE_METADATA_KEY, failure.type);
          callback(Object.assign(new Error(failure.message), { name: failure.type, code: GrpcStatusOfSfnError[failure.type], details: failure.message, metadata }));
        },
      );
    };
    implementation[lowerFirst(operation)] = handle;
  }
  return implementation;
}

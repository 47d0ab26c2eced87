// A Step Functions client for deploys and the CLI: AWS's JSON protocol (`POST /` with `X-Amz-Target:
// AWSStepFunctions.<Operation>`) to the frontend's HTTP port, with the operations' shapes from
// @lambent/sfn-api (types only). Errors come back as ApiError with AWS's error type.
import type { StepFunctionsOperation, StepFunctionsOperations } from "@lambent/sfn-api";
import { ApiError, EndpointUnreachableError, type FetchOf } from "./api-client.js";
import { signingFetch } from "@lambent/request-signing";

export type SfnInput<Op extends StepFunctionsOperation> = StepFunctionsOperations[Op]["input"];
export type SfnOutput<Op extends StepFunctionsOperation> = StepFunctionsOperations[Op]["output"];

export interface SfnClient {
  endpoint: string;
  call<Op extends StepFunctionsOperation>(operation: Op, input: SfnInput<Op>): Promise<SfnOutput<Op>>;
}

export function createSfnClient(endpoint: string, fetchOf: FetchOf = signingFetch): SfnClient {
  const base = endpoint.replace(/\/+$/, "");
  const fetch = fetchOf("states");
  return {
    endpoint: base,
    async call(operation, input) {
      let response: Response;
      try {
        response = await fetch(`${base}/`, {
          method: "POST",
          headers: { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": `AWSStepFunctions.${operation}` },
          body: JSON.stringify(input),
        });
      } catch (error) {
        throw new EndpointUnreachableError(base, error instanceof Error ? error.message : String(error));
      }
      const text = await response.text();
      let body: Record<string, unknown> = {};
      try {
        body = text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
      } catch {
        throw new ApiError("InvalidResponse", `expected JSON from ${operation}, got '${text.slice(0, 200)}'`, response.status);
      }
      if (response.status >= 400) {
        const type = String(body["__type"] ?? response.headers.get("x-amzn-errortype") ?? "ServiceException").replace(/^.*#/, "");
        throw new ApiError(type, String(body["message"] ?? body["Message"] ?? text), response.status);
      }
      return body as never;
    },
  };
}

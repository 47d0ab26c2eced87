// The invoke conformance transport over gRPC, with the generated lambent.v1 client.
import * as grpc from "@grpc/grpc-js";
import { InvocationType, LambdaClient, LogType, type InvokeResponse } from "@lambent/proto";
import type { InvokeAnswer, InvokeFailure, InvokeTransport } from "./transports.js";

/** Room for 6 MB payloads plus framing, both ways. */
const MESSAGE_LIMIT = 16 * 1024 * 1024;

const invocationTypes = {
  RequestResponse: InvocationType.REQUEST_RESPONSE,
  Event: InvocationType.EVENT,
  DryRun: InvocationType.DRY_RUN,
} as const;

export function grpcTransport(address: string): InvokeTransport {
  const client = new LambdaClient(address, grpc.credentials.createInsecure(), {
    "grpc.max_receive_message_length": MESSAGE_LIMIT,
    "grpc.max_send_message_length": MESSAGE_LIMIT,
  });
  return {
    name: "gRPC",
    invoke(functionName, payload, options = {}) {
      return new Promise<InvokeAnswer>((resolve, reject) => {
        client.invoke(
          {
            functionName,
            qualifier: options.qualifier ?? "",
            payload: Buffer.from(typeof payload === "string" ? Buffer.from(payload) : payload),
            invocationType: invocationTypes[options.invocationType ?? "RequestResponse"],
            logType: options.logType === "Tail" ? LogType.TAIL : LogType.NONE,
            clientContext: "",
          },
          (error: grpc.ServiceError | null, response: InvokeResponse) => {
            if (error) {
              const errorType = error.metadata?.get("x-amzn-errortype")[0];
              reject({ errorType: typeof errorType === "string" ? errorType : `grpc:${error.code}`, message: error.details } satisfies InvokeFailure);
              return;
            }
            const answer: InvokeAnswer = { statusCode: response.statusCode, payload: response.payload.toString() };
            if (response.functionError) answer.functionError = response.functionError;
            if (response.logResult) answer.logResult = response.logResult;
            if (response.executedVersion) answer.executedVersion = response.executedVersion;
            resolve(answer);
          },
        );
      });
    },
    close: () => client.close(),
  };
}

// InvokeWithResponseStream over gRPC (server streaming): a payload_chunk message per piece of the
// function's response as it comes, each written once the HTTP/2 stream took the previous one (its write callback),
// so a slow client holds the function back; then invoke_complete with how the call ended.
import { status as GrpcStatus } from "@grpc/grpc-js";
import { serviceError } from "@lambent/errors";
import type * as proto from "@lambent/proto";
import type { Logger } from "@lambent/telemetry";
import type { FrontendApi } from "../api.js";
import { toGrpcServiceError } from "./error-status.js";
import type { ServerStreamingHandler } from "./http2-grpc-server.js";

/** InvokeWithResponseStream: a payload_chunk message per piece as it comes, then invoke_complete. */
export function invokeWithResponseStreamRpc(
  api: FrontendApi,
  logger: Logger,
  logTypeOf: (value: proto.LogType) => "None" | "Tail",
): ServerStreamingHandler<proto.InvokeWithResponseStreamRequest> {
  return (call) => {
    const { request } = call;
    const send = (event: proto.InvokeWithResponseStreamEvent): Promise<void> =>
      new Promise((resolve, reject) => {
        if (call.cancelled) return reject(new Error("the client cancelled the call"));
        call.write(event, (error?: Error | null) => (error ? reject(error) : resolve()));
      });
    const run = async (): Promise<void> => {
      const invoker = api.invoker;
      if (!invoker.invokeStream) throw serviceError("Response streaming is not available on this frontend");
      const output = await invoker.invokeStream(
        {
          functionName: request.functionName,
          ...(request.qualifier !== "" ? { qualifier: request.qualifier } : {}),
          payload: request.payload,
          logType: logTypeOf(request.logType),
          ...(request.clientContext !== "" ? { clientContext: request.clientContext } : {}),
        },
        { start: () => undefined, write: (bytes) => send({ payloadChunk: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) }) },
      );
      await send({
        invokeComplete: {
          errorCode: output.error?.errorType ?? "",
          errorDetails: output.error?.errorMessage ?? "",
          logResult: output.logResult ?? "",
          executedVersion: output.executedVersion,
          requestId: output.requestId,
        },
      });
    };
    run().then(
      () => call.end(),
      (error: unknown) => {
        const serviceError = toGrpcServiceError(error);
        if (serviceError.code === GrpcStatus.INTERNAL) logger.error("gRPC call failed", { method: "invokeWithResponseStream", err: error });
        call.emit("error", serviceError);
      },
    );
  };
}

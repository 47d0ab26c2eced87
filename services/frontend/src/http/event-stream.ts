// InvokeWithResponseStream over REST: the answer is AWS's event stream (`application/vnd.amazon.eventstream`,
// encoded by @smithy/eventstream-codec, as the AWS SDK decodes it): a `PayloadChunk` event per piece of the
// function's response as it comes, then one `InvokeComplete` (ErrorCode and ErrorDetails when the function
// failed, LogResult with `LogType: Tail`). The status and headers go out with the first piece, so a call
// refused before it streams is answered with Lambda's ordinary error.
import type { ServerResponse } from "node:http";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import type { StreamedInvokeOutput } from "../api.js";
import type { ResponseConsumer } from "../invoke/response-stream.js";

const codec = new EventStreamCodec(toUtf8, fromUtf8);

function event(eventType: string, contentType: string, body: Uint8Array): Uint8Array {
  return codec.encode({
    headers: {
      ":event-type": { type: "string", value: eventType },
      ":message-type": { type: "string", value: "event" },
      ":content-type": { type: "string", value: contentType },
    },
    body,
  });
}

export function payloadChunkEvent(bytes: Uint8Array): Uint8Array {
  return event("PayloadChunk", "application/octet-stream", bytes);
}

export function invokeCompleteEvent(output: StreamedInvokeOutput): Uint8Array {
  const complete: Record<string, string> = {};
  if (output.error) {
    complete["ErrorCode"] = output.error.errorType;
    complete["ErrorDetails"] = output.error.errorMessage;
  }
  if (output.logResult !== undefined) complete["LogResult"] = output.logResult;
  return event("InvokeComplete", "application/json", fromUtf8(JSON.stringify(complete)));
}

/** Writes `bytes` and settles once the socket took them (or the client went away). */
export function writeDrained(response: ServerResponse, bytes: Uint8Array): Promise<void> {
  if (response.destroyed) return Promise.reject(new Error("the client went away"));
  if (response.write(bytes)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      response.off("close", onClose);
      resolve();
    };
    const onClose = (): void => {
      response.off("drain", onDrain);
      reject(new Error("the client went away"));
    };
    response.once("drain", onDrain);
    response.once("close", onClose);
  });
}

/** The consumer that writes a streamed invocation to an HTTP response as an event stream. */
export function eventStreamConsumer(response: ServerResponse): ResponseConsumer {
  return {
    start(contentType, call) {
      response.writeHead(200, {
        "x-amzn-RequestId": call.requestId,
        "X-Amz-Executed-Version": call.executedVersion,
        "Content-Type": "application/vnd.amazon.eventstream",
        ...(contentType ? { "X-Amz-Response-Stream-Content-Type": contentType } : {}),
      });
      response.flushHeaders();
    },
    write: (bytes) => writeDrained(response, payloadChunkEvent(bytes)),
  };
}

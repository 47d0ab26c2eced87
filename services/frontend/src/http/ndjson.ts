// Streamed answers: newline-delimited JSON over a chunked response, one object per line as it comes,
// until the source ends or the client goes away (which aborts the source).
import type { ServerResponse } from "node:http";
import type { Logger } from "@lambent/telemetry";

/** A route's streamed answer; `open` is called once the headers are sent. */
export interface NdjsonResult {
  kind: "ndjson";
  open: (signal: AbortSignal) => AsyncIterable<unknown>;
}

export async function sendNdjson(response: ServerResponse, result: NdjsonResult, requestId: string, logger: Logger): Promise<void> {
  const closed = new AbortController();
  response.on("close", () => closed.abort());
  response.writeHead(200, { "Content-Type": "application/x-ndjson", "Cache-Control": "no-cache", "x-amzn-RequestId": requestId });
  response.flushHeaders();
  try {
    for await (const item of result.open(closed.signal)) {
      if (closed.signal.aborted) break;
      response.write(`${JSON.stringify(item)}\n`);
    }
  } catch (error) {
    // The status is already sent: the stream just ends, and the cause goes to the service's log.
    if (!closed.signal.aborted) logger.error("stream failed", { requestId, err: error });
  } finally {
    closed.abort();
    response.end();
  }
}

// Reads a request body up to a limit; a larger body fails fast without being buffered.
import type { IncomingMessage } from "node:http";
import { LambdaError } from "@lambent/errors";

const EMPTY = Buffer.alloc(0);

/** Events rather than an async iterator: this runs on every invocation, and iterators cost more. */
export function readBody(request: IncomingMessage, limit: number, tooLarge: () => LambdaError): Promise<Buffer> {
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > limit) {
    request.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        request.off("data", onData);
        request.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    request.on("data", onData);
    request.once("end", () => resolve(chunks.length === 1 ? chunks[0]! : chunks.length === 0 ? EMPTY : Buffer.concat(chunks, size)));
    request.once("error", reject);
  });
}

export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw new LambdaError(
      "InvalidRequestContentException",
      `Could not parse request body into json: ${error instanceof Error ? error.message : "invalid JSON"}`,
    );
  }
}

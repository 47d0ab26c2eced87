// Reads a request body up to a limit; a larger body fails fast without being buffered.
import type { IncomingMessage } from "node:http";
import { LambdaError } from "@lambent/errors";

export async function readBody(request: IncomingMessage, limit: number, tooLarge: () => LambdaError): Promise<Buffer> {
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > limit) {
    request.resume();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      request.resume();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
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

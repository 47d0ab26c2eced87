// Reads a request body up to a limit; a larger body fails fast without being buffered.
import type { IncomingMessage } from "node:http";
import { LambdaError } from "@lambent/errors";

const EMPTY = Buffer.alloc(0);

/** Bodies read ahead of routing (to check a request's signature), which the route's own read then takes. */
const readAhead = new WeakMap<IncomingMessage, Buffer>();

/** Reads the body now and keeps it for the route's `readBody`. */
export async function readBodyAhead(request: IncomingMessage, limit: number, tooLarge: () => LambdaError): Promise<Buffer> {
  const body = await readBody(request, limit, tooLarge);
  readAhead.set(request, body);
  return body;
}

/** Events rather than an async iterator: this runs on every invocation, and iterators cost more. */
export function readBody(request: IncomingMessage, limit: number, tooLarge: () => LambdaError): Promise<Buffer> {
  const ahead = readAhead.get(request);
  if (ahead !== undefined) return ahead.length > limit ? Promise.reject(tooLarge()) : Promise.resolve(ahead);
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

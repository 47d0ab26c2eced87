// Requests served by this frontend's own HTTP server in-process: each comes in over an in-memory
// connection of its own, which the server recognises by the connection object alone (no header or field of
// the request can make one, or change whose it is), and is served by the same router, authorization and
// error shapes as a call from outside, as the caller this code gave it: a function's role for a function's
// Lambda API request, the route's own signed caller for the calls of an application deploy.
import { request as httpRequest, type IncomingMessage, type Server } from "node:http";
import { Duplex } from "node:stream";
import { MAX_FUNCTION_API_ANSWER_BYTES, type FunctionApiAnswer, type FunctionApiRequest } from "@lambent/protocol";
import { LambdaError, invalidParameter, resourceNotFound, serviceError, toLambdaError } from "@lambent/errors";
import { HttpStatusOfError } from "@lambent/errors";
import type { ApiCaller } from "../http/api-authorization.js";
import { errorBody } from "../http/respond.js";

/** Whose a served connection is, and whether it may reach Step Functions; set only here, for connections made here. */
interface BridgedCaller {
  caller: ApiCaller;
  stepFunctions: boolean;
}

const callers = new WeakMap<object, BridgedCaller>();

/** The caller of a request that came in through `serveAsFunction` or `serveInProcess`; undefined for every other request. */
export function functionCallerOf(request: IncomingMessage): ApiCaller | undefined {
  return callers.get(request.socket)?.caller;
}

/** The caller of an in-process request that may reach Step Functions' JSON protocol (an application deploy's); functions' requests may not. */
export function stepFunctionsCallerOf(request: IncomingMessage): ApiCaller | undefined {
  const bridged = callers.get(request.socket);
  return bridged?.stepFunctions ? bridged.caller : undefined;
}

/** What a served request needs of a function's request frame. */
export type ServedRequest = Pick<FunctionApiRequest, "method" | "path" | "headers" | "timeoutMs">;

/** The methods Lambda's API and Lambent's use; any other has no operation (and Node's parser would refuse some). */
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]);

/** Headers the answer does not carry on: they describe the in-memory connection, not the answer. */
const CONNECTION_HEADERS = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "date"]);

/** Two ends of an in-memory connection: what one writes, the other reads; when one is destroyed, the other reads its end. */
function connectionPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  for (const index of [0, 1]) {
    ends.push(
      new Duplex({
        read: () => undefined,
        write: (chunk: Buffer, _encoding, callback) => {
          ends[1 - index]!.push(chunk);
          callback();
        },
        final: (callback) => {
          ends[1 - index]!.push(null);
          callback();
        },
        destroy: (error, callback) => {
          ends[1 - index]!.push(null);
          callback(error);
        },
      }),
    );
  }
  return [ends[0]!, ends[1]!];
}

export interface ServedAnswer {
  answer: FunctionApiAnswer;
  body: Uint8Array;
}

/** A LambdaError as Lambda's REST API answers it. */
export function errorAnswer(error: unknown): ServedAnswer {
  const failure = toLambdaError(error);
  const status = HttpStatusOfError[failure.type];
  const body = new TextEncoder().encode(JSON.stringify(errorBody(failure.type, status, failure.message, failure.fields)));
  return { answer: { status, headers: [["content-type", "application/json"], ["x-amzn-errortype", failure.type]] }, body };
}

/** Serves `request` through `server` as `caller`; the answer (errors included) in Lambda's REST shape. */
export function serveAsFunction(server: Server, caller: ApiCaller, request: ServedRequest, body: Uint8Array): Promise<ServedAnswer> {
  return serveInProcess(server, { caller, stepFunctions: false }, request, body);
}

/** Serves `request` through `server` as `bridged.caller`, reaching Step Functions too when `bridged.stepFunctions`. */
export function serveInProcess(server: Server, bridged: BridgedCaller, request: ServedRequest, body: Uint8Array): Promise<ServedAnswer> {
  if (!METHODS.has(request.method)) return Promise.reject(resourceNotFound(`No Lambda API operation at ${request.method} ${request.path.replace(/\?.*$/, "")}`));
  const [client, served] = connectionPair();
  callers.set(served, bridged);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of request.headers) {
    const existing = headers[name];
    headers[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  headers["host"] = "lambda.lambent.internal";
  headers["connection"] = "close";
  headers["content-length"] = String(body.length);
  const signal = AbortSignal.timeout(request.timeoutMs);
  const finished = new Promise<ServedAnswer>((resolve, reject) => {
    const outgoing = httpRequest({ method: request.method, path: request.path, headers, createConnection: () => client, signal }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_FUNCTION_API_ANSWER_BYTES) {
          response.destroy();
          reject(serviceError(`The answer is larger than ${MAX_FUNCTION_API_ANSWER_BYTES} bytes, the most a function gets back`));
          return;
        }
        chunks.push(chunk);
      });
      response.once("end", () => {
        const pairs: [string, string][] = [];
        for (let i = 0; i < response.rawHeaders.length; i += 2) {
          const name = response.rawHeaders[i]!.toLowerCase();
          if (!CONNECTION_HEADERS.has(name)) pairs.push([name, response.rawHeaders[i + 1]!]);
        }
        resolve({ answer: { status: response.statusCode ?? 500, headers: pairs }, body: new Uint8Array(Buffer.concat(chunks, size)) });
      });
      response.once("error", reject);
    });
    outgoing.once("error", (error) => reject(signal.aborted ? serviceError(`Lambent's API did not answer within ${request.timeoutMs} ms`) : error));
    outgoing.end(body);
  });
  try {
    // Only now, with the request's checks passed: a connection the server takes is served.
    server.emit("connection", served);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  return finished.finally(() => {
    client.destroy();
    served.destroy();
  });
}

/** `serveAsFunction`, and every failure (a malformed header or path from the function too) as Lambda's error answer. */
export async function answerAsFunction(server: Server, caller: ApiCaller, request: FunctionApiRequest, body: Uint8Array): Promise<ServedAnswer> {
  try {
    return await serveAsFunction(server, caller, request, body);
  } catch (error) {
    if (error instanceof LambdaError) return errorAnswer(error);
    const code = (error as { code?: unknown }).code;
    // Node refuses a header or path it cannot send (control characters, spaces) before anything is sent.
    if (code === "ERR_INVALID_CHAR" || code === "ERR_UNESCAPED_CHARACTERS" || code === "ERR_INVALID_HTTP_TOKEN" || code === "ERR_INVALID_HEADER_VALUE") {
      return errorAnswer(invalidParameter(`The request cannot be sent: ${(error as Error).message}`));
    }
    return errorAnswer(error);
  }
}

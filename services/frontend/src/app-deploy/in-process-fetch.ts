// The fetch an application deploy's API client sends with from inside the frontend: every request served
// by this server's own router in-process (function-api/bridge.ts), authorized as the deploy route's caller,
// whatever the request says. No request leaves the process and none is signed.
import type { Server } from "node:http";
import { LambdaError } from "@lambent/errors";
import type { FetchOf } from "@lambent/app-deploy";
import type { ApiCaller } from "../http/api-authorization.js";
import { errorAnswer, serveInProcess } from "../function-api/bridge.js";

/** One inner call's limit: a create bundles its package before it answers. */
const CALL_TIMEOUT_MS = 5 * 60_000;

/** The client's base URL: only its path and query reach the router. */
export const IN_PROCESS_ENDPOINT = "http://lambda.lambent.internal";

export function inProcessFetchOf(server: Server, caller: ApiCaller): FetchOf {
  return () => async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers: [string, string][] = [];
    new Headers(init.headers).forEach((value, name) => headers.push([name, value]));
    const body = init.body === undefined || init.body === null ? new Uint8Array() : new Uint8Array(await new Response(init.body).arrayBuffer());
    const request = { method: init.method ?? "GET", path: `${url.pathname}${url.search}`, headers, timeoutMs: CALL_TIMEOUT_MS };
    let served;
    try {
      served = await serveInProcess(server, { caller, stepFunctions: true }, request, body);
    } catch (error) {
      if (!(error instanceof LambdaError)) throw error;
      served = errorAnswer(error);
    }
    const { status, headers: answered } = served.answer;
    // A Response with one of these statuses may not have a body, not even an empty one.
    const bodyless = status === 204 || status === 304;
    return new Response(bodyless ? null : served.body, { status, headers: answered });
  };
}

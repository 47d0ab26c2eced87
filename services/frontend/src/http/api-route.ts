// One operation of the REST API table (routes.ts and the tables it gathers): its method, path and
// handler, what the handler is given and what it answers.
import type { IncomingMessage } from "node:http";
import type { FrontendApi, InvokeOutput } from "../api.js";
import type { NdjsonResult } from "./ndjson.js";

export interface RouteRequest {
  request: IncomingMessage;
  params: string[];
  query: URLSearchParams;
}

/** What a route answers: JSON with a status, or an invocation's raw result. */
export type RouteResult = { kind: "json"; status: number; body?: unknown } | { kind: "invoke"; output: InvokeOutput } | NdjsonResult;

export interface Route {
  method: string;
  path: RegExp;
  operation: string;
  handle(api: FrontendApi, request: RouteRequest): Promise<RouteResult>;
}

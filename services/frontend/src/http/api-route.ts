// One operation of the REST API table (routes.ts and the tables it gathers): its method, path pattern and
// handler, what the handler is given and what it answers. Patterns are built from @lambent/lambda-api's
// ApiPaths, each captured segment given as SEGMENT.
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { TraceSpan } from "@lambent/telemetry";
import type { ApiCaller } from "./api-authorization.js";
import type { FrontendApi, InvokeOutput } from "../api.js";
import type { NdjsonResult } from "./ndjson.js";

export interface RouteRequest {
  request: IncomingMessage;
  /** For routes that answer by writing the response themselves (a `written` result). */
  response: ServerResponse;
  params: string[];
  query: URLSearchParams;
  /** Who signed the request (or the function whose request it is); undefined when the API takes unsigned requests. */
  caller: ApiCaller | undefined;
  /** The server that serves it, for routes that make calls of their own through it in-process (function-api/bridge.ts). */
  server: Server;
  /** The request's server span when it is traced (tracing/request-spans.ts). */
  span?: TraceSpan;
}

/** What a route answers: JSON with a status, or an invocation's raw result. */
export type RouteResult = { kind: "json"; status: number; body?: unknown } | { kind: "invoke"; output: InvokeOutput } | { kind: "written" } | NdjsonResult;

export interface Route {
  method: string;
  path: RegExp;
  operation: string;
  handle(api: FrontendApi, request: RouteRequest): Promise<RouteResult>;
}

/** A path segment a route captures into `params`, as it stands in the URL (percent-encoded). */
export const SEGMENT = "([^/]+)";

/** Matches `path` and nothing else. */
export const exactly = (path: string): RegExp => new RegExp(`^${path}$`);

/** Matches `path`, with or without a trailing slash. */
export const withOptionalSlash = (path: string): RegExp => new RegExp(`^${path}/?$`);

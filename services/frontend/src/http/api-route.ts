// One operation of the REST API table (routes.ts and the tables it gathers): its method, path pattern and
// handler, what the handler is given and what it answers. Patterns are built from @lambent/lambda-api's
// ApiPaths, each captured segment given as SEGMENT.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FrontendApi, InvokeOutput } from "../api.js";
import type { NdjsonResult } from "./ndjson.js";

export interface RouteRequest {
  request: IncomingMessage;
  /** For routes that answer by writing the response themselves (a `written` result). */
  response: ServerResponse;
  params: string[];
  query: URLSearchParams;
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

// Serving function URLs: `/lambent-url/<urlId>/<path>` → Lambda's function URL event (payload format 2.0)
// → a synchronous invoke through the usual invoke path → the function's answer as an HTTP response.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { isUtf8 } from "node:buffer";
import { LATEST, type FunctionUrlConfig, type FunctionUrlCors } from "@lambent/registry";
import { toLambdaError } from "@lambent/errors";
import type { Invoker } from "../api.js";
import { FUNCTION_URL_PATH } from "../control-plane/function-urls.js";
import { PayloadLimits, requestTooLarge } from "../invoke/payload.js";
import { readBody } from "./body.js";
import { HttpStatusOfError } from "./error-status.js";

export { FUNCTION_URL_PATH };

export interface FunctionUrlServing {
  /** The config with this url id (the registry view's cache). */
  configOf(urlId: string): FunctionUrlConfig | undefined;
  invoker: Invoker;
}

/** Lambda's function URL event, payload format 2.0. */
export interface FunctionUrlEvent {
  version: "2.0";
  routeKey: "$default";
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: {
    accountId: string;
    apiId: string;
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: "$default";
    stage: "$default";
    time: string;
    timeEpoch: number;
  };
  body?: string;
  isBase64Encoded: boolean;
}

/** Whether a request is for a function URL; then `serveFunctionUrl` answers it. */
export const isFunctionUrlPath = (pathname: string): boolean => pathname.startsWith(`${FUNCTION_URL_PATH}/`);

export async function serveFunctionUrl(serving: FunctionUrlServing, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const rawUrl = request.url ?? "/";
  const queryAt = rawUrl.indexOf("?");
  const rawPathname = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
  const rest = rawPathname.slice(FUNCTION_URL_PATH.length + 1);
  const slash = rest.indexOf("/");
  const urlId = slash === -1 ? rest : rest.slice(0, slash);
  const config = serving.configOf(urlId);
  if (!config) {
    send(response, 404, { "content-type": "application/json" }, JSON.stringify({ Message: "Not Found" }));
    return;
  }
  const origin = header(request, "origin");
  const cors = config.cors && origin !== undefined ? corsHeaders(config.cors, origin) : undefined;
  if (request.method === "OPTIONS" && config.cors && header(request, "access-control-request-method") !== undefined) {
    send(response, 200, cors ? { ...cors, ...preflightHeaders(config.cors) } : {}, "");
    return;
  }
  try {
    const body = await readBody(request, PayloadLimits.syncBytes, () => requestTooLarge(PayloadLimits.syncBytes));
    const event = functionUrlEvent(request, urlId, slash === -1 ? "/" : rest.slice(slash), queryAt === -1 ? "" : rawUrl.slice(queryAt + 1), body);
    const output = await serving.invoker.invoke({
      functionName: config.functionName,
      ...(config.qualifier === LATEST ? {} : { qualifier: config.qualifier }),
      payload: Buffer.from(JSON.stringify(event)),
      invocationType: "RequestResponse",
      logType: "None",
    });
    if (output.functionError !== undefined) {
      send(response, 502, { "content-type": "application/json", ...cors }, JSON.stringify({ Message: "Internal Server Error" }));
      return;
    }
    const answer = functionUrlResponse(output.payload);
    send(response, answer.statusCode, { ...answer.headers, ...cors }, answer.body);
  } catch (error) {
    // A platform failure (throttle, missing alias, oversized payload) keeps its status; the message is Lambda's short one.
    const lambdaError = toLambdaError(error);
    const status = lambdaError.type === "ServiceException" ? 502 : HttpStatusOfError[lambdaError.type];
    send(response, status, { "content-type": "application/json", ...cors }, JSON.stringify({ Message: lambdaError.message }));
  }
}

/** Content types whose bodies reach the function as text; any other body goes as base64. */
const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|graphql)|application\/[^;]*\+(json|xml))/i;

export function functionUrlEvent(request: IncomingMessage, urlId: string, rawPath: string, rawQueryString: string, body: Buffer): FunctionUrlEvent {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    if (name !== "cookie" && values !== undefined) headers[name] = values.join(",");
  }
  const now = new Date();
  const host = headers["host"] ?? "";
  const event: FunctionUrlEvent = {
    version: "2.0",
    routeKey: "$default",
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      // Lambda reports "anonymous" for AuthType NONE, the only kind Lambent serves.
      accountId: "anonymous",
      apiId: urlId,
      domainName: host,
      domainPrefix: host.split(/[.:]/)[0] ?? "",
      http: {
        method: request.method ?? "GET",
        path: rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: (request.socket.remoteAddress ?? "").replace(/^::ffff:/, ""),
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: "$default",
      stage: "$default",
      time: clfTime(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
  const cookieHeader = request.headersDistinct["cookie"];
  if (cookieHeader !== undefined) {
    event.cookies = cookieHeader.flatMap((line) => line.split(";")).map((cookie) => cookie.trim()).filter((cookie) => cookie !== "");
  }
  if (rawQueryString !== "") {
    const parameters: Record<string, string> = {};
    for (const [name, value] of new URLSearchParams(rawQueryString)) {
      parameters[name] = parameters[name] === undefined ? value : `${parameters[name]},${value}`;
    }
    event.queryStringParameters = parameters;
  }
  if (body.length > 0) {
    const contentType = headers["content-type"];
    const text = contentType === undefined ? isUtf8(body) : TEXT_TYPES.test(contentType) && isUtf8(body);
    event.body = text ? body.toString("utf8") : body.toString("base64");
    event.isBase64Encoded = !text;
  }
  return event;
}

export interface FunctionUrlResponse {
  statusCode: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

/**
 * The function's answer as HTTP: an object with a numeric `statusCode` says how to answer; any other value
 * is a JSON 200 of that value (a string is sent as it is).
 */
export function functionUrlResponse(payload: Uint8Array): FunctionUrlResponse {
  const text = Buffer.from(payload).toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The worker always answers JSON; anything else is passed through as it came.
    return { statusCode: 200, headers: { "content-type": "application/json" }, body: Buffer.from(payload) };
  }
  if (typeof value === "object" && value !== null && typeof (value as { statusCode?: unknown }).statusCode === "number") {
    const shaped = value as { statusCode: number; headers?: unknown; cookies?: unknown; body?: unknown; isBase64Encoded?: unknown };
    const headers: OutgoingHttpHeaders = {};
    if (typeof shaped.headers === "object" && shaped.headers !== null) {
      for (const [name, headerValue] of Object.entries(shaped.headers)) headers[name.toLowerCase()] = String(headerValue);
    }
    if (Array.isArray(shaped.cookies)) headers["set-cookie"] = shaped.cookies.map(String);
    const body =
      shaped.body === undefined || shaped.body === null
        ? Buffer.alloc(0)
        : typeof shaped.body === "string"
          ? Buffer.from(shaped.body, shaped.isBase64Encoded === true ? "base64" : "utf8")
          : Buffer.from(JSON.stringify(shaped.body));
    return { statusCode: shaped.statusCode, headers, body };
  }
  const body = typeof value === "string" ? Buffer.from(value) : Buffer.from(text);
  return { statusCode: 200, headers: { "content-type": "application/json" }, body };
}

/** The CORS headers an actual (not preflight) request gets when its origin is allowed; undefined when it is not. */
export function corsHeaders(cors: FunctionUrlCors, origin: string): OutgoingHttpHeaders | undefined {
  const origins = cors.allowOrigins ?? [];
  const any = origins.includes("*");
  if (!any && !origins.some((allowed) => allowed.toLowerCase() === origin.toLowerCase())) return undefined;
  const headers: OutgoingHttpHeaders = { "access-control-allow-origin": any && !cors.allowCredentials ? "*" : origin, vary: "Origin" };
  if (cors.allowCredentials) headers["access-control-allow-credentials"] = "true";
  if (cors.exposeHeaders?.length) headers["access-control-expose-headers"] = cors.exposeHeaders.join(",");
  return headers;
}

function preflightHeaders(cors: FunctionUrlCors): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  if (cors.allowMethods?.length) headers["access-control-allow-methods"] = cors.allowMethods.join(",");
  if (cors.allowHeaders?.length) headers["access-control-allow-headers"] = cors.allowHeaders.join(",");
  if (cors.maxAge !== undefined) headers["access-control-max-age"] = String(cors.maxAge);
  return headers;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function send(response: ServerResponse, status: number, headers: OutgoingHttpHeaders, body: string | Buffer): void {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  response.writeHead(status, { ...headers, "content-length": bytes.length });
  response.end(bytes);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `12/Mar/2020:19:03:58 +0000`, as Lambda's `requestContext.time`. */
function clfTime(date: Date): string {
  const two = (value: number): string => String(value).padStart(2, "0");
  return `${two(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]!}/${date.getUTCFullYear()}:${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

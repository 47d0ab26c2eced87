// What function URLs and routes share: an HTTP request → Lambda's payload format 2.0 event → a synchronous
// invoke through the usual invoke path → the function's answer as an HTTP response, with CORS.
import { streamedHttpConsumer } from "./streamed-http.js";
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { isUtf8 } from "node:buffer";
import { LATEST, type FunctionUrlCors } from "@lambent/registry/functions";
import { toLambdaError } from "@lambent/errors";
import type { Invoker } from "../api.js";
import { PayloadLimits, requestTooLarge } from "@lambent/protocol";
import { readBody } from "./body.js";
import { HttpStatusOfError } from "@lambent/errors";

/** Lambda's payload format 2.0, as function URLs and API Gateway HTTP APIs send it. */
export interface HttpApiEvent {
  version: "2.0";
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  pathParameters?: Record<string, string>;
  requestContext: {
    accountId: string;
    apiId: string;
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: string;
    stage: "$default";
    time: string;
    timeEpoch: number;
    /** Who signed the request, on a function URL with AuthType AWS_IAM. */
    authorizer?: HttpApiAuthorizer;
  };
  body?: string;
  isBase64Encoded: boolean;
}

/** Lambda's `requestContext.authorizer` for a function URL with AuthType AWS_IAM. */
export interface HttpApiAuthorizer {
  iam: {
    accessKey: string;
    accountId: string;
    callerId: string;
    cognitoIdentity: null;
    principalOrgId: null;
    userArn: string;
    userId: string;
  };
}

/** What tells a function URL's event from a route's. */
export interface HttpEventSource {
  rawPath: string;
  rawQueryString: string;
  routeKey: string;
  apiId: string;
  accountId: string;
  pathParameters?: Record<string, string>;
  authorizer?: HttpApiAuthorizer;
}

/**
 * Checks a request once its body is read (a signature covers the body): what the event gains, or
 * undefined to answer 403 `{"Message":"Forbidden"}` without invoking.
 */
export type HttpAuthorizer = (request: IncomingMessage, body: Buffer) => Promise<Pick<HttpEventSource, "accountId" | "authorizer"> | undefined>;

/** The function a request invokes, and the CORS settings that apply to it. */
export interface HttpTarget {
  functionName: string;
  /** `$LATEST`, a version or an alias. */
  qualifier: string;
  cors?: FunctionUrlCors;
  /** A function URL's: RESPONSE_STREAM answers as the function writes. */
  invokeMode?: "BUFFERED" | "RESPONSE_STREAM";
}

/** Content types whose bodies reach the function as text; any other body goes as base64. */
const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|graphql)|application\/[^;]*\+(json|xml))/i;

export function httpApiEvent(request: IncomingMessage, source: HttpEventSource, body: Buffer): HttpApiEvent {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    if (name !== "cookie" && values !== undefined) headers[name] = values.join(",");
  }
  const now = new Date();
  const host = headers["host"] ?? "";
  const event: HttpApiEvent = {
    version: "2.0",
    routeKey: source.routeKey,
    rawPath: source.rawPath,
    rawQueryString: source.rawQueryString,
    headers,
    requestContext: {
      accountId: source.accountId,
      apiId: source.apiId,
      domainName: host,
      domainPrefix: host.split(/[.:]/)[0] ?? "",
      http: {
        method: request.method ?? "GET",
        path: source.rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: (request.socket.remoteAddress ?? "").replace(/^::ffff:/, ""),
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: source.routeKey,
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
  if (source.rawQueryString !== "") {
    const parameters: Record<string, string> = {};
    for (const [name, value] of new URLSearchParams(source.rawQueryString)) {
      parameters[name] = parameters[name] === undefined ? value : `${parameters[name]},${value}`;
    }
    event.queryStringParameters = parameters;
  }
  if (source.pathParameters !== undefined) event.pathParameters = source.pathParameters;
  if (source.authorizer !== undefined) event.requestContext.authorizer = source.authorizer;
  if (body.length > 0) {
    const contentType = headers["content-type"];
    const text = contentType === undefined ? isUtf8(body) : TEXT_TYPES.test(contentType) && isUtf8(body);
    event.body = text ? body.toString("utf8") : body.toString("base64");
    event.isBase64Encoded = !text;
  }
  return event;
}

/**
 * Answers a request for `target`: a CORS preflight from its settings, anything else by invoking the
 * function with the event `source` describes and sending its answer (or a short `{Message}` failure).
 */
export async function serveHttpInvocation(
  invoker: Invoker,
  target: HttpTarget,
  source: HttpEventSource,
  request: IncomingMessage,
  response: ServerResponse,
  authorize?: HttpAuthorizer,
): Promise<void> {
  const origin = header(request, "origin");
  const cors = target.cors && origin !== undefined ? corsHeaders(target.cors, origin) : undefined;
  if (target.cors && isPreflight(request)) {
    sendHttp(response, 200, cors ? { ...cors, ...preflightHeaders(target.cors) } : {}, "");
    return;
  }
  try {
    const body = await readBody(request, PayloadLimits.syncBytes, () => requestTooLarge(PayloadLimits.syncBytes));
    let eventSource = source;
    if (authorize) {
      const granted = await authorize(request, body);
      if (!granted) {
        sendHttp(response, 403, { "content-type": "application/json", ...cors }, JSON.stringify({ Message: "Forbidden" }));
        return;
      }
      eventSource = { ...source, ...granted };
    }
    if (target.invokeMode === "RESPONSE_STREAM" && invoker.invokeStream) {
      const consumer = streamedHttpConsumer(response, cors);
      const streamed = await invoker.invokeStream(
        {
          functionName: target.functionName,
          ...(target.qualifier === LATEST ? {} : { qualifier: target.qualifier }),
          payload: Buffer.from(JSON.stringify(httpApiEvent(request, eventSource, body))),
          logType: "None",
        },
        consumer,
      );
      // A failure before anything was sent is the buffered answer's 502; after, the body just ends.
      if (streamed.error && !consumer.sentHead) sendHttp(response, 502, { "content-type": "application/json", ...cors }, JSON.stringify({ Message: "Internal Server Error" }));
      else response.end();
      return;
    }
    const output = await invoker.invoke({
      functionName: target.functionName,
      ...(target.qualifier === LATEST ? {} : { qualifier: target.qualifier }),
      payload: Buffer.from(JSON.stringify(httpApiEvent(request, eventSource, body))),
      invocationType: "RequestResponse",
      logType: "None",
    });
    if (output.functionError !== undefined) {
      sendHttp(response, 502, { "content-type": "application/json", ...cors }, JSON.stringify({ Message: "Internal Server Error" }));
      return;
    }
    const answer = httpAnswer(output.payload);
    sendHttp(response, answer.statusCode, { ...answer.headers, ...cors }, answer.body);
  } catch (error) {
    // A platform failure (throttle, missing alias, oversized payload) keeps its status; the message is Lambda's short one.
    const lambdaError = toLambdaError(error);
    const status = lambdaError.type === "ServiceException" ? 502 : HttpStatusOfError[lambdaError.type];
    sendHttp(response, status, { "content-type": "application/json", ...cors }, JSON.stringify({ Message: lambdaError.message }));
  }
}

/** An `OPTIONS` request carrying `Access-Control-Request-Method`. */
export function isPreflight(request: IncomingMessage): boolean {
  return request.method === "OPTIONS" && header(request, "access-control-request-method") !== undefined;
}

/** 404 `{"Message":"Not Found"}`, for a url id or path nothing is mounted at. */
export function sendNotFound(response: ServerResponse): void {
  sendHttp(response, 404, { "content-type": "application/json" }, JSON.stringify({ Message: "Not Found" }));
}

export interface HttpAnswer {
  statusCode: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

/**
 * The function's answer as HTTP: an object with a numeric `statusCode` says how to answer; any other value
 * is a JSON 200 of that value (a string is sent as it is).
 */
export function httpAnswer(payload: Uint8Array): HttpAnswer {
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

export function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function sendHttp(response: ServerResponse, status: number, headers: OutgoingHttpHeaders, body: string | Buffer): void {
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

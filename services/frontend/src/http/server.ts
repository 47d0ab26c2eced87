// The HTTP face: Lambda's REST API, function URLs, routes, health (`/healthz`: the cluster can serve;
// `/livez`: this process answers), package downloads for GetFunction's Code.Location, and the web console.
// Functions' own API requests (function-api/) come in on connections of their own and reach only the API.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { LambdaError, resourceNotFound } from "@lambent/errors";
import type { Logger } from "@lambent/telemetry";
import { LIVENESS_PATH, METRICS_PATH, sendLive, sendMetrics, type MetricsRegistry } from "@lambent/telemetry";
import type { FrontendApi, InvokeOutput } from "../api.js";
import { routes } from "./routes.js";
import { sendError, sendJson } from "./respond.js";
import { sendNdjson } from "./ndjson.js";
import { tracer } from "@lambent/telemetry";
import { TRACE_ID_HEADER, traceHttpRoute } from "../tracing/request-spans.js";
import { isFunctionUrlPath, serveFunctionUrl, type FunctionUrlServing } from "./function-url.js";
import { isLambentPath } from "./lambent-paths.js";
import { serveRoute, type RouteServing } from "./http-route.js";
import { isStepFunctionsRequest, serveStepFunctions } from "../workflows/sfn-http.js";
import type { WorkflowOperations } from "../workflows/workflow-operations.js";
import { CODE_DOWNLOAD_PATH, type CodeLocations } from "./code-location.js";
import { authenticate, type ApiAuth } from "./api-auth.js";
import { authorize, authorizeCall, iamRequestOf, type ApiCaller } from "./api-authorization.js";
import { ConsoleAssets, isConsolePath } from "./console-assets.js";
import { functionCallerOf, stepFunctionsCallerOf } from "../function-api/bridge.js";

export interface HttpServerOptions {
  api: FrontendApi;
  logger: Logger;
  /** Whether an invocation can be served now. */
  health: () => Promise<{ healthy: boolean; detail: Record<string, unknown> }>;
  /** Bytes of a stored deployment package, for Code.Location downloads. */
  downloadPackage: (objectName: string) => Promise<Uint8Array | undefined>;
  /** Checks the signature and lifetime of a Code.Location URL. */
  codeLocations: CodeLocations;
  /** Served at GET /metrics when given. */
  metrics?: MetricsRegistry;
  /** Function URLs, served under /lambent-url/ when given. */
  functionUrls?: FunctionUrlServing;
  /** Routes, served at every path that is not Lambent's own when given. */
  routes?: RouteServing;
  /** Step Functions' JSON protocol (`POST /` with `X-Amz-Target: AWSStepFunctions.*`) when given. */
  stepFunctions?: WorkflowOperations;
  /** When given, every API request must be signed with one of these keys (LAMBENT_API_AUTH=sigv4). */
  apiAuth?: ApiAuth;
  /** The cluster's region and account, which ARNs are authorized in. */
  scope: { region: string; accountId: string };
  /** Where the console links a trace id (LAMBENT_CONSOLE_TRACE_URL). */
  consoleTraceUrl?: string | undefined;
}

/** What answers without a signature: probes, metrics, and package downloads the cluster signed itself. */
function isOpenPath(method: string, pathname: string): boolean {
  return method === "GET" && (pathname === LIVENESS_PATH || pathname === "/healthz" || pathname === METRICS_PATH || pathname.startsWith(CODE_DOWNLOAD_PATH + "/"));
}

export function createHttpServer(options: HttpServerOptions): Server {
  const consoleAssets = new ConsoleAssets({ signed: options.apiAuth !== undefined, region: options.apiAuth?.region ?? "us-east-1", traceUrl: options.consoleTraceUrl });
  const server: Server = createServer((request, response) => {
    void handle(options, consoleAssets, server, request, response);
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

async function handle(options: HttpServerOptions, consoleAssets: ConsoleAssets, server: Server, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://lambent");
  const method = request.method ?? "GET";
  const asFunction = functionCallerOf(request);
  if (asFunction) {
    // An application deploy's own calls (application-deploy-routes.ts) reach Step Functions too; a function's do not.
    const deployer = stepFunctionsCallerOf(request);
    if (deployer && options.stepFunctions && isStepFunctionsRequest(method, url.pathname, request)) {
      const target = String(request.headers["x-amz-target"] ?? "").replace(/^AWSStepFunctions\./, "");
      await serveStepFunctions(options.stepFunctions, options.logger, request, response, async () => authorize(deployer, { action: `states:${target}`, resource: "*" }));
      return;
    }
    await serveApi(options, server, request, response, url, method, asFunction);
    return;
  }
  if (isConsolePath(url.pathname)) {
    await consoleAssets.serve(method, url.pathname, response).catch((error: unknown) => {
      options.logger.error("console request failed", { method, path: url.pathname, err: error });
      if (!response.headersSent) response.writeHead(500).end();
      else response.destroy();
    });
    return;
  }
  if (options.stepFunctions && isStepFunctionsRequest(method, url.pathname, request)) {
    const apiAuth = options.apiAuth;
    const target = String(request.headers["x-amz-target"] ?? "").replace(/^AWSStepFunctions\./, "");
    await serveStepFunctions(
      options.stepFunctions,
      options.logger,
      request,
      response,
      apiAuth && (async (signed) => authorize(await authenticate(apiAuth, signed, "states"), { action: `states:${target}`, resource: "*" })),
    );
    return;
  }
  // Function URLs and routes answer every failure they can themselves; a throw is a broken connection or a bug.
  const trigger =
    options.functionUrls && isFunctionUrlPath(url.pathname)
      ? serveFunctionUrl(options.functionUrls, request, response)
      : options.routes && !isLambentPath(url.pathname)
        ? serveRoute(options.routes, request, response, url.pathname)
        : undefined;
  if (trigger) {
    await trigger.catch((error: unknown) => {
      options.logger.error("HTTP trigger request failed", { method, path: url.pathname, err: error });
      if (!response.headersSent) response.writeHead(500).end();
      else response.destroy();
    });
    return;
  }
  await serveApi(options, server, request, response, url, method, undefined);
}

/** Operations a function reaches another way (its worker runs Invoke as a function call, with the call depth counted). */
const NOT_FOR_FUNCTIONS = new Set(["Invoke", "InvokeWithResponseStream"]);

/**
 * Lambda's REST API and Lambent's own, and the open paths. `asFunction` is the caller of a function's own
 * request (function-api/bridge.ts): it is authorized as that caller, and reaches the API's routes only.
 */
async function serveApi(options: HttpServerOptions, server: Server, request: IncomingMessage, response: ServerResponse, url: URL, method: string, asFunction: ApiCaller | undefined): Promise<void> {
  try {
    const caller: ApiCaller | undefined = asFunction ?? (options.apiAuth && !isOpenPath(method, url.pathname) ? await authenticate(options.apiAuth, request, "lambda") : undefined);
    for (const route of routes) {
      if (route.method !== method) continue;
      const match = route.path.exec(url.pathname);
      if (!match) continue;
      if (asFunction && NOT_FOR_FUNCTIONS.has(route.operation)) {
        throw new LambdaError("AccessDeniedException", `Functions call ${route.operation} through POST /2015-03-31/functions/{FunctionName}/invocations, which runs as a function call`);
      }
      const params = match.slice(1).map((param) => decodeURIComponent(param));
      if (caller) {
        const iam = iamRequestOf(route.operation, url.pathname, params, url.searchParams, options.scope);
        const qualifier = url.searchParams.get("Qualifier") ?? undefined;
        await authorizeCall(caller, iam, async () => JSON.parse((await options.api.controlPlane.getPolicy(params[0] ?? "", qualifier)).Policy ?? "{}") as unknown);
      }
      const routeRequest = { request, response, params, query: url.searchParams, caller, server };
      const tracing = tracer();
      const result = await (tracing.enabled
        ? traceHttpRoute(tracing, route.operation, request, response, (span) => route.handle(options.api, { ...routeRequest, span }))
        : route.handle(options.api, routeRequest));
      if (result.kind === "ndjson") await sendNdjson(response, result, randomUUID(), options.logger);
      else if (result.kind === "invoke") sendInvokeOutput(response, result.output);
      else if (result.kind === "written") return;
      else sendJson(response, result.status, result.body, randomUUID());
      return;
    }
    if (asFunction) throw resourceNotFound(`No Lambda API operation at ${method} ${url.pathname}`);
    if (method === "GET" && url.pathname === METRICS_PATH && options.metrics) {
      await sendMetrics(options.metrics, response);
      return;
    }
    if (method === "GET" && url.pathname === LIVENESS_PATH) {
      sendLive(response);
      return;
    }
    if (method === "GET" && url.pathname === "/healthz") {
      const { healthy, detail } = await options.health();
      sendJson(response, healthy ? 200 : 503, { status: healthy ? "ok" : "unavailable", ...detail }, randomUUID());
      return;
    }
    if (method === "GET" && url.pathname.startsWith(CODE_DOWNLOAD_PATH + "/")) {
      await sendPackage(options, url.pathname.slice(CODE_DOWNLOAD_PATH.length + 1), url.searchParams, response);
      return;
    }
    throw resourceNotFound(`No Lambda API operation at ${method} ${url.pathname}`);
  } catch (error) {
    const requestId = randomUUID();
    if (!(error instanceof Error) || !("fields" in error)) {
      // The request id is the one the caller gets back; the trace id is there when the call was traced.
      const traceId = response.getHeader(TRACE_ID_HEADER);
      options.logger.error("request failed", { method, path: url.pathname, requestId, ...(traceId ? { traceId: String(traceId) } : {}), err: error });
    }
    sendError(response, error, requestId);
  }
}

function sendInvokeOutput(response: ServerResponse, output: InvokeOutput): void {
  const headers: Record<string, string | number> = {
    "Content-Type": "application/json",
    "Content-Length": output.payload.length,
    "x-amzn-RequestId": output.requestId,
  };
  if (output.executedVersion !== undefined) headers["X-Amz-Executed-Version"] = output.executedVersion;
  if (output.functionError !== undefined) headers["X-Amz-Function-Error"] = output.functionError;
  if (output.logResult !== undefined) headers["X-Amz-Log-Result"] = output.logResult;
  response.writeHead(output.statusCode, headers);
  response.end(output.payload);
}

/** A package by its Code.Location URL: signed by the cluster, and within its ten minutes. */
async function sendPackage(options: HttpServerOptions, objectName: string, query: URLSearchParams, response: ServerResponse): Promise<void> {
  const check = options.codeLocations.check(objectName, query);
  if (check !== "valid") {
    throw new LambdaError("AccessDeniedException", check === "expired" ? "Request has expired" : "The URL's signature does not match: take Code.Location from GetFunction");
  }
  const bytes = /^package\/[0-9a-f]{64}$/.test(objectName) ? await options.downloadPackage(objectName) : undefined;
  if (!bytes) throw resourceNotFound(`No deployment package ${objectName}`);
  response.writeHead(200, { "Content-Type": "application/zip", "Content-Length": bytes.length });
  response.end(bytes);
}

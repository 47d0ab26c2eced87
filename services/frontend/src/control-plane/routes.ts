// Lambent's routes (CreateRoute, GetRoute, ListRoutes, DeleteRoute): a function qualifier mounted at a
// path prefix and methods on every frontend, over the registry's RouteStore; and the cleanup when the
// function, version or alias a route invokes is deleted. Serving the routes is http/http-route.ts.
import { LambdaError, invalidParameter, resourceConflict, resourceNotFound } from "@lambent/errors";
import { LATEST, functionArn, isVersionNumber, parseFunctionReference, type ArnScope, type FunctionStore } from "@lambent/registry/functions";
import { ROUTE_METHODS, newRouteId, normaliseRoutePath, type RouteMethod, type RouteRecord, type RouteStore } from "@lambent/registry/routes";
import type { ListRoutesResponse, RouteConfiguration } from "@lambent/lambda-api";
import { reservedRoutePathReason } from "../http/lambent-paths.js";
import { optionalString, optionalStringList, requireBody, requireString, type Body } from "./fields.js";
import { readCors, toCorsConfig } from "./function-urls.js";
import { parseMaxItems, type ListOptions } from "./pagination.js";

export interface ListRoutesOptions extends ListOptions {
  /** Only the routes of this function (a name or ARN; with a qualifier, only that qualifier's). */
  functionName?: string;
}

/** The longest Path a body may carry (a trailing slash is dropped from it). */
const MAX_PATH_INPUT = 513;

export class RouteOperations {
  /** @param publicUrl the frontend's public base URL (no trailing slash), read when a route is described */
  constructor(
    private readonly scope: ArnScope,
    private readonly routes: RouteStore,
    private readonly functions: FunctionStore,
    private readonly publicUrl: () => string,
  ) {}

  /** CreateRoute: ResourceConflictException when a route already serves the prefix with one of the methods. */
  async create(input: unknown): Promise<RouteConfiguration> {
    const body = requireBody(input);
    const path = readPath(body);
    const methods = readMethods(body);
    const cors = readCors(body);
    // An empty Qualifier reads as none, as in Lambda's calls: the one inside FunctionName, or $LATEST.
    const { functionName, qualifier = LATEST } = parseFunctionReference(requireString(body, "FunctionName", 170), optionalString(body, "Qualifier"));
    await this.requireTarget(functionName, qualifier);
    const now = Date.now();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const route: RouteRecord = { routeId: newRouteId(), path, methods, functionName, qualifier, createdAt: now, lastModified: now };
      if (cors !== undefined) route.cors = cors;
      const outcome = await this.routes.create(route);
      if ("idTaken" in outcome) continue;
      if ("conflict" in outcome) {
        const { conflict } = outcome;
        throw resourceConflict(`Route ${conflict.routeId} already serves ${conflict.methods.join(",")} ${conflict.path} (function ${conflict.functionName}:${conflict.qualifier})`);
      }
      // A DeleteFunction that ran meanwhile may have missed the new route: take it back, as that delete would have.
      if (!(await this.functions.get(functionName, LATEST))) {
        await this.routes.delete(route.routeId);
        throw this.functionNotFound(functionName, qualifier);
      }
      return this.describe(route);
    }
    throw new LambdaError("ServiceException", "Could not find a free route id; try again");
  }

  async get(routeId: string): Promise<RouteConfiguration> {
    const route = await this.routes.get(routeId);
    if (!route) throw noRoute(routeId);
    return this.describe(route);
  }

  /** Sorted by path, then route id; the marker names the next page's first route. */
  async list(options: ListRoutesOptions): Promise<ListRoutesResponse> {
    const maxItems = parseMaxItems(options.maxItems);
    const filter = options.functionName === undefined || options.functionName === "" ? undefined : parseFunctionReference(options.functionName);
    const routes = (await this.routes.list())
      .map((stored) => stored.route)
      .filter((route) => filter === undefined || (route.functionName === filter.functionName && (filter.qualifier === undefined || route.qualifier === filter.qualifier)))
      .sort(compareRoutes);
    const marker = options.marker ? decodeMarker(options.marker) : undefined;
    const start = marker === undefined ? 0 : routes.findIndex((route) => compareRoutes(route, marker) >= 0);
    const page = start < 0 ? [] : routes.slice(start, start + maxItems);
    const response: ListRoutesResponse = { Routes: page.map((route) => this.describe(route)) };
    const next = start < 0 ? undefined : routes[start + maxItems];
    if (next !== undefined) response.NextMarker = Buffer.from(JSON.stringify([next.path, next.routeId])).toString("base64url");
    return response;
  }

  /** DeleteRoute: requests to the prefix get 404 (or a shorter prefix's route) from then on. */
  async delete(routeId: string): Promise<void> {
    if (!(await this.routes.delete(routeId))) throw noRoute(routeId);
  }

  /** Drops every route of a deleted function, or with a qualifier the routes of a deleted version or alias. */
  async forget(functionName: string, qualifier?: string): Promise<void> {
    await this.routes.deleteWhere((route) => route.functionName === functionName && (qualifier === undefined || route.qualifier === qualifier));
  }

  private describe(route: RouteRecord): RouteConfiguration {
    const response: RouteConfiguration = {
      RouteId: route.routeId,
      Path: route.path,
      Methods: [...route.methods],
      FunctionName: route.functionName,
      Qualifier: route.qualifier,
      FunctionArn: functionArn(this.scope, route.functionName, route.qualifier === LATEST ? undefined : route.qualifier),
      RouteUrl: `${this.publicUrl()}${route.path === "/" ? "/" : route.path}`,
      CreatedAt: new Date(route.createdAt).toISOString(),
      LastModified: new Date(route.lastModified).toISOString(),
    };
    if (route.cors !== undefined) response.Cors = toCorsConfig(route.cors);
    return response;
  }

  /** The function, and the version or alias the route names, exist now. */
  private async requireTarget(functionName: string, qualifier: string): Promise<void> {
    const exists =
      qualifier === LATEST || isVersionNumber(qualifier)
        ? (await this.functions.get(functionName, qualifier)) !== undefined
        : (await this.functions.get(functionName, LATEST)) !== undefined && (await this.functions.aliases.get(functionName, qualifier)) !== undefined;
    if (!exists) throw this.functionNotFound(functionName, qualifier);
  }

  private functionNotFound(functionName: string, qualifier: string) {
    return resourceNotFound(`Function not found: ${functionArn(this.scope, functionName, qualifier === LATEST ? undefined : qualifier)}`);
  }
}

/** The route operations of a frontend that has them; ServiceException where it does not. */
export function routesOf(api: { routes?: RouteOperations | undefined }): RouteOperations {
  if (!api.routes) throw new LambdaError("ServiceException", "Routes are not available on this frontend");
  return api.routes;
}

function readPath(body: Body): string {
  const normal = normaliseRoutePath(requireString(body, "Path", MAX_PATH_INPUT));
  if ("error" in normal) throw invalidParameter(normal.error);
  const reserved = reservedRoutePathReason(normal.path);
  if (reserved !== undefined) throw invalidParameter(reserved);
  return normal.path;
}

/** Absent means ANY; names are case-insensitive; ANY stands alone. */
function readMethods(body: Body): RouteMethod[] {
  const given = optionalStringList(body, "Methods");
  if (given === undefined) return ["ANY"];
  if (given.length === 0) throw invalidParameter("Methods must name at least one method, or ANY");
  const upper = given.map((method) => method.toUpperCase());
  const unknown = upper.find((method) => !(ROUTE_METHODS as readonly string[]).includes(method));
  if (unknown !== undefined) throw invalidParameter(`Method '${unknown}' must be one of ${ROUTE_METHODS.join(", ")}`);
  const methods = ROUTE_METHODS.filter((method) => upper.includes(method));
  if (methods.includes("ANY") && methods.length > 1) throw invalidParameter("ANY covers every method: give it alone");
  return methods;
}

function noRoute(routeId: string) {
  return resourceNotFound(`Route not found: ${routeId}`);
}

type RouteOrder = Pick<RouteRecord, "path" | "routeId">;

function compareRoutes(a: RouteOrder, b: RouteOrder): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return a.routeId < b.routeId ? -1 : a.routeId > b.routeId ? 1 : 0;
}

function decodeMarker(marker: string): RouteOrder {
  try {
    const parsed = JSON.parse(Buffer.from(marker, "base64url").toString()) as unknown;
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === "string" && typeof parsed[1] === "string") {
      return { path: parsed[0], routeId: parsed[1] };
    }
  } catch {
    // Not base64url JSON: refused below like any other marker this API never gave.
  }
  throw invalidParameter("Marker is not valid");
}

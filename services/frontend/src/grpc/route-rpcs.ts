// CreateRoute, GetRoute, ListRoutes and DeleteRoute over the API's route operations: the gRPC twins of the
// REST routes in http/route-control.ts.
import type { RouteConfiguration } from "@lambent/lambda-api";
import type * as proto from "@lambent/proto";
import type { FrontendApi } from "../api.js";
import { routesOf } from "../control-plane/routes.js";
import { corsBody, toProtoCors } from "./cors-messages.js";

export interface RouteRpcs {
  createRoute(request: proto.CreateRouteRequest): Promise<proto.CreateRouteResponse>;
  getRoute(request: proto.GetRouteRequest): Promise<proto.GetRouteResponse>;
  listRoutes(request: proto.ListRoutesRequest): Promise<proto.ListRoutesResponse>;
  deleteRoute(request: proto.DeleteRouteRequest): Promise<proto.DeleteRouteResponse>;
}

export function routeRpcs(api: FrontendApi): RouteRpcs {
  return {
    async createRoute(request) {
      const route = await routesOf(api).create({
        Path: request.path,
        Methods: request.methods.length === 0 ? undefined : request.methods,
        FunctionName: request.functionName,
        Qualifier: request.qualifier === "" ? undefined : request.qualifier,
        Cors: corsBody(request.cors),
      });
      return { route: toProtoRoute(route) };
    },
    async getRoute(request) {
      return { route: toProtoRoute(await routesOf(api).get(request.routeId)) };
    },
    async listRoutes(request) {
      const page = await routesOf(api).list({
        ...(request.functionName === "" ? {} : { functionName: request.functionName }),
        ...(request.marker === "" ? {} : { marker: request.marker }),
        ...(request.maxItems === 0 ? {} : { maxItems: request.maxItems }),
      });
      return { routes: page.Routes.map(toProtoRoute), nextMarker: page.NextMarker ?? "" };
    },
    async deleteRoute(request) {
      await routesOf(api).delete(request.routeId);
      return {};
    },
  };
}

function toProtoRoute(route: RouteConfiguration): proto.Route {
  const converted: proto.Route = {
    routeId: route.RouteId,
    path: route.Path,
    methods: route.Methods,
    functionName: route.FunctionName,
    qualifier: route.Qualifier,
    functionArn: route.FunctionArn,
    routeUrl: route.RouteUrl,
    createdAt: route.CreatedAt,
    lastModified: route.LastModified,
  };
  if (route.Cors !== undefined) converted.cors = toProtoCors(route.Cors);
  return converted;
}

// HTTP routes: route records in KV, their paths and methods, and the store that settles overlapping creates.
export {
  ROUTE_METHODS,
  type RouteMethod,
  type RouteRecord,
  ROUTE_KEYS,
  routeKey,
  ROUTE_ID_PATTERN,
  newRouteId,
  MAX_ROUTE_PATH_LENGTH,
  normaliseRoutePath,
  routesOverlap,
  decodeRoute,
  type StoredRoute,
  type RouteCreation,
  RouteStore,
} from "./route-record.js";

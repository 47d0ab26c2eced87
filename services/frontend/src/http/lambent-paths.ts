// The paths the frontend keeps for itself: Lambda's dated API paths (`/2015-03-31/…`), everything under
// `/lambent…` (Lambent's API, function URLs, code downloads), `/healthz`, `/livez`, `/metrics` and the web
// console's `/console`. A request for any other path is for a route; a route may not be created beneath one
// of these.
import { LIVENESS_PATH, METRICS_PATH } from "@lambent/telemetry";

/** Lambda versions each API by date: `/2015-03-31/functions`, `/2021-10-31/functions/{name}/url`, … */
const DATED = /^\/\d{4}-\d{2}-\d{2}(?:\/|$)/;
const LAMBENT = "/lambent";
const OWN_SEGMENTS = new Set(["healthz", LIVENESS_PATH.slice(1), METRICS_PATH.slice(1), "console"]);

/**
 * Whether a request path belongs to Lambent (its API and service paths) rather than to the routes. Every
 * request asks, the invoke path first among them; one anchored regex and a prefix test answer the common cases.
 */
export function isLambentPath(pathname: string): boolean {
  if (DATED.test(pathname) || pathname.startsWith(LAMBENT)) return true;
  const end = pathname.indexOf("/", 1);
  return OWN_SEGMENTS.has(end === -1 ? pathname.slice(1) : pathname.slice(1, end));
}

/**
 * Why a route prefix may not be used, or undefined when it may. Stricter than `isLambentPath` (any case
 * of `lambent`), so a route can never shadow, or be shadowed by, one of Lambent's own paths.
 */
export function reservedRoutePathReason(path: string): string | undefined {
  const end = path.indexOf("/", 1);
  const first = end === -1 ? path.slice(1) : path.slice(1, end);
  if (DATED.test(`/${first}`)) return `Path '${path}' is reserved: paths beginning with a date are the Lambda API's`;
  if (first.toLowerCase().startsWith("lambent")) return `Path '${path}' is reserved: paths beginning with /lambent are Lambent's own`;
  if (OWN_SEGMENTS.has(first)) return `Path '${path}' is reserved for the frontend's /${first}`;
  return undefined;
}

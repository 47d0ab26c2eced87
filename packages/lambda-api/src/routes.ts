// Lambent's routes: a function qualifier served at a path prefix and methods on every frontend.
import type { FunctionUrlCorsConfig } from "./function-urls.js";

/** A route as the API reports it. Times are ISO-8601. */
export interface RouteConfiguration {
  RouteId: string;
  /** The prefix, normalised: `/` or segments without a trailing slash. */
  Path: string;
  /** `["ANY"]`, or the methods served. */
  Methods: string[];
  FunctionName: string;
  /** `$LATEST`, a version number or an alias. */
  Qualifier: string;
  /** Unqualified for `$LATEST`, qualified otherwise. */
  FunctionArn: string;
  /** The prefix beneath the frontend's public URL. */
  RouteUrl: string;
  Cors?: FunctionUrlCorsConfig;
  CreatedAt: string;
  LastModified: string;
}

export interface ListRoutesResponse {
  Routes: RouteConfiguration[];
  NextMarker?: string;
}

/** CreateRoute's body; Methods absent means ANY, Qualifier absent $LATEST. */
export interface CreateRouteRequest {
  Path: string;
  FunctionName: string;
  Qualifier?: string;
  Methods?: string[];
  Cors?: FunctionUrlCorsConfig;
}

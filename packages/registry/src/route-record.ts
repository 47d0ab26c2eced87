// HTTP routes: a function qualifier mounted at a path prefix and a set of methods on every frontend, kept
// in the functions KV bucket under `route.<routeId>`. A prefix and method belong to one route at most: a
// create writes first, then reads every route back and withdraws its own when an older one (a lower KV
// revision) claims the same prefix and method, so two frontends creating at once cannot both win.
import { randomInt } from "node:crypto";
import type { KV } from "@nats-io/kv";
import type { FunctionUrlCors } from "./function-url-config.js";
import { createIfAbsent } from "./compare-and-set.js";
import type { ObservedWrites } from "./observed-writes.js";
import { listKeys } from "./kv-keys.js";

/** Every method a route may name; `ANY` alone stands for all of them. */
export const ROUTE_METHODS = ["ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"] as const;
export type RouteMethod = (typeof ROUTE_METHODS)[number];

/** The JSON under `route.<routeId>`. */
export interface RouteRecord {
  routeId: string;
  /** A normalised prefix (`normaliseRoutePath`): `/` or segments without a trailing slash. */
  path: string;
  /** `["ANY"]`, or distinct methods in `ROUTE_METHODS` order. */
  methods: RouteMethod[];
  functionName: string;
  /** `$LATEST`, a version number or an alias. */
  qualifier: string;
  cors?: FunctionUrlCors;
  /** Epoch milliseconds. */
  createdAt: number;
  lastModified: number;
}

export const ROUTE_KEYS = "route.>";
export const routeKey = (routeId: string): string => `route.${routeId}`;

/** Lowercase letters and digits, like API Gateway's route ids but longer, so collisions stay out of reach. */
export const ROUTE_ID_PATTERN = /^[a-z0-9]{10}$/;
const ROUTE_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

export function newRouteId(): string {
  let id = "";
  for (let index = 0; index < 10; index += 1) id += ROUTE_ID_ALPHABET[randomInt(ROUTE_ID_ALPHABET.length)];
  return id;
}

/** Longest prefix a route may have. */
export const MAX_ROUTE_PATH_LENGTH = 512;
/** Characters a path segment keeps as they are in a request's URL, so a prefix compares with it byte for byte. */
const SEGMENT = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]+$/;

/**
 * A prefix as it is stored and matched: a leading `/`, no trailing `/` (except the root), no empty, `.` or
 * `..` segments, and only characters that reach the frontend unencoded. Returns an error message for a
 * prefix that cannot be one.
 */
export function normaliseRoutePath(path: string): { path: string } | { error: string } {
  if (!path.startsWith("/")) return { error: `Path must start with '/', got '${path}'` };
  if (path.length > MAX_ROUTE_PATH_LENGTH) return { error: `Path must be at most ${MAX_ROUTE_PATH_LENGTH} characters long` };
  const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  if (trimmed === "/") return { path: trimmed };
  for (const segment of trimmed.slice(1).split("/")) {
    if (segment === "") return { error: `Path must not contain empty segments, got '${path}'` };
    if (segment === "." || segment === "..") return { error: `Path must not contain '.' or '..' segments, got '${path}'` };
    if (!SEGMENT.test(segment)) {
      return { error: `Path segments may hold letters, digits and -._~!$&'()*+,;=:@ only (no percent-escapes or {braces}), got '${path}'` };
    }
  }
  return { path: trimmed };
}

/** Whether two routes claim a method on the same prefix (`ANY` claims every method). */
export function routesOverlap(a: Pick<RouteRecord, "path" | "methods">, b: Pick<RouteRecord, "path" | "methods">): boolean {
  if (a.path !== b.path) return false;
  if (a.methods.includes("ANY") || b.methods.includes("ANY")) return true;
  return a.methods.some((method) => b.methods.includes(method));
}

const decoder = new TextDecoder();

/** The route stored under `key`; throws when the value is malformed or names another route. */
export function decodeRoute(key: string, value: Uint8Array): RouteRecord {
  const parsed = JSON.parse(decoder.decode(value)) as unknown;
  if (typeof parsed !== "object" || parsed === null) throw new Error(`The route under ${key} is not an object`);
  const route = parsed as Record<string, unknown>;
  const methods = route["methods"];
  const path = route["path"];
  const normal = typeof path === "string" ? normaliseRoutePath(path) : undefined;
  const valid =
    typeof route["routeId"] === "string" &&
    ROUTE_ID_PATTERN.test(route["routeId"]) &&
    normal !== undefined &&
    "path" in normal &&
    normal.path === path &&
    Array.isArray(methods) &&
    methods.length > 0 &&
    methods.every((method) => (ROUTE_METHODS as readonly unknown[]).includes(method)) &&
    typeof route["functionName"] === "string" &&
    typeof route["qualifier"] === "string" &&
    (route["cors"] === undefined || (typeof route["cors"] === "object" && route["cors"] !== null)) &&
    typeof route["createdAt"] === "number" &&
    typeof route["lastModified"] === "number";
  if (!valid) throw new Error(`The route under ${key} is malformed`);
  if (key !== routeKey(route["routeId"] as string)) throw new Error(`The route under ${key} is route ${String(route["routeId"])}`);
  return parsed as RouteRecord;
}

export interface StoredRoute {
  route: RouteRecord;
  revision: number;
}

/** What `RouteStore.create` did: wrote the route, or found an older route with its prefix and a method, or its id taken. */
export type RouteCreation = { created: true } | { created: false; conflict: RouteRecord } | { created: false; idTaken: true };

/** Reads and writes routes, straight from KV (the frontend serves from its own watched copy). */
export class RouteStore {
  constructor(
    private readonly kv: KV,
    private readonly writes: ObservedWrites,
  ) {}

  async get(routeId: string): Promise<RouteRecord | undefined> {
    if (!ROUTE_ID_PATTERN.test(routeId)) return undefined;
    const key = routeKey(routeId);
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== "PUT") return undefined;
    return decodeRoute(key, entry.value);
  }

  /** Every readable route with its KV revision, in no particular order. */
  async list(): Promise<StoredRoute[]> {
    const keys: string[] = [];
    keys.push(...(await listKeys(this.kv, ROUTE_KEYS)));
    const entries = await Promise.all(keys.map((key) => this.kv.get(key)));
    const routes: StoredRoute[] = [];
    for (const entry of entries) {
      if (!entry || entry.operation !== "PUT") continue;
      try {
        routes.push({ route: decodeRoute(entry.key, entry.value), revision: entry.revision });
      } catch {
        // A malformed value serves nothing (the frontends' views leave it out too); listing goes on without it.
      }
    }
    return routes;
  }

  /**
   * Writes a new route, then reads every route back: when an older route that stands overlaps it, the
   * new route is deleted again and the older one returned. Of two overlapping creates, the later write
   * always sees the earlier one, so exactly one survives.
   */
  async create(route: RouteRecord): Promise<RouteCreation> {
    const key = routeKey(route.routeId);
    if ((await createIfAbsent(this.writes, key, JSON.stringify(route))) === undefined) return { created: false, idTaken: true };
    // Routes in the order they were written: each one stands unless an earlier one still standing
    // overlaps it. Every reader computes the same answer for the routes it sees, and the later of two
    // overlapping writes sees the earlier one.
    const all = (await this.list()).sort((a, b) => a.revision - b.revision);
    const standing: RouteRecord[] = [];
    for (const { route: stored } of all) {
      const blocker = standing.find((earlier) => routesOverlap(earlier, stored));
      if (stored.routeId === route.routeId) {
        if (blocker === undefined) return { created: true };
        await this.writes.delete(key);
        return { created: false, conflict: blocker };
      }
      if (blocker === undefined) standing.push(stored);
    }
    // Deleted before it could be read back (by a DeleteFunction at the same moment): nothing to withdraw.
    return { created: true };
  }

  /** Deletes one route; false when there is none. */
  async delete(routeId: string): Promise<boolean> {
    if ((await this.get(routeId)) === undefined) return false;
    await this.writes.delete(routeKey(routeId));
    return true;
  }

  /** Deletes every route `doomed` picks (the routes of a deleted function, version or alias); returns them. */
  async deleteWhere(doomed: (route: RouteRecord) => boolean): Promise<RouteRecord[]> {
    const routes = (await this.list()).map((stored) => stored.route).filter(doomed);
    for (const route of routes) await this.writes.delete(routeKey(route.routeId));
    return routes;
  }
}

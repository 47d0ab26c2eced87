// Route matching: whole segments, the longest prefix with a route for the method (or ANY), API Gateway's
// route keys and proxy parameter; and which paths stay Lambent's own.
import { describe, expect, it } from "vitest";
import type { RouteMethod, RouteRecord } from "@lambent/registry/routes";
import { RouteTable, type RouteSource } from "./route-table.js";
import { isLambentPath, reservedRoutePathReason } from "./lambent-paths.js";

let nextId = 0;
const route = (path: string, methods: RouteMethod[], createdAt = 1): RouteRecord => ({
  routeId: `route${String(nextId++).padStart(5, "0")}`,
  path,
  methods,
  functionName: "fn",
  qualifier: "$LATEST",
  createdAt,
  lastModified: createdAt,
});

/** A KeySpaceView stand-in: a map and its change listeners. */
function source(routes: RouteRecord[]): RouteSource & { put(route: RouteRecord): void; remove(route: RouteRecord): void } {
  const entries = new Map(routes.map((item) => [`route.${item.routeId}`, item]));
  const listeners: (() => void)[] = [];
  return {
    values: () => entries.entries(),
    onChange: (listener) => listeners.push(listener),
    put(item) {
      entries.set(`route.${item.routeId}`, item);
      for (const listener of listeners) listener();
    },
    remove(item) {
      entries.delete(`route.${item.routeId}`);
      for (const listener of listeners) listener();
    },
  };
}

describe("RouteTable", () => {
  const orders = route("/shop/orders", ["GET", "POST"]);
  const shop = route("/shop", ["ANY"]);
  const root = route("/", ["GET"]);
  const table = new RouteTable(source([orders, shop, root]));

  it("takes the longest prefix of whole segments", () => {
    expect(table.match("/shop/orders/42/items", "GET")).toEqual({ route: orders, routeKey: "GET /shop/orders/{proxy+}", proxy: "42/items" });
    expect(table.match("/shop/orders", "POST")).toEqual({ route: orders, routeKey: "POST /shop/orders" });
    expect(table.match("/shop/orders/", "GET")).toEqual({ route: orders, routeKey: "GET /shop/orders" });
    expect(table.match("/shop/ordersx", "GET")).toEqual({ route: shop, routeKey: "ANY /shop/{proxy+}", proxy: "ordersx" });
    expect(table.match("/shopping", "GET")).toEqual({ route: root, routeKey: "GET /{proxy+}", proxy: "shopping" });
    expect(table.match("/", "GET")).toEqual({ route: root, routeKey: "GET /" });
  });

  it("falls back to a shorter prefix when the longer one has no route for the method, and to nothing", () => {
    expect(table.match("/shop/orders/1", "DELETE")).toEqual({ route: shop, routeKey: "ANY /shop/{proxy+}", proxy: "orders/1" });
    expect(table.match("/elsewhere", "POST")).toBeUndefined();
  });

  it("decodes the proxy parameter and keeps a malformed escape as sent", () => {
    expect(table.match("/shop/orders/a%20b/%E2%9C%93", "GET")?.proxy).toBe("a b/✓");
    expect(table.match("/shop/orders/100%zz", "GET")?.proxy).toBe("100%zz");
  });

  it("follows changes, and lets the older of two routes claiming one method serve", () => {
    const routes = source([]);
    const live = new RouteTable(routes);
    expect(live.match("/api/x", "GET")).toBeUndefined();
    const first = route("/api", ["GET"], 10);
    routes.put(first);
    expect(live.match("/api/x", "GET")?.route).toBe(first);
    const later = route("/api", ["ANY"], 20);
    routes.put(later);
    expect(live.match("/api/x", "GET")?.route).toBe(first);
    expect(live.match("/api/x", "PUT")?.route).toBe(later);
    routes.remove(first);
    expect(live.match("/api/x", "GET")?.route).toBe(later);
  });
});

describe("Lambent's own paths", () => {
  it("are the dated API paths, /lambent…, /healthz, /livez, /metrics and /console", () => {
    for (const path of ["/2015-03-31/functions/f/invocations", "/2021-10-31", "/lambent/2024-01-01/routes", "/lambent-url/abc/", "/lambentx", "/healthz", "/livez", "/metrics", "/metrics/x", "/console", "/console/functions/f"]) {
      expect(isLambentPath(path), path).toBe(true);
    }
    for (const path of ["/", "", "/shop", "/2015-report", "/2015-03-31x/a", "/2015-03-3a", "/2015/03/31", "/healthzz", "/metrics-dashboard", "/consoles", "/Lambent"]) {
      expect(isLambentPath(path), path).toBe(false);
    }
  });

  it("are refused as route prefixes, in any case of lambent", () => {
    for (const path of ["/2015-03-31", "/2019-09-30/x", "/lambent", "/lambent-url/x", "/LAMBENT/x", "/healthz", "/livez", "/metrics/x", "/console"]) {
      expect(reservedRoutePathReason(path), path).toMatch(/reserved/);
    }
    for (const path of ["/", "/shop", "/2015-report", "/metrics-dashboard"]) expect(reservedRoutePathReason(path), path).toBeUndefined();
  });
});

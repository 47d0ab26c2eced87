// Every route, indexed for the request path: prefix → method → route, rebuilt from the watched copy of
// `route.>` after it changes (routes change rarely; requests are many). A lookup tries the path, then each
// shorter prefix of whole segments, so it costs one map lookup per segment, however many routes there are.
import type { RouteRecord } from "@lambent/registry/routes";

/** The watched routes (a `KeySpaceView<RouteRecord>`). */
export interface RouteSource {
  values(): IterableIterator<[string, RouteRecord]>;
  onChange(listener: () => void): void;
}

export interface RouteMatch {
  route: RouteRecord;
  /** API Gateway's form: `GET /shop/orders` for the prefix itself, `GET /shop/orders/{proxy+}` beneath it (`ANY` for an ANY route). */
  routeKey: string;
  /** The path beneath the prefix without its leading `/`, percent-decoded; undefined for the prefix itself. */
  proxy?: string;
}

export class RouteTable {
  private byPrefix = new Map<string, Map<string, RouteRecord>>();
  private stale = true;

  constructor(private readonly source: RouteSource) {
    source.onChange(() => {
      this.stale = true;
    });
  }

  /** The route for a request: the longest prefix of whole segments with a route for the method (or ANY). */
  match(pathname: string, method: string): RouteMatch | undefined {
    if (this.stale) this.rebuild();
    if (this.byPrefix.size === 0) return undefined;
    let prefix = pathname.length > 1 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
    for (;;) {
      const methods = this.byPrefix.get(prefix);
      const exact = methods?.get(method);
      const route = exact ?? methods?.get("ANY");
      if (route) return matchOf(route, exact ? method : "ANY", pathname.slice(prefix === "/" ? 0 : prefix.length));
      if (prefix === "/") return undefined;
      const cut = prefix.lastIndexOf("/");
      prefix = cut <= 0 ? "/" : prefix.slice(0, cut);
    }
  }

  private rebuild(): void {
    this.stale = false;
    // Two routes claim a prefix and method only for the moment a losing create takes to withdraw: the
    // older one serves meanwhile.
    const routes = [...this.source.values()].map(([, route]) => route).sort((a, b) => a.createdAt - b.createdAt || (a.routeId < b.routeId ? -1 : 1));
    const byPrefix = new Map<string, Map<string, RouteRecord>>();
    for (const route of routes) {
      let methods = byPrefix.get(route.path);
      if (!methods) byPrefix.set(route.path, (methods = new Map()));
      for (const method of route.methods) if (!methods.has(method)) methods.set(method, route);
    }
    this.byPrefix = byPrefix;
  }
}

function matchOf(route: RouteRecord, method: string, remainder: string): RouteMatch {
  const base = route.path === "/" ? "" : route.path;
  if (remainder === "" || remainder === "/") return { route, routeKey: `${method} ${route.path}` };
  return { route, routeKey: `${method} ${base}/{proxy+}`, proxy: decodePath(remainder.slice(1)) };
}

function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    // A malformed escape (`%zz`) reaches the function as sent; rawPath has it too.
    return raw;
  }
}

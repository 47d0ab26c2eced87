// Client routes under /console: the URL names the page, so a link can be shared and reloaded (the
// frontend answers every /console/* path with the app).
import { useEffect, useState } from "preact/hooks";

export const CONSOLE_BASE = "/console";

export type FunctionTab = "test" | "configuration" | "versions";

export type Route = { page: "functions" } | { page: "function"; name: string; tab: FunctionTab };

const TABS: readonly FunctionTab[] = ["test", "configuration", "versions"];

export function routeOf(pathname: string): Route {
  const match = /^\/console\/functions\/([^/]+)(?:\/([^/]+))?\/?$/.exec(pathname);
  if (match) {
    const tab = TABS.find((candidate) => candidate === match[2]) ?? "test";
    return { page: "function", name: decodeURIComponent(match[1]!), tab };
  }
  return { page: "functions" };
}

export function hrefOf(route: Route): string {
  if (route.page === "functions") return `${CONSOLE_BASE}/`;
  return `${CONSOLE_BASE}/functions/${encodeURIComponent(route.name)}${route.tab === "test" ? "" : `/${route.tab}`}`;
}

const listeners = new Set<() => void>();

export function navigate(href: string): void {
  window.history.pushState(null, "", href);
  for (const listener of listeners) listener();
}

/** The current route, following links and the browser's back and forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => routeOf(window.location.pathname));
  useEffect(() => {
    const update = (): void => setRoute(routeOf(window.location.pathname));
    listeners.add(update);
    window.addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  return route;
}

/** A click on an in-app link: the page changes without a reload; modified clicks keep the browser's meaning. */
export function followLink(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.currentTarget as HTMLAnchorElement | null)?.getAttribute("href");
  if (!anchor) return;
  event.preventDefault();
  navigate(anchor);
}

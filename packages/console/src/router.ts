// Client routes under /console: the URL names the page, so a link can be shared and reloaded (the
// frontend answers every /console/* path with the app).
import { useEffect, useState } from "preact/hooks";
import { routeOf, type Route } from "./routes.js";

export { CONSOLE_BASE, hrefOf, routeOf, type FunctionTab, type Route } from "./routes.js";

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

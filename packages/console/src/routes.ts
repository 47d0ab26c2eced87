// The console's client routes as data: which page a /console path names, and the path of a page. Pure,
// so tests read it without the DOM; router.ts follows the browser's location with it.
export const CONSOLE_BASE = "/console";

export type FunctionTab = "test" | "code" | "monitor" | "logs" | "queue" | "configuration" | "versions";

/**
 * A function's page (on the Logs tab, `requestId` names the invocation whose detail is shown); the
 * workflows, one state machine's executions, one execution (by the state machine's and its own name);
 * usage and cost.
 */
export type Route =
  | { page: "functions" }
  | { page: "cluster" }
  | { page: "usage" }
  | { page: "workflows" }
  | { page: "workflow"; stateMachine: string; execution?: string }
  | { page: "function"; name: string; tab: FunctionTab; requestId?: string };

const TABS: readonly FunctionTab[] = ["test", "code", "monitor", "logs", "queue", "configuration", "versions"];

export function routeOf(pathname: string): Route {
  const match = /^\/console\/functions\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?\/?$/.exec(pathname);
  if (match) {
    const tab = TABS.find((candidate) => candidate === match[2]) ?? "test";
    const route: Route = { page: "function", name: decodeURIComponent(match[1]!), tab };
    if (tab === "logs" && match[3]) route.requestId = decodeURIComponent(match[3]);
    return route;
  }
  if (/^\/console\/cluster\/?$/.test(pathname)) return { page: "cluster" };
  if (/^\/console\/usage\/?$/.test(pathname)) return { page: "usage" };
  if (/^\/console\/workflows\/?$/.test(pathname)) return { page: "workflows" };
  const workflow = /^\/console\/workflows\/([^/]+)(?:\/executions\/([^/]+))?\/?$/.exec(pathname);
  if (workflow) {
    const route: Route = { page: "workflow", stateMachine: decodeURIComponent(workflow[1]!) };
    if (workflow[2]) route.execution = decodeURIComponent(workflow[2]);
    return route;
  }
  return { page: "functions" };
}

export function hrefOf(route: Route): string {
  if (route.page === "functions") return `${CONSOLE_BASE}/`;
  if (route.page === "cluster") return `${CONSOLE_BASE}/cluster`;
  if (route.page === "usage") return `${CONSOLE_BASE}/usage`;
  if (route.page === "workflows") return `${CONSOLE_BASE}/workflows`;
  if (route.page === "workflow") {
    const base = `${CONSOLE_BASE}/workflows/${encodeURIComponent(route.stateMachine)}`;
    return route.execution === undefined ? base : `${base}/executions/${encodeURIComponent(route.execution)}`;
  }
  const base = `${CONSOLE_BASE}/functions/${encodeURIComponent(route.name)}${route.tab === "test" ? "" : `/${route.tab}`}`;
  return route.tab === "logs" && route.requestId ? `${base}/${encodeURIComponent(route.requestId)}` : base;
}

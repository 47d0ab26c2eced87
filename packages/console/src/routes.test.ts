// Client routes: every tab, and an invocation's detail under the Logs tab, read back from the links made.
import { describe, expect, it } from "vitest";
import { hrefOf, routeOf, type Route } from "./routes.js";

describe("console routes", () => {
  it("reads back every link it makes", () => {
    const routes: Route[] = [
      { page: "functions" },
      { page: "cluster" },
      { page: "function", name: "hello", tab: "test" },
      { page: "function", name: "hello", tab: "monitor" },
      { page: "function", name: "hello", tab: "logs" },
      { page: "function", name: "hello", tab: "queue" },
      { page: "function", name: "hello", tab: "code" },
      { page: "function", name: "hello", tab: "logs", requestId: "6f1c-42" },
      { page: "function", name: "a b", tab: "versions" },
      { page: "usage" },
      { page: "workflows" },
      { page: "workflow", stateMachine: "orders" },
      { page: "workflow", stateMachine: "orders", execution: "run 1" },
    ];
    for (const route of routes) expect(routeOf(hrefOf(route))).toEqual(route);
    expect(hrefOf({ page: "function", name: "hello", tab: "logs", requestId: "r/1" })).toBe("/console/functions/hello/logs/r%2F1");
  });

  it("takes an unknown tab as the Test tab, and a request id only under Logs", () => {
    expect(routeOf("/console/functions/hello/nope")).toEqual({ page: "function", name: "hello", tab: "test" });
    expect(routeOf("/console/functions/hello/monitor/r1")).toEqual({ page: "function", name: "hello", tab: "monitor" });
    expect(routeOf("/console/elsewhere")).toEqual({ page: "functions" });
  });
});

// lambent route: flags → the requests sent (method, path, query, body) against a small local server that
// keeps routes in memory, what each form prints, and the usage errors that stop before any request.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startStubApi, type StubApi } from "./testing/stub-api.js";

const ROUTES = "/lambent/2024-01-01/routes";

let api: StubApi;
let stored: Record<string, unknown>[];

/** Answers like the frontend: create stores, list pages by one, get and delete by id. */
beforeEach(async () => {
  stored = [];
  let nextId = 0;
  api = await startStubApi(({ method, body }, url) => {
    if (method === "POST" && url.pathname === ROUTES) {
      const input = JSON.parse(body) as { Path: string; FunctionName: string; Qualifier?: string; Methods?: string[] };
      const route = { RouteId: `route${String(nextId++).padStart(5, "0")}`, Path: input.Path, Methods: input.Methods ?? ["ANY"], FunctionName: input.FunctionName, Qualifier: input.Qualifier ?? "$LATEST", RouteUrl: `http://127.0.0.1:8080${input.Path}` };
      stored.push(route);
      return { status: 201, body: route };
    }
    if (method === "GET" && url.pathname === ROUTES) {
      const start = Number(url.searchParams.get("Marker") ?? 0);
      const page = stored.slice(start, start + 1);
      return { status: 200, body: { Routes: page, ...(start + 1 < stored.length ? { NextMarker: String(start + 1) } : {}) } };
    }
    const id = url.pathname.slice(ROUTES.length + 1);
    const index = stored.findIndex((route) => route["RouteId"] === id);
    if (index < 0) return { status: 404, body: { message: `Route not found: ${id}` }, headers: { "x-amzn-ErrorType": "ResourceNotFoundException" } };
    if (method === "DELETE") {
      stored.splice(index, 1);
      return { status: 204 };
    }
    return { status: 200, body: stored[index] };
  });
});
afterEach(() => api.close());

const run = (...args: string[]) => api.run(args);

describe("lambent route", () => {
  it("adds routes with their methods, qualifier and CORS origins, and prints them", async () => {
    const added = await run("route", "add", "/shop/orders", "--function", "orders", "--method", "GET", "--method", "POST", "--qualifier", "live", "--cors-origin", "*");
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^RouteId:\s+route00000$/m);
    expect(added.stdout).toMatch(/^Methods:\s+GET, POST$/m);
    expect(added.stdout).toMatch(/^Function:\s+orders:live$/m);
    expect(added.stdout).toMatch(/^RouteUrl:\s+http:\/\/127\.0\.0\.1:8080\/shop\/orders$/m);
    const json = await run("route", "add", "/", "--function", "site", "--json");
    expect(JSON.parse(json.stdout)).toMatchObject({ RouteId: "route00001", Path: "/", Methods: ["ANY"] });
    expect(api.requests.map((request) => [request.method, request.path, request.body])).toEqual([
      ["POST", ROUTES, JSON.stringify({ Path: "/shop/orders", FunctionName: "orders", Qualifier: "live", Methods: ["GET", "POST"], Cors: { AllowOrigins: ["*"] } })],
      ["POST", ROUTES, JSON.stringify({ Path: "/", FunctionName: "site" })],
    ]);
  });

  it("lists every page, or one function's routes", async () => {
    await run("route", "add", "/a", "--function", "one");
    await run("route", "add", "/b", "--function", "two", "--method", "PUT");
    api.requests.length = 0;
    const listed = await run("route", "list");
    expect(listed.stdout).toBe("ROUTE ID    PATH  METHODS  FUNCTION\nroute00000  /a    ANY      one:$LATEST\nroute00001  /b    PUT      two:$LATEST\n");
    expect(api.requests.map((request) => request.path)).toEqual([ROUTES, `${ROUTES}?Marker=1`]);
    api.requests.length = 0;
    await run("route", "list", "--function", "two", "--json");
    expect(api.requests.map((request) => request.path)).toEqual([`${ROUTES}?FunctionName=two`, `${ROUTES}?FunctionName=two&Marker=1`]);
  });

  it("removes a route by id, and every route at a path", async () => {
    await run("route", "add", "/a", "--function", "one", "--method", "GET");
    await run("route", "add", "/a", "--function", "two", "--method", "POST");
    await run("route", "add", "/b", "--function", "one");
    const byId = await run("route", "remove", "route00002");
    expect(byId.stdout).toBe("removed route route00002: ANY /b → one:$LATEST\n");
    const byPath = await run("route", "remove", "/a/", "--json");
    expect(JSON.parse(byPath.stdout)).toEqual({ RouteIds: ["route00000", "route00001"], Deleted: true });
    expect(stored).toEqual([]);
    const none = await run("route", "remove", "/a");
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("ResourceNotFoundException: no route at /a");
    const unknown = await run("route", "remove", "nosuchroute");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("ResourceNotFoundException");
  });

  it("refuses a missing function, a relative path and an unknown subcommand before sending anything", async () => {
    expect((await run("route", "add", "/x")).code).toBe(2);
    expect((await run("route", "add", "x", "--function", "f")).code).toBe(2);
    expect((await run("route", "rename", "/x")).code).toBe(2);
    expect((await run("route")).code).toBe(2);
    expect(api.requests).toEqual([]);
  });
});

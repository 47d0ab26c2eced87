// lambent route: flags → the requests sent (method, path, query, body) against a small local server that
// keeps routes in memory, what each form prints, and the usage errors that stop before any request.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "./cli.js";
import type { CliIo } from "./command.js";

interface Recorded {
  method: string;
  path: string;
  body: string;
}

const ROUTES = "/lambent/2024-01-01/routes";

let endpoint: string;
let requests: Recorded[];
let stored: Record<string, unknown>[];
let close: () => Promise<void>;

/** Answers like the frontend: create stores, list pages by one, get and delete by id. */
beforeEach(async () => {
  requests = [];
  stored = [];
  let nextId = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://localhost");
      const body = Buffer.concat(chunks).toString("utf8");
      requests.push({ method: request.method ?? "", path: url.pathname + url.search, body });
      const answer = (status: number, value?: unknown): void => {
        response.writeHead(status, { "Content-Type": "application/json", ...(status === 404 ? { "x-amzn-ErrorType": "ResourceNotFoundException" } : {}) });
        response.end(value === undefined ? "" : JSON.stringify(value));
      };
      if (request.method === "POST" && url.pathname === ROUTES) {
        const input = JSON.parse(body) as { Path: string; FunctionName: string; Qualifier?: string; Methods?: string[] };
        const route = { RouteId: `route${String(nextId++).padStart(5, "0")}`, Path: input.Path, Methods: input.Methods ?? ["ANY"], FunctionName: input.FunctionName, Qualifier: input.Qualifier ?? "$LATEST", RouteUrl: `http://127.0.0.1:8080${input.Path}` };
        stored.push(route);
        return answer(201, route);
      }
      if (request.method === "GET" && url.pathname === ROUTES) {
        const start = Number(url.searchParams.get("Marker") ?? 0);
        const page = stored.slice(start, start + 1);
        return answer(200, { Routes: page, ...(start + 1 < stored.length ? { NextMarker: String(start + 1) } : {}) });
      }
      const id = url.pathname.slice(ROUTES.length + 1);
      const index = stored.findIndex((route) => route["RouteId"] === id);
      if (index < 0) return answer(404, { message: `Route not found: ${id}` });
      if (request.method === "DELETE") {
        stored.splice(index, 1);
        return answer(204);
      }
      return answer(200, stored[index]);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise((resolve) => server.close(() => resolve()));
});
afterEach(async () => close());

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { LAMBENT_ENDPOINT: endpoint },
    cwd: process.cwd(),
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

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
    expect(requests.map((request) => [request.method, request.path, request.body])).toEqual([
      ["POST", ROUTES, JSON.stringify({ Path: "/shop/orders", FunctionName: "orders", Qualifier: "live", Methods: ["GET", "POST"], Cors: { AllowOrigins: ["*"] } })],
      ["POST", ROUTES, JSON.stringify({ Path: "/", FunctionName: "site" })],
    ]);
  });

  it("lists every page, or one function's routes", async () => {
    await run("route", "add", "/a", "--function", "one");
    await run("route", "add", "/b", "--function", "two", "--method", "PUT");
    requests = [];
    const listed = await run("route", "list");
    expect(listed.stdout).toBe("ROUTE ID    PATH  METHODS  FUNCTION\nroute00000  /a    ANY      one:$LATEST\nroute00001  /b    PUT      two:$LATEST\n");
    expect(requests.map((request) => request.path)).toEqual([ROUTES, `${ROUTES}?Marker=1`]);
    requests = [];
    await run("route", "list", "--function", "two", "--json");
    expect(requests.map((request) => request.path)).toEqual([`${ROUTES}?FunctionName=two`, `${ROUTES}?FunctionName=two&Marker=1`]);
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
    expect(requests).toEqual([]);
  });
});

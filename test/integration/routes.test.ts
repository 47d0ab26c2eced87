// Routes on a real cluster with two frontends: created over REST and gRPC, requested with plain HTTP —
// the payload 2.0 event, binary bodies both ways, longest prefix and method matching, conflicts and
// reserved prefixes, a route served by the frontend that did not create it, and routes going away with
// their route, alias or function.
import { readFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateAliasCommand, DeleteAliasCommand, DeleteFunctionCommand, LambdaClient, PublishVersionCommand, PutFunctionConcurrencyCommand } from "@aws-sdk/client-lambda";
import * as proto from "@lambent/proto";
import { eventually, lambdaClientConfig, startTestCluster, zipFiles, type TestCluster } from "@lambent/testkit";
import { createTestFunction } from "../fixtures/deploy.js";
import { unaryCall, unaryError } from "../fixtures/grpc-unary.js";

const ROUTES = "/lambent/2024-01-01/routes";
const BINARY = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe, 0x80, 0x0d, 0x0a]);

/** By the last segment of the path: says which function answered, sends a binary body back as it came, fails, or echoes the event. */
const handler = (who: string): string => `
export const handler = async (event) => {
  const proxy = event.pathParameters?.proxy?.split("/").pop();
  if (proxy === "echo-bytes") {
    const bytes = event.isBase64Encoded ? event.body : Buffer.from(event.body ?? "").toString("base64");
    return { statusCode: 200, headers: { "content-type": "application/octet-stream" }, body: bytes, isBase64Encoded: true };
  }
  if (proxy === "fail") throw new Error("boom");
  if (proxy === "plain") return { who: "${who}" };
  return { statusCode: 200, headers: { "content-type": "application/json", "x-who": "${who}" }, cookies: ["seen=1"], body: JSON.stringify(event) };
};`;

interface RouteBody {
  RouteId: string;
  Path: string;
  Methods: string[];
  FunctionName: string;
  Qualifier: string;
  FunctionArn: string;
  RouteUrl: string;
  CreatedAt: string;
  LastModified: string;
  Cors?: Record<string, unknown>;
}

interface EventBody {
  version: string;
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  pathParameters?: Record<string, string>;
  body?: string;
  isBase64Encoded: boolean;
  requestContext: { accountId: string; apiId: string; routeKey: string; stage: string; http: { method: string; path: string } };
}

let cluster: TestCluster;
let lambda: LambdaClient;
let client: proto.LambdaClient;
/** The two frontends' HTTP base URLs. */
let first: string;
let second: string;

beforeAll(async () => {
  cluster = await startTestCluster({ frontends: 2 });
  [first, second] = cluster.endpoints.map((endpoint) => endpoint.httpUrl) as [string, string];
  lambda = new LambdaClient(lambdaClientConfig(first));
  client = new proto.LambdaClient(cluster.grpcAddress, grpc.credentials.createInsecure());
  await Promise.all(["route-orders", "route-shop"].map((name) => createTestFunction(lambda, name, zipFiles({ "index.mjs": handler(name) }))));
});
afterAll(async () => {
  lambda?.destroy();
  client?.close();
  await cluster?.stop();
});

/** CreateRoute over REST on `base`: the status and the answer (a route or an error). */
async function createRoute(body: Record<string, unknown>, base = first): Promise<{ status: number; errorType: string | null; body: RouteBody & { message?: string } }> {
  const response = await fetch(`${base}${ROUTES}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, errorType: response.headers.get("x-amzn-errortype"), body: (await response.json()) as RouteBody & { message?: string } };
}

async function deleteRoute(routeId: string, base = first): Promise<number> {
  return (await fetch(`${base}${ROUTES}/${routeId}`, { method: "DELETE" })).status;
}

/** The function's echo of the event, or the request's status when it is not 200. */
async function eventAt(url: string, init: RequestInit = {}): Promise<EventBody> {
  const response = await fetch(url, init);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as EventBody;
}

/**
 * Requests `url` until its status is `status`. Another frontend learns of a change through its KV watch,
 * which offers a client no event to wait on; so this asks again, briefly, until the change shows.
 */
async function untilStatus(url: string, status: number): Promise<Response> {
  return eventually(
    async () => {
      const response = await fetch(url);
      if (response.status === status) return response;
      await response.arrayBuffer();
      throw new Error(`${url} answered ${response.status}`);
    },
    { deadline: 30_000, interval: 25, message: `${url} never answered ${status}` },
  );
}

describe("creating routes", () => {
  it("answers the new route over REST, and gets, lists and deletes it", async () => {
    const created = await createRoute({ Path: "/crud/items/", FunctionName: "route-orders", Methods: ["get", "post"] });
    expect(created.status).toBe(201);
    const route = created.body;
    expect(route.RouteId).toMatch(/^[a-z0-9]{10}$/);
    expect(route).toMatchObject({
      Path: "/crud/items",
      Methods: ["GET", "POST"],
      FunctionName: "route-orders",
      Qualifier: "$LATEST",
      FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:route-orders",
      RouteUrl: `${first}/crud/items`,
    });
    expect(Date.parse(route.CreatedAt)).not.toBeNaN();
    expect(route.LastModified).toBe(route.CreatedAt);

    const got = await fetch(`${first}${ROUTES}/${route.RouteId}`);
    expect(await got.json()).toEqual(route);
    const other = await createRoute({ Path: "/crud/other", FunctionName: "route-shop" });
    const all = (await (await fetch(`${first}${ROUTES}?MaxItems=1`)).json()) as { Routes: RouteBody[]; NextMarker?: string };
    expect(all.Routes.map((item) => item.Path)).toEqual(["/crud/items"]);
    const next = (await (await fetch(`${first}${ROUTES}?MaxItems=1&Marker=${all.NextMarker!}`)).json()) as { Routes: RouteBody[] };
    expect(next.Routes.map((item) => item.Path)).toEqual(["/crud/other"]);
    const mine = (await (await fetch(`${first}${ROUTES}?FunctionName=route-shop`)).json()) as { Routes: RouteBody[] };
    expect(mine.Routes.map((item) => item.RouteId)).toEqual([other.body.RouteId]);

    expect(await deleteRoute(route.RouteId)).toBe(204);
    expect(await deleteRoute(other.body.RouteId)).toBe(204);
    const missing = await fetch(`${first}${ROUTES}/${route.RouteId}`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-amzn-errortype")).toBe("ResourceNotFoundException");
    expect(await deleteRoute(route.RouteId)).toBe(404);
  });

  it("refuses a prefix and method another route serves, Lambent's own paths, and bad input", async () => {
    const taken = await createRoute({ Path: "/taken", FunctionName: "route-orders", Methods: ["GET"] });
    expect(taken.status).toBe(201);
    for (const methods of [["GET", "PUT"], ["ANY"]]) {
      const clash = await createRoute({ Path: "/taken/", FunctionName: "route-shop", Methods: methods });
      expect(clash.status).toBe(409);
      expect(clash.errorType).toBe("ResourceConflictException");
      expect(clash.body.message).toContain(taken.body.RouteId);
    }
    const beside = await createRoute({ Path: "/taken", FunctionName: "route-shop", Methods: ["POST"] });
    expect(beside.status).toBe(201);

    for (const path of ["/2015-03-31/functions", "/lambent-url/x", "/lambent/anything", "/healthz", "/livez", "/metrics"]) {
      const reserved = await createRoute({ Path: path, FunctionName: "route-orders" });
      expect(reserved.status, path).toBe(400);
      expect(reserved.errorType).toBe("InvalidParameterValueException");
      expect(reserved.body.message).toContain("reserved");
    }
    for (const body of [
      { Path: "no-slash", FunctionName: "route-orders" },
      { Path: "/a//b", FunctionName: "route-orders" },
      { Path: "/x", FunctionName: "route-orders", Methods: ["FETCH"] },
      { Path: "/x", FunctionName: "route-orders", Methods: ["ANY", "GET"] },
      { Path: "/x", FunctionName: "route-orders", Methods: [] },
    ]) {
      expect((await createRoute(body)).errorType, JSON.stringify(body)).toBe("InvalidParameterValueException");
    }
    expect((await createRoute({ Path: "/x", FunctionName: "route-nobody" })).errorType).toBe("ResourceNotFoundException");
    expect((await createRoute({ Path: "/x", FunctionName: "route-orders", Qualifier: "live" })).errorType).toBe("ResourceNotFoundException");
    expect((await createRoute({ Path: "/x", FunctionName: "route-orders", Qualifier: "7" })).errorType).toBe("ResourceNotFoundException");
    await deleteRoute(taken.body.RouteId);
    await deleteRoute(beside.body.RouteId);
  });
});

describe("serving routes", () => {
  let orders: RouteBody;
  let shop: RouteBody;
  beforeAll(async () => {
    orders = (await createRoute({ Path: "/shop/orders", FunctionName: "route-orders", Methods: ["GET", "POST"] })).body;
    shop = (await createRoute({ Path: "/shop", FunctionName: "route-shop" })).body;
  });

  it("gives a GET the payload 2.0 event with the route key and proxy parameter", async () => {
    const event = await eventAt(`${first}/shop/orders/42/lines?a=1&b=two&a=3`, { headers: { cookie: "session=abc; theme=dark", "x-custom": "yes" } });
    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "GET /shop/orders/{proxy+}",
      rawPath: "/shop/orders/42/lines",
      rawQueryString: "a=1&b=two&a=3",
      queryStringParameters: { a: "1,3", b: "two" },
      pathParameters: { proxy: "42/lines" },
      cookies: ["session=abc", "theme=dark"],
      isBase64Encoded: false,
    });
    expect(event.headers["x-custom"]).toBe("yes");
    expect(event.headers["cookie"]).toBeUndefined();
    expect(event.body).toBeUndefined();
    expect(event.requestContext).toMatchObject({
      accountId: "000000000000",
      apiId: orders.RouteId,
      routeKey: "GET /shop/orders/{proxy+}",
      stage: "$default",
      http: { method: "GET", path: "/shop/orders/42/lines" },
    });

    const prefix = await eventAt(`${first}/shop/orders`);
    expect(prefix.routeKey).toBe("GET /shop/orders");
    expect(prefix.pathParameters).toBeUndefined();
  });

  it("gives a POST's JSON body as text, and answers with the function's status, headers and cookies", async () => {
    const response = await fetch(`${first}/shop/orders`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"item":"tea"}' });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-who")).toBe("route-orders");
    expect(response.headers.getSetCookie()).toEqual(["seen=1"]);
    const event = (await response.json()) as EventBody;
    expect(event.routeKey).toBe("POST /shop/orders");
    expect(event.isBase64Encoded).toBe(false);
    expect(JSON.parse(event.body!)).toEqual({ item: "tea" });
  });

  it("carries a binary body to the function as base64 and its base64 answer back byte for byte", async () => {
    const response = await fetch(`${first}/shop/orders/echo-bytes`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: BINARY });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(Buffer.from(await response.arrayBuffer())).toEqual(BINARY);
  });

  it("takes the longest prefix with the method, falling back to a shorter one", async () => {
    expect((await fetch(`${first}/shop/orders/plain`)).headers.get("content-type")).toBe("application/json");
    expect(await (await fetch(`${first}/shop/orders/plain`)).json()).toEqual({ who: "route-orders" });
    expect(await (await fetch(`${first}/shop/cart/plain`)).json()).toEqual({ who: "route-shop" });
    expect(await (await fetch(`${first}/shop/ordersplain`)).json()).toMatchObject({ routeKey: "ANY /shop/{proxy+}", pathParameters: { proxy: "ordersplain" } });
    const fallback = await eventAt(`${first}/shop/orders/9`, { method: "DELETE" });
    expect(fallback).toMatchObject({ routeKey: "ANY /shop/{proxy+}", pathParameters: { proxy: "orders/9" } });
    expect(fallback.requestContext.apiId).toBe(shop.RouteId);
  });

  it("answers a method no route takes, and a path no route covers, with 404 Not Found", async () => {
    const only = (await createRoute({ Path: "/get-only", FunctionName: "route-orders", Methods: ["GET"] })).body;
    expect((await fetch(`${first}/get-only/x`)).status).toBe(200);
    const wrongMethod = await fetch(`${first}/get-only/x`, { method: "PUT", body: "{}" });
    expect(wrongMethod.status).toBe(404);
    expect(await wrongMethod.json()).toEqual({ Message: "Not Found" });
    const nowhere = await fetch(`${first}/nowhere`);
    expect(nowhere.status).toBe(404);
    expect(await nowhere.json()).toEqual({ Message: "Not Found" });
    await deleteRoute(only.RouteId);
  });

  it("maps a function error to 502 and a throttle to 429, and leaves Lambent's own paths alone", async () => {
    const failed = await fetch(`${first}/shop/orders/fail`);
    expect(failed.status).toBe(502);
    expect(await failed.json()).toEqual({ Message: "Internal Server Error" });
    await createTestFunction(lambda, "route-throttled", zipFiles({ "index.mjs": handler("throttled") }));
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "route-throttled", ReservedConcurrentExecutions: 0 }));
    const route = (await createRoute({ Path: "/throttled", FunctionName: "route-throttled" })).body;
    expect((await fetch(`${first}/throttled`)).status).toBe(429);
    await deleteRoute(route.RouteId);

    expect((await fetch(`${first}/healthz`)).status).toBe(200);
    const unknownApi = await fetch(`${first}/2015-03-31/nothing`);
    expect(unknownApi.status).toBe(404);
    expect(unknownApi.headers.get("x-amzn-errortype")).toBe("ResourceNotFoundException");
  });

  it("answers a CORS preflight for a route with CORS settings without invoking it", async () => {
    const route = (
      await createRoute({ Path: "/cors", FunctionName: "route-orders", Methods: ["PUT"], Cors: { AllowOrigins: ["https://app.example"], AllowMethods: ["PUT"], MaxAge: 60 } })
    ).body;
    expect(route.Cors).toEqual({ AllowOrigins: ["https://app.example"], AllowMethods: ["PUT"], MaxAge: 60 });
    const preflight = await fetch(`${first}/cors/x`, { method: "OPTIONS", headers: { origin: "https://app.example", "access-control-request-method": "PUT" } });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://app.example");
    expect(preflight.headers.get("access-control-allow-methods")).toBe("PUT");
    expect(preflight.headers.get("access-control-max-age")).toBe("60");
    const actual = await fetch(`${first}/cors/x`, { method: "PUT", headers: { origin: "https://app.example" } });
    expect(actual.headers.get("access-control-allow-origin")).toBe("https://app.example");
    await deleteRoute(route.RouteId);
  });
});

describe("routes across frontends", () => {
  it("serves at once on the frontend that created the route, on the other once its watch delivers, and stops on both", async () => {
    const route = (await createRoute({ Path: "/across", FunctionName: "route-orders" }, second)).body;
    // The creating frontend observed its own write.
    expect((await fetch(`${second}/across/plain`)).status).toBe(200);
    const elsewhere = await untilStatus(`${first}/across/plain`, 200);
    expect(elsewhere.status).toBe(200);
    expect(await elsewhere.json()).toEqual({ who: "route-orders" });

    expect(await deleteRoute(route.RouteId, first)).toBe(204);
    expect((await fetch(`${first}/across/plain`)).status).toBe(404);
    expect((await untilStatus(`${second}/across/plain`, 404)).status).toBe(404);
  });
});

describe("routes and their functions", () => {
  it("serves an alias and a version, and drops routes with their alias, version and function", async () => {
    const name = "route-lifetime";
    await createTestFunction(lambda, name, zipFiles({ "index.mjs": handler("v1") }));
    await lambda.send(new PublishVersionCommand({ FunctionName: name }));
    await lambda.send(new CreateAliasCommand({ FunctionName: name, Name: "live", FunctionVersion: "1" }));
    const alias = await createRoute({ Path: "/life/alias", FunctionName: `${name}:live` });
    expect(alias.body).toMatchObject({ Qualifier: "live", FunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}:live` });
    const version = await createRoute({ Path: "/life/version", FunctionName: name, Qualifier: "1" });
    const latest = await createRoute({ Path: "/life/latest", FunctionName: name });
    expect((await fetch(`${first}/life/alias/plain`)).status).toBe(200);
    expect((await fetch(`${first}/life/version/plain`)).status).toBe(200);

    await lambda.send(new DeleteAliasCommand({ FunctionName: name, Name: "live" }));
    expect((await fetch(`${first}${ROUTES}/${alias.body.RouteId}`)).status).toBe(404);
    expect((await fetch(`${first}/life/alias/plain`)).status).toBe(404);
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: "1" }));
    expect((await fetch(`${first}${ROUTES}/${version.body.RouteId}`)).status).toBe(404);
    expect((await fetch(`${first}/life/latest/plain`)).status).toBe(200);

    await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    expect((await fetch(`${first}${ROUTES}/${latest.body.RouteId}`)).status).toBe(404);
    expect((await fetch(`${first}/life/latest/plain`)).status).toBe(404);
    const listed = (await (await fetch(`${first}${ROUTES}?FunctionName=${name}`)).json()) as { Routes: RouteBody[] };
    expect(listed.Routes).toEqual([]);
  });
});

describe("routes over gRPC", () => {
  it("creates, gets, lists and deletes as over REST, with gRPC's statuses", async () => {
    const created = await unaryCall(
      client,
      client.createRoute.bind(client),
      proto.CreateRouteRequest.fromPartial({ path: "/grpc/api", methods: ["POST"], functionName: "route-shop", cors: { allowOrigins: ["*"] } }),
    );
    const route = created.route!;
    expect(route).toMatchObject({ path: "/grpc/api", methods: ["POST"], functionName: "route-shop", qualifier: "$LATEST", routeUrl: `${first}/grpc/api` });
    expect(route.cors?.allowOrigins).toEqual(["*"]);
    const overHttp = (await (await fetch(`${first}${ROUTES}/${route.routeId}`)).json()) as RouteBody;
    expect(overHttp.CreatedAt).toBe(route.createdAt);
    const got = await unaryCall(client, client.getRoute.bind(client), proto.GetRouteRequest.fromPartial({ routeId: route.routeId }));
    expect(got.route).toEqual(route);
    const listed = await unaryCall(client, client.listRoutes.bind(client), proto.ListRoutesRequest.fromPartial({ functionName: "route-shop" }));
    expect(listed.routes.map((item) => item.routeId)).toContain(route.routeId);
    expect(listed.nextMarker).toBe("");
    expect((await eventAt(`${first}/grpc/api`, { method: "POST", body: "hi" })).routeKey).toBe("POST /grpc/api");

    const clash = await unaryError(client, client.createRoute.bind(client), proto.CreateRouteRequest.fromPartial({ path: "/grpc/api", functionName: "route-orders" }));
    expect(clash).toEqual({ code: grpc.status.ALREADY_EXISTS, errorType: "ResourceConflictException" });
    const reserved = await unaryError(client, client.createRoute.bind(client), proto.CreateRouteRequest.fromPartial({ path: "/lambent", functionName: "route-orders" }));
    expect(reserved).toEqual({ code: grpc.status.INVALID_ARGUMENT, errorType: "InvalidParameterValueException" });
    await unaryCall(client, client.deleteRoute.bind(client), proto.DeleteRouteRequest.fromPartial({ routeId: route.routeId }));
    const missing = await unaryError(client, client.getRoute.bind(client), proto.GetRouteRequest.fromPartial({ routeId: route.routeId }));
    expect(missing.code).toBe(grpc.status.NOT_FOUND);
  });
});

describe("examples/http-route", () => {
  it("creates an order with POST and reads it back with GET; other methods are not routed", async () => {
    const name = "route-example";
    const source = readFileSync(new URL("../../examples/http-route/index.mjs", import.meta.url), "utf8");
    await createTestFunction(lambda, name, zipFiles({ "index.mjs": source }));
    const route = (await createRoute({ Path: "/example/orders", FunctionName: name, Methods: ["GET", "POST"] })).body;
    const posted = await fetch(`${first}/example/orders`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"item":"tea"}' });
    expect(posted.status).toBe(201);
    expect(posted.headers.get("location")).toBe("/example/orders/1");
    expect(await posted.json()).toEqual({ id: "1", item: "tea" });
    expect(await (await fetch(`${first}/example/orders/1`)).json()).toEqual({ id: "1", item: "tea" });
    expect(await (await fetch(`${first}/example/orders`)).json()).toEqual({ orders: [{ id: "1", item: "tea" }], routeKey: "GET /example/orders" });
    expect((await fetch(`${first}/example/orders/1`, { method: "DELETE" })).status).toBe(404);
    await deleteRoute(route.RouteId);
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
  });
});

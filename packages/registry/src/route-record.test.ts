// Routes: prefix normalisation, overlap, decoding, and the store over a real nats-server — a create that
// overlaps an older route is withdrawn, and of many overlapping creates at once exactly one stands.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Kvm, type KV } from "@nats-io/kv";
import { startNatsServer, type RunningNatsServer } from "@lambent/local-cluster";
import { ObservedWrites } from "./observed-writes.js";
import { KeySpaceView } from "./key-space-view.js";
import {
  ROUTE_ID_PATTERN,
  ROUTE_KEYS,
  RouteStore,
  decodeRoute,
  newRouteId,
  normaliseRoutePath,
  routeKey,
  routesOverlap,
  type RouteMethod,
  type RouteRecord,
} from "./route-record.js";

const route = (path: string, methods: RouteMethod[], functionName = "orders"): RouteRecord => ({
  routeId: newRouteId(),
  path,
  methods,
  functionName,
  qualifier: "$LATEST",
  createdAt: 1,
  lastModified: 1,
});
const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

describe("route records", () => {
  it("normalises prefixes and refuses ones a request could not match byte for byte", () => {
    expect(normaliseRoutePath("/shop/orders/")).toEqual({ path: "/shop/orders" });
    expect(normaliseRoutePath("/")).toEqual({ path: "/" });
    expect(normaliseRoutePath("/a-b.c~d/x:y@z")).toEqual({ path: "/a-b.c~d/x:y@z" });
    for (const bad of ["shop", "/shop//orders", "/shop/../admin", "/./x", "/caf%C3%A9", "/items/{proxy+}", "/a b", "/é", `/${"a".repeat(600)}`]) {
      expect(normaliseRoutePath(bad)).toHaveProperty("error");
    }
  });

  it("overlaps on the same prefix with a shared method, or ANY", () => {
    expect(routesOverlap(route("/a", ["GET"]), route("/a", ["GET", "POST"]))).toBe(true);
    expect(routesOverlap(route("/a", ["ANY"]), route("/a", ["DELETE"]))).toBe(true);
    expect(routesOverlap(route("/a", ["GET"]), route("/a", ["POST"]))).toBe(false);
    expect(routesOverlap(route("/a", ["ANY"]), route("/a/b", ["ANY"]))).toBe(false);
  });

  it("makes ids of 10 lowercase alphanumerics and decodes only well-formed routes under their own key", () => {
    const ids = new Set(Array.from({ length: 50 }, newRouteId));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(ROUTE_ID_PATTERN);
    const stored = route("/shop", ["GET"]);
    expect(decodeRoute(routeKey(stored.routeId), encode(stored))).toEqual(stored);
    expect(() => decodeRoute("route.other00000", encode(stored))).toThrow(/is route/);
    expect(() => decodeRoute(routeKey(stored.routeId), encode({ ...stored, methods: ["FETCH"] }))).toThrow(/malformed/);
    expect(() => decodeRoute(routeKey(stored.routeId), encode({ ...stored, path: "/shop/" }))).toThrow(/malformed/);
  });
});

describe("RouteStore", () => {
  let server: RunningNatsServer;
  let dir: string;
  let connections: NatsConnection[];
  let kv: KV;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "route-store-test-"));
    server = await startNatsServer({ storeDir: dir });
    connections = await Promise.all([connect({ servers: server.url }), connect({ servers: server.url })]);
    kv = await new Kvm(connections[0]!).create("route_store_test", { history: 1 });
  });
  afterAll(async () => {
    await Promise.all((connections ?? []).map((nc) => nc.close()));
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("creates, reads, withdraws an overlapping create, and deletes by function", async () => {
    const view = new KeySpaceView(kv, { filter: ROUTE_KEYS, decode: decodeRoute });
    await view.start();
    try {
      const store = new RouteStore(kv, new ObservedWrites(kv, view));
      const get = route("/shop", ["GET"]);
      expect(await store.create(get)).toEqual({ created: true });
      // The view observed the write: it holds the route before any watch delivery.
      expect(view.get(routeKey(get.routeId))).toEqual(get);
      expect(await store.get(get.routeId)).toEqual(get);

      const clash = route("/shop", ["ANY"]);
      expect(await store.create(clash)).toEqual({ created: false, conflict: get });
      expect(await store.get(clash.routeId)).toBeUndefined();
      expect(view.get(routeKey(clash.routeId))).toBeUndefined();

      const post = route("/shop", ["POST"], "other");
      expect(await store.create(post)).toEqual({ created: true });
      expect(await store.create({ ...route("/x", ["GET"]), routeId: post.routeId })).toEqual({ created: false, idTaken: true });

      const removed = await store.deleteWhere((candidate) => candidate.functionName === "orders");
      expect(removed.map((candidate) => candidate.routeId)).toEqual([get.routeId]);
      expect((await store.list()).map((stored) => stored.route.routeId)).toEqual([post.routeId]);
      expect(await store.delete(post.routeId)).toBe(true);
      expect(await store.delete(post.routeId)).toBe(false);
      expect(await store.list()).toEqual([]);
    } finally {
      view.stop();
    }
  });

  it("lets exactly one of several overlapping creates from two connections stand", async () => {
    const stores = await Promise.all(
      connections.map(async (nc) => {
        const bucket = await new Kvm(nc).open("route_store_test");
        return new RouteStore(bucket, new ObservedWrites(bucket, undefined));
      }),
    );
    const racers = Array.from({ length: 6 }, (_, index) => route("/race", index % 2 === 0 ? ["ANY"] : ["GET", "PUT"]));
    const outcomes = await Promise.all(racers.map((racer, index) => stores[index % 2]!.create(racer)));
    expect(outcomes.filter((outcome) => outcome.created)).toHaveLength(1);
    const standing = (await stores[0]!.list()).filter((stored) => stored.route.path === "/race");
    expect(standing).toHaveLength(1);
    const winner = racers[outcomes.findIndex((outcome) => outcome.created)]!;
    expect(standing[0]!.route.routeId).toBe(winner.routeId);
  });
});

// KeySpaceView over a real nats-server: loads what exists, follows puts and deletes from another
// connection, skips malformed values, keeps keys alone when asked to, and never goes back to an older revision.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Kvm, type KV } from "@nats-io/kv";
import { startNatsServer, type RunningNatsServer } from "@lambent/local-cluster";
import { KeySpaceView } from "./key-space-view.js";

let server: RunningNatsServer;
let dir: string;
let nc: NatsConnection;
let kv: KV;

const decoder = new TextDecoder();
const decodeCount = (key: string, value: Uint8Array): { count: number } => {
  const parsed = JSON.parse(decoder.decode(value)) as { count?: unknown };
  if (typeof parsed.count !== "number") throw new Error(`${key} has no count`);
  return { count: parsed.count };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "key-space-test-"));
  server = await startNatsServer({ storeDir: dir });
  nc = await connect({ servers: server.url });
  kv = await new Kvm(nc).create("key_space_test", { history: 1 });
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Resolves with the first change the view reports for `key`. */
function nextChange<T>(view: KeySpaceView<T>, key: string): Promise<{ value: T | undefined; previous: T | undefined }> {
  return new Promise((resolve) => view.onChange((changed, value, previous) => changed === key && resolve({ value, previous })));
}

describe("KeySpaceView", () => {
  it("loads the key space, follows changes and leaves malformed values out", async () => {
    await kv.put("item.a", JSON.stringify({ count: 1 }));
    await kv.put("item.bad", "not json");
    await kv.put("other.x", JSON.stringify({ count: 9 }));
    const malformed: string[] = [];
    const view = new KeySpaceView(kv, { filter: "item.>", decode: decodeCount, onMalformed: (key) => malformed.push(key) });
    await view.start();
    try {
      expect([...view.values()]).toEqual([["item.a", { count: 1 }]]);
      expect(view.get("other.x")).toBeUndefined();
      expect(malformed).toContain("item.bad");

      const added = nextChange(view, "item.b");
      await kv.put("item.b", JSON.stringify({ count: 2 }));
      expect(await added).toEqual({ value: { count: 2 }, previous: undefined });

      const changed = nextChange(view, "item.a");
      await kv.put("item.a", JSON.stringify({ count: 3 }));
      expect(await changed).toEqual({ value: { count: 3 }, previous: { count: 1 } });

      const removed = nextChange(view, "item.b");
      await kv.delete("item.b");
      expect(await removed).toEqual({ value: undefined, previous: { count: 2 } });
      expect(view.get("item.b")).toBeUndefined();
    } finally {
      view.stop();
    }
  });

  it("keeps only which keys hold a value when asked for keys only, never decoding a value", async () => {
    await kv.put("name.a", "not json");
    await kv.put("name.gone", "x");
    await kv.delete("name.gone");
    const seen: number[] = [];
    const view = new KeySpaceView(kv, { filter: "name.>", keysOnly: true, decode: (_key, value) => seen.push(value.length) });
    await view.start();
    try {
      expect([...view.values()].map(([key]) => key)).toEqual(["name.a"]);
      const added = nextChange(view, "name.b");
      await kv.put("name.b", JSON.stringify({ count: 2 }));
      expect((await added).previous).toBeUndefined();
      const removed = nextChange(view, "name.a");
      await kv.delete("name.a");
      expect((await removed).value).toBeUndefined();
      expect([...view.values()].map(([key]) => key)).toEqual(["name.b"]);
      expect(seen.every((length) => length === 0)).toBe(true);
    } finally {
      view.stop();
    }
  });

  it("ignores a write older than the revision it holds", async () => {
    const view = new KeySpaceView(kv, { filter: "stale.>", decode: decodeCount });
    await view.start();
    try {
      const first = await kv.put("stale.k", JSON.stringify({ count: 1 }));
      const second = await kv.put("stale.k", JSON.stringify({ count: 2 }));
      view.written("stale.k", new TextEncoder().encode(JSON.stringify({ count: 2 })), second);
      view.written("stale.k", new TextEncoder().encode(JSON.stringify({ count: 1 })), first);
      expect(view.get("stale.k")).toEqual({ count: 2 });
    } finally {
      view.stop();
    }
  });
});
